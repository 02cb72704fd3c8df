"""How far each int8 variant of the encoder is from fp32, and how much faster it is."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from analysis.bench.speed import MODEL
from analysis.bench.texts import bench_texts
from analysis.encoder import (
    FFN_DOWN,
    Encoded,
    Encoder,
    deployed_int8,
    full_range_int8_is_exact,
    int8_label,
    quantize_int8,
)

# (per-channel weights, 8-bit activations, FFN down-projections kept fp32); torch's defaults first.
VARIANTS = (
    (False, False, False),
    (True, False, False),
    (True, False, True),
    (True, True, False),
    (True, True, True),
)


def _describe(per_channel: bool, full_range: bool, keep: bool) -> str:
    return ", ".join(
        [
            f"per-{'channel' if per_channel else 'tensor'} weights",
            f"{8 if full_range else 7}-bit activations",
            "FFN down-projections fp32" if keep else "every Linear",
        ]
    )


def _timed_rounds(
    encoder: Encoder, models: dict[str, Any], texts: list[str], repeat: int
) -> tuple[dict[str, Encoded], dict[str, float]]:
    """Encode with each model in turn, `repeat` rounds, keeping each one's fastest time.

    Taking turns spreads the load of other work on a shared machine over every model alike.
    """
    encoded: dict[str, Encoded] = {}
    best = dict.fromkeys(models, float("inf"))
    for _ in range(repeat):
        for label, model in models.items():
            encoder.model = model
            encoder.encode(texts[:32])
            start = time.perf_counter()
            encoded[label] = encoder.encode(texts)
            best[label] = min(best[label], time.perf_counter() - start)
    return encoded, best


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.clip(norms, 1e-12, None)


def _compare(reference: Encoded, encoded: Encoded) -> dict[str, float]:
    """How far a variant's vectors are from fp32, and whether the heads still agree."""
    from analysis.pipeline import load_head

    sentence = _cosines(reference.sentence, encoded.sentence)
    figures = {
        "cosine_mean": round(float(sentence.mean()), 4),
        "cosine_min": round(float(sentence.min()), 4),
        "share_at_least_0_99": round(float((sentence >= 0.99).mean()), 3),
        "layer_features_cosine_mean": round(
            float(_cosines(reference.layers, encoded.layers).mean()), 4
        ),
    }
    for name in ("sentiment", "offensive"):
        head = load_head(name)
        same = head.predict_proba(reference.layers).argmax(1) == head.predict_proba(
            encoded.layers
        ).argmax(1)
        figures[f"{name}_head_agreement"] = round(float(same.mean()), 4)
    return figures


def _batch_dependence(encoder: Encoder, texts: list[str]) -> float:
    """Min cosine of each text encoded alone to the same text encoded in a batch of 32.

    Dynamic int8 scales activations per batch, so a text's vector depends a little on its
    batch-mates (fp32: to rounding only).
    """
    alone = encoder.encode(texts, batch_size=1).sentence
    return round(float(_cosines(alone, encoder.encode(texts, batch_size=32).sentence).min()), 4)


def run_quantization(
    count: int, threads: int, data_dir: Path | None = None, repeat: int = 2
) -> dict[str, Any]:
    """Cosine of int8 sentence embeddings to fp32, and the speed of each, on real-length texts."""
    import torch

    torch.set_num_threads(threads)
    encoder = Encoder(MODEL, threads=threads)
    made = bench_texts(count, data_dir, encoder.tokenizer)
    full_range = full_range_int8_is_exact()
    models, described, skipped = {"fp32": encoder.model}, {}, []
    for per_channel, full, keep in VARIANTS:
        description = _describe(per_channel, full, keep)
        if full and not full_range:
            skipped.append({"variant": description, "skipped": "this CPU's kernel would overflow"})
            continue
        model, label = quantize_int8(
            models["fp32"],
            per_channel=per_channel,
            full_range=full,
            keep_fp32=FFN_DOWN if keep else None,
        )
        models[label], described[label] = model, description
    encoded, seconds = _timed_rounds(encoder, models, made.texts, repeat)
    deployed = int8_label(**deployed_int8())
    encoder.model = models[deployed]
    result: dict[str, Any] = {
        "comments": count,
        "threads": threads,
        "text_source": made.source,
        "full_range_activations_supported": full_range,
        "analysis_quantize_uses": deployed,
        "analysis_quantize_batch_dependence_min_cosine": _batch_dependence(
            encoder, made.texts[:64]
        ),
        "fp32_per_second": round(count / seconds["fp32"], 1),
        "variants": skipped,
    }
    for label, description in described.items():
        row = {
            "variant": description,
            "label": label,
            "per_second": round(count / seconds[label], 1),
        }
        row["speedup"] = round(seconds["fp32"] / seconds[label], 2)
        result["variants"].append(row | _compare(encoded["fp32"], encoded[label]))
    return result
