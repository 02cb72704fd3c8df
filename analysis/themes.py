"""Themes: a staff-edited codebook, learned from staff coding, plus discovered clusters of the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

# Settings chosen on the development half of the real public comments (see analysis/realeval.py);
# the other half is the one reported.
SUGGEST_MARGIN = 0.07  # codebook only: themes within this cosine of the comment's best theme
SUGGEST_FLOOR = 0.22  # and at least this close to the comment's closest sentence
LEARNED_MARGIN = 0.5  # with staff codes: themes within this probability of the best theme
LEARNED_FLOOR = 0.30  # and at least this likely
TOP_FLOOR = 0.25  # nothing is given unless the best theme is this close: off-topic stays unthemed
LEARNED_TOP_FLOOR = 0.20  # the same, as a probability once staff have coded
MIN_CODED = 8  # coded comments before the codebook similarities are calibrated to probabilities
MIN_EXAMPLES = 4  # coded comments with and without a theme before a classifier learns it
LEARN_C = 1.0
CALIBRATE_C = 10.0
FOLDS = 5
BOOTSTRAP = 400
LOW_PRECISION = 0.7
MIN_CLUSTER = 5
SEED = 3


@dataclass
class Discovered:
    key: str
    members: list[int]
    keywords: list[str]


@dataclass
class ThemeResult:
    themes: list[list[str]]  # each comment's theme keys
    scores: list[dict[str, float]]  # each comment's score per theme (a probability once calibrated)
    source: list[str]  # coded, learned or suggested
    theme_source: dict[str, str]  # per theme: learned or suggested
    estimates: dict[str, dict] = field(default_factory=dict)
    coded_comments: int = 0
    model: Any = None

    def assign_more(
        self, layers: np.ndarray, similarity: np.ndarray, whole: np.ndarray
    ) -> list[list[str]]:
        """Themes for other texts (a form letter's additions) by the same fitted rule."""
        keys = list(self.theme_source)
        if self.model is None or not keys:
            return [[] for _ in range(len(similarity))]
        chosen = self.model.assign(layers, similarity, whole)[1]
        return [[keys[t] for t in np.flatnonzero(row)] for row in chosen]


def codebook_similarity(spans: Sequence[np.ndarray], theme_vectors: np.ndarray) -> np.ndarray:
    """Cosine of each theme to the comment's closest sentence: (comments, themes)."""
    if not len(theme_vectors):
        return np.zeros((len(spans), 0), dtype=np.float32)
    themes = theme_vectors / np.linalg.norm(theme_vectors, axis=1, keepdims=True).clip(min=1e-12)
    return np.stack([(vectors @ themes.T).max(axis=0) for vectors in spans]).astype(np.float32)


def _pair_features(similarity: np.ndarray, whole: np.ndarray) -> np.ndarray:
    best = similarity.max(axis=1, keepdims=True)
    return np.stack([similarity, similarity - best, whole], axis=-1)


def _choose(scores: np.ndarray, margin: float, floor: float, top_floor: float) -> np.ndarray:
    """The best theme and those near it; nothing where even the best is below top_floor."""
    best = scores.max(axis=1, keepdims=True)
    chosen = ((scores >= best - margin) & (scores >= floor)) | (scores == best)
    return chosen & (best >= top_floor)


class _Model:
    """The assignment rule fitted on some coded comments (none: the codebook-only rule)."""

    def __init__(
        self,
        layers: np.ndarray,
        similarity: np.ndarray,
        whole: np.ndarray,
        codes: np.ndarray,  # (comments, themes): 1, 0, or -1 for "not coded"
        rows: np.ndarray,  # the comments whose codes may be learned from
    ) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        known = codes[rows] >= 0
        self.calibration: Any = None
        self.learned: dict[int, Any] = {}
        if (known.all(axis=1).sum() < MIN_CODED) or codes[rows][known].sum() < MIN_EXAMPLES:
            return
        pairs = _pair_features(similarity[rows], whole[rows])
        self.calibration = LogisticRegression(C=CALIBRATE_C, max_iter=1000).fit(
            pairs[known], codes[rows][known]
        )
        self.scaler = StandardScaler().fit(layers[rows])
        for theme in range(codes.shape[1]):
            labelled = rows[codes[rows, theme] >= 0]
            y = codes[labelled, theme]
            if min(int(y.sum()), int(len(y) - y.sum())) < MIN_EXAMPLES:
                continue
            model = LogisticRegression(C=LEARN_C, class_weight="balanced", max_iter=3000)
            features = self._features(layers[labelled], similarity[labelled], whole[labelled])
            self.learned[theme] = model.fit(features, y)

    def _features(self, layers: np.ndarray, similarity: np.ndarray, whole: np.ndarray):
        scaled = self.scaler.transform(layers) / np.sqrt(layers.shape[1] / 384)
        return np.hstack([scaled, 3 * similarity, 3 * whole])

    def scores(self, layers: np.ndarray, similarity: np.ndarray, whole: np.ndarray) -> np.ndarray:
        if self.calibration is None:
            return similarity.copy()
        pairs = _pair_features(similarity, whole)
        calibrated = self.calibration.predict_proba(pairs.reshape(-1, 3))[:, 1]
        scores = calibrated.reshape(similarity.shape)
        if self.learned:
            features = self._features(layers, similarity, whole)
            for theme, model in self.learned.items():
                scores[:, theme] = (scores[:, theme] + model.predict_proba(features)[:, 1]) / 2
        return scores

    def assign(
        self, layers: np.ndarray, similarity: np.ndarray, whole: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, chosen) for each row: the rule staff see applied."""
        if not len(similarity):
            return similarity.copy(), np.zeros(similarity.shape, dtype=bool)
        scores = self.scores(layers, similarity, whole)
        if self.calibration is None:
            return scores, _choose(scores, SUGGEST_MARGIN, SUGGEST_FLOOR, TOP_FLOOR)
        return scores, _choose(scores, LEARNED_MARGIN, LEARNED_FLOOR, LEARNED_TOP_FLOOR)


def assign_themes(
    keys: Sequence[str],
    similarity: np.ndarray,
    whole: np.ndarray,
    layers: np.ndarray,
    codes: Sequence[Mapping[str, bool]],
    groups: Sequence[int] | None = None,
    sample: Sequence[bool] | None = None,
) -> ThemeResult:
    """Assign each comment its themes: staff codes stand, the rest are learned or suggested.

    similarity: cosine of each theme to the comment's closest sentence; whole: to the whole
    comment. Codes (staff's word per comment and theme) train one classifier per theme with
    enough examples; themes without stay on the codebook rule, and every theme's count is
    estimated with its error from the coded comments (cross-validated, copies kept together);
    sample marks the comments of the random coding sample, the ones the error is measured on.
    """
    n, k = len(similarity), len(keys)
    code_matrix = np.full((n, k), -1, dtype=int)
    for row, given in enumerate(codes):
        for theme, key in enumerate(keys):
            if key in given:
                code_matrix[row, theme] = int(bool(given[key]))
    if k == 0:
        return ThemeResult([[] for _ in range(n)], [{} for _ in range(n)], ["suggested"] * n, {})
    everyone = range(n)
    coded_rows = np.flatnonzero((code_matrix >= 0).any(axis=1))
    model = _Model(layers, similarity, whole, code_matrix, coded_rows)
    scores, chosen = model.assign(layers, similarity, whole)
    fully_coded: np.ndarray = np.asarray((code_matrix >= 0).all(axis=1))
    result = ThemeResult(
        themes=[],
        scores=[
            {key: round(float(scores[row, t]), 4) for t, key in enumerate(keys)} for row in everyone
        ],
        source=[],
        theme_source={
            key: "learned" if t in model.learned else "suggested" for t, key in enumerate(keys)
        },
        coded_comments=int(fully_coded.sum()),
        model=model,
    )
    for row in everyone:
        picked = {keys[int(t)] for t in np.flatnonzero(chosen[row])}
        for t, key in enumerate(keys):
            if code_matrix[row, t] >= 0:
                (picked.add if code_matrix[row, t] else picked.discard)(key)
        result.themes.append(sorted(picked))
        result.source.append(
            "coded" if fully_coded[row] else ("learned" if model.learned else "suggested")
        )
    final = np.array([[key in themes for key in keys] for themes in result.themes], dtype=bool)
    result.estimates = _estimates(
        keys,
        layers,
        similarity,
        whole,
        code_matrix,
        fully_coded,
        final,
        groups,
        result,
        np.ones(n, dtype=bool) if sample is None else np.asarray(sample, dtype=bool),
    )
    return result


def _estimates(
    keys: Sequence[str],
    layers: np.ndarray,
    similarity: np.ndarray,
    whole: np.ndarray,
    codes: np.ndarray,
    fully_coded: np.ndarray,
    final: np.ndarray,
    groups: Sequence[int] | None,
    result: ThemeResult,
    sample: np.ndarray,
) -> dict[str, dict]:
    """Each theme's count with a 95% interval: adjusted classify-and-count on the uncoded.

    The coded comments are predicted by cross-validation with the rule that is deployed (fitted
    on the other folds' codes); their true and false positive rates correct the share the rule
    assigns among the comments nobody coded, and a bootstrap over the coded comments gives the
    interval. Coded comments count as coded.
    """
    from sklearn.model_selection import GroupKFold

    uncoded = np.flatnonzero(~fully_coded)
    # Validated on the random sample only (comments picked because the model was unsure of
    # them are not representative), unless too few of it are coded; all codes train the folds.
    coded = np.flatnonzero(fully_coded & sample)
    if len(coded) < 2 * FOLDS:
        coded = np.flatnonzero(fully_coded)
    learnable = np.flatnonzero((codes >= 0).any(axis=1))
    group_of = np.asarray(groups if groups is not None else np.arange(len(final)))
    estimates: dict[str, dict] = {}
    predicted = np.zeros((len(coded), len(keys)), dtype=bool)
    can_validate = len(coded) >= 2 * FOLDS
    if can_validate:
        for _train, test in GroupKFold(n_splits=FOLDS).split(coded, groups=group_of[coded]):
            held = set(group_of[coded[test]].tolist())
            fold = _Model(
                layers,
                similarity,
                whole,
                codes,
                learnable[~np.isin(group_of[learnable], list(held))],
            )
            rows = coded[test]
            predicted[test] = fold.assign(layers[rows], similarity[rows], whole[rows])[1]
    truth = codes[coded] == 1
    coded_positive = (codes[fully_coded] == 1).sum(axis=0)
    rng = np.random.default_rng(SEED)
    draws = rng.integers(0, len(coded), size=(BOOTSTRAP, len(coded))) if can_validate else None
    for t, key in enumerate(keys):
        assigned = int(final[:, t].sum())
        entry: dict[str, Any] = {
            "assigned": assigned,
            "coded": int(fully_coded.sum()),
            "validated_on": len(coded) if can_validate else 0,
            "coded_positive": int(coded_positive[t]),
            "source": result.theme_source[key],
            "estimate": float(assigned),
            "low": None,
            "high": None,
            "precision": None,
            "recall": None,
        }
        if can_validate and draws is not None:
            share = float(final[uncoded, t].mean()) if len(uncoded) else 0.0
            known = int(coded_positive[t])

            def estimate(
                sample: np.ndarray, t: int = t, share: float = share, known: int = known
            ) -> float:
                positives, negatives = truth[sample, t], ~truth[sample, t]
                tpr = predicted[sample, t][positives].mean() if positives.any() else 0.0
                fpr = predicted[sample, t][negatives].mean() if negatives.any() else 0.0
                adjusted = (share - fpr) / (tpr - fpr) if tpr - fpr > 0.05 else share
                return known + len(uncoded) * float(np.clip(adjusted, 0.0, 1.0))

            spread = np.array([estimate(sample) for sample in draws])
            hits = predicted[:, t] & truth[:, t]
            entry.update(
                estimate=round(estimate(np.arange(len(coded))), 1),
                low=round(float(np.percentile(spread, 2.5)), 1),
                high=round(float(np.percentile(spread, 97.5)), 1),
                precision=round(float(hits.sum() / predicted[:, t].sum()), 3)
                if predicted[:, t].any()
                else None,
                recall=round(float(hits.sum() / truth[:, t].sum()), 3)
                if truth[:, t].any()
                else None,
            )
        entry["low_confidence"] = entry["precision"] is None or entry["precision"] < LOW_PRECISION
        estimates[key] = entry
    return estimates


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
