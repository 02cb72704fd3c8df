"""Embeddings computed once: cached in the database by model and text hash, reused by every stage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import select

from analysis.encoder import Encoder
from analysis.models import TextEmbedding
from extensions import db

BATCH = 1_000


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_key(encoder: Encoder) -> str:
    return f"{encoder.name}|{encoder.max_tokens}"


def embed_with_cache(
    encoder: Encoder, texts: Sequence[str], progress: Callable[[int], None] | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return (sentence, layers, newly_encoded) for the texts, encoding only the ones not cached."""
    key = model_key(encoder)
    hashes = [text_hash(t) for t in texts]
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), BATCH):
        rows = db.session.execute(
            select(TextEmbedding.text_hash, TextEmbedding.sentence, TextEmbedding.layers).where(
                TextEmbedding.model_key == key,
                TextEmbedding.text_hash.in_(unique[start : start + BATCH]),
            )
        )
        for digest, sentence, layers in rows:
            found[digest] = (
                np.frombuffer(sentence, dtype=np.float32),
                np.frombuffer(layers, dtype=np.float16),
            )
    missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
    if missing:
        encoded = encoder.encode(list(missing.values()), progress=progress)
        for row, digest in enumerate(missing):
            layers16 = encoded.layers[row].astype(np.float16)
            found[digest] = (encoded.sentence[row], layers16)
            db.session.add(
                TextEmbedding(
                    model_key=key,
                    text_hash=digest,
                    sentence=encoded.sentence[row].tobytes(),
                    layers=layers16.tobytes(),
                )
            )
        db.session.flush()
    sentence = (
        np.stack([found[h][0] for h in hashes])
        if hashes
        else np.zeros((0, encoder.dim), np.float32)
    )
    layers = (
        np.stack([found[h][1] for h in hashes]).astype(np.float32)
        if hashes
        else np.zeros((0, encoder.feature_dim), np.float32)
    )
    return sentence, layers, len(missing)
