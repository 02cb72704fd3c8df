"""Pick representative quotes: central to their group, different from each other, verbatim."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DIVERSITY = 0.35  # weight on being unlike the quotes already chosen (maximal marginal relevance)


def pick_quotes(
    members: Sequence[int],
    embeddings: np.ndarray,
    texts: Sequence[str],
    count: int = 4,
    skip: set[int] | None = None,
) -> list[int]:
    """Return up to `count` member indexes, most central first, skipping campaign copies."""
    pool = [m for m in members if not (skip and m in skip) and 8 <= len(texts[m].split()) <= 120]
    if not pool:
        pool = [m for m in members if not (skip and m in skip)]
    if not pool:
        return []
    vectors = embeddings[pool]
    centroid = vectors.mean(axis=0)
    centrality = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
    chosen: list[int] = []
    while len(chosen) < min(count, len(pool)):
        best, best_score = -1, -np.inf
        for position in range(len(pool)):
            if position in chosen:
                continue
            redundancy = max((float(vectors[position] @ vectors[c]) for c in chosen), default=0.0)
            score = (1 - DIVERSITY) * centrality[position] - DIVERSITY * redundancy
            if score > best_score:
                best, best_score = position, score
        chosen.append(best)
    return [pool[c] for c in chosen]
