"""Themes: a staff-edited codebook assigned multi-label, plus discovered clusters of the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

# Similarities are measured after subtracting the consultation's mean embedding: every comment
# here is about school safety, and without centring the broadest theme absorbs them all.
ASSIGN_SIMILARITY = 0.15  # a theme applies when the comment is this close to it (centred cosine)
MARGIN = 0.08  # and within this much of the comment's closest theme
RAW_FLOOR = 0.25  # and, before centring, at least this close: off-topic text scores about 0.22
MIN_FOR_CENTRING = 20
MIN_CLUSTER = 5
SEED = 3


@dataclass
class Discovered:
    key: str
    members: list[int]
    keywords: list[str]


def assign_themes(
    embeddings: np.ndarray,
    prototypes: Mapping[str, np.ndarray],
    corrections: Sequence[Mapping[str, bool]] | None = None,
) -> list[list[str]]:
    """Return each comment's theme keys; a staff correction for a comment always wins."""
    keys = list(prototypes)
    if not keys:
        return [[] for _ in range(len(embeddings))]
    centre = (
        embeddings.mean(axis=0)
        if len(embeddings) >= MIN_FOR_CENTRING
        else np.zeros(embeddings.shape[1])
    )
    vectors = embeddings - centre
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    matrix = np.stack([prototypes[k] for k in keys]) - centre
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
    similarity = vectors @ matrix.T
    raw_matrix = np.stack([prototypes[k] for k in keys])
    raw_matrix /= np.linalg.norm(raw_matrix, axis=1, keepdims=True).clip(min=1e-12)
    raw = embeddings @ raw_matrix.T
    assigned = []
    for row, scores in enumerate(similarity):
        best = float(scores.max())
        chosen = {
            keys[j]
            for j, s in enumerate(scores)
            if s >= ASSIGN_SIMILARITY and s >= best - MARGIN and raw[row, j] >= RAW_FLOOR
        }
        for key, applies in (corrections[row] if corrections else {}).items():
            (chosen.add if applies else chosen.discard)(key)
        assigned.append(sorted(chosen))
    return assigned


def prototypes_from(
    description_embeddings: Mapping[str, np.ndarray],
    embeddings: np.ndarray,
    corrections: Sequence[Mapping[str, bool]],
) -> dict[str, np.ndarray]:
    """Each theme's prototype: its description, pulled toward comments staff confirmed."""
    prototypes = {}
    for key, vector in description_embeddings.items():
        confirmed = [embeddings[i] for i, c in enumerate(corrections) if c.get(key) is True]
        prototypes[key] = vector if not confirmed else (vector + np.mean(confirmed, axis=0)) / 2
    return prototypes


def keywords_by_cluster(
    texts: Sequence[str], labels: np.ndarray, top: int = 5
) -> dict[int, list[str]]:
    """Class-based TF-IDF: the words that set each cluster apart from the others."""
    clusters = sorted(set(int(x) for x in labels))
    documents = [" ".join(texts[int(i)] for i in np.flatnonzero(labels == c)) for c in clusters]
    vectorizer = CountVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        min_df=1,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]+\b",  # noqa: S106 - a regex, not a password
    )
    counts = vectorizer.fit_transform(documents).toarray().astype(float)
    words = vectorizer.get_feature_names_out()
    term_frequency = counts / counts.sum(axis=1, keepdims=True).clip(min=1)
    average_words = counts.sum() / len(clusters)
    idf = np.log(1 + average_words / counts.sum(axis=0).clip(min=1))
    scores = term_frequency * idf
    return {
        c: [str(words[j]) for j in scores[i].argsort()[::-1][:top]] for i, c in enumerate(clusters)
    }


def discover_themes(
    texts: Sequence[str], embeddings: np.ndarray, candidates: Sequence[int]
) -> list[Discovered]:
    """Cluster the comments no codebook theme covers (fixed seed, no UMAP: stable across runs)."""
    if len(candidates) < 2 * MIN_CLUSTER:
        return []
    k = int(np.clip(len(candidates) // 25, 2, 8))
    vectors = embeddings[list(candidates)]
    labels = KMeans(n_clusters=k, random_state=SEED, n_init=10).fit_predict(vectors)
    words = keywords_by_cluster([texts[i] for i in candidates], labels)
    found: list[Discovered] = []
    for cluster in sorted(set(int(x) for x in labels)):
        members = [candidates[int(i)] for i in np.flatnonzero(labels == cluster)]
        if len(members) >= MIN_CLUSTER:
            found.append(Discovered(f"discovered-{len(found) + 1}", members, words[cluster]))
    return found
