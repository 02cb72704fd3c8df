"""Embeddings computed once: cached in the database by model and text hash, reused by every stage."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from analysis.encoder import Encoded, Encoder
from analysis.models import TextEmbedding
from extensions import db

BATCH = 1_000


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


NAME_IN_KEY = 80  # longer names (deep local paths) are hashed, so the key fits String(200)


def model_key(encoder: Encoder) -> str:
    """Name, token limit, precision and weight hash: other weights or precision never reuse vectors."""
    name = encoder.name
    if len(name) > NAME_IN_KEY:
        name = "name-sha256:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return f"{name}|{encoder.max_tokens}|{encoder.precision}|{encoder.weights_hash}"


@dataclass
class Cached(Encoded):
    new: int = 0  # how many texts were encoded now rather than read from the cache


def embed_with_cache(
    encoder: Encoder, texts: Sequence[str], progress: Callable[[int], None] | None = None
) -> Cached:
    """Encode only the texts not cached for this model; return every text's vectors."""
    key = model_key(encoder)
    hashes = [text_hash(t) for t in texts]
    found: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    stale: dict[str, TextEmbedding] = {}  # cached before per-sentence vectors were kept
    unique = list(dict.fromkeys(hashes))
    for start in range(0, len(unique), BATCH):
        rows = db.session.scalars(
            select(TextEmbedding).where(
                TextEmbedding.model_key == key,
                TextEmbedding.text_hash.in_(unique[start : start + BATCH]),
            )
        )
        for row in rows:
            if row.spans is None:
                stale[row.text_hash] = row
                continue
            found[row.text_hash] = (
                np.frombuffer(row.sentence, dtype=np.float32),
                np.frombuffer(row.layers, dtype=np.float16),
                np.frombuffer(row.spans, dtype=np.float16).reshape(-1, encoder.dim),
            )
    missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
    if missing:
        encoded = encoder.encode(list(missing.values()), progress=progress)
        for position, digest in enumerate(missing):
            layers16 = encoded.layers[position].astype(np.float16)
            spans16 = encoded.spans[position].astype(np.float16)
            found[digest] = (encoded.sentence[position], layers16, spans16)
            cached = stale.get(digest)
            if cached is None:
                cached = TextEmbedding(model_key=key, text_hash=digest)
                db.session.add(cached)
            cached.sentence = encoded.sentence[position].tobytes()
            cached.layers = layers16.tobytes()
            cached.spans = spans16.tobytes()
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
    spans = [found[h][2].astype(np.float32) for h in hashes]
    return Cached(sentence, layers, spans, len(missing))
