"""Stance toward the proposal, learned from the positions participants declared.

Embeddings capture topic, not position, so stance is never guessed from similarity or tone: a
classifier is trained per consultation on its declared positions and says "unknown" when it has
too few examples or is not confident.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

STANCES = ("support", "oppose", "mixed", "neutral")
MIN_PER_CLASS = 5
MIN_TRAINING = 20
CONFIDENCE = 0.6
CONTRADICTION = 0.85
FOLDS = 5
SEED = 11


@dataclass
class StanceResult:
    stance: list[str]
    source: list[str]  # declared, predicted, unknown
    score: list[float | None]
    contradiction: list[bool]
    metrics: dict[str, float | int | str] = field(default_factory=dict)
    probabilities: dict[int, dict[str, float]] = field(default_factory=dict)  # predicted rows only


def _features(
    vectorizer: TfidfVectorizer, texts: Sequence[str], embeddings: np.ndarray, fit: bool
) -> csr_matrix:
    words = vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts)
    return hstack([words, csr_matrix(embeddings * 2.0)]).tocsr()


def _model() -> LogisticRegression:
    return LogisticRegression(C=16.0, max_iter=3000, class_weight="balanced")


def classify_stance(
    texts: Sequence[str], embeddings: np.ndarray, declared: Sequence[str | None]
) -> StanceResult:
    """Keep declared positions, predict the rest, and flag declared ones the text contradicts."""
    n = len(texts)
    result = StanceResult(["unknown"] * n, ["unknown"] * n, [None] * n, [False] * n)
    labelled = [i for i, d in enumerate(declared) if d in STANCES]
    for i in labelled:
        result.stance[i], result.source[i], result.score[i] = str(declared[i]), "declared", 1.0
    counts = Counter(str(declared[i]) for i in labelled)
    classes = sorted(c for c, k in counts.items() if k >= MIN_PER_CLASS)
    trainable = [i for i in labelled if declared[i] in classes]
    result.metrics = {
        "declared": len(labelled),
        "training_examples": len(trainable),
        "classes": ",".join(classes),
    }
    if len(trainable) < MIN_TRAINING or len(classes) < 2:
        result.metrics["status"] = "too few declared positions to predict stance"
        return result

    y = np.array([declared[i] for i in trainable])
    train_texts = [texts[i] for i in trainable]
    folds = StratifiedKFold(
        n_splits=min(FOLDS, *Counter(y).values()), shuffle=True, random_state=SEED
    )
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = _features(vectorizer, train_texts, embeddings[trainable], fit=True)
    out_of_fold = cross_val_predict(_model(), x, y, cv=folds, method="predict_proba")
    class_order = np.array(sorted(set(y)))
    predicted = class_order[out_of_fold.argmax(axis=1)]
    result.metrics["cv_accuracy"] = round(float((predicted == y).mean()), 4)
    both = np.isin(y, ["support", "oppose"])
    if both.sum() >= 10:
        pair = out_of_fold[both][
            :, [list(class_order).index(c) for c in ("support", "oppose") if c in class_order]
        ]
        if pair.shape[1] == 2:
            result.metrics["cv_support_vs_oppose_accuracy"] = round(
                float((np.array(["support", "oppose"])[pair.argmax(axis=1)] == y[both]).mean()), 4
            )
    for row, index in enumerate(trainable):
        opposite = {"support": "oppose", "oppose": "support"}.get(str(declared[index]))
        if (
            opposite in class_order
            and out_of_fold[row, list(class_order).index(opposite)] >= CONTRADICTION
        ):
            result.contradiction[index] = True

    model = _model().fit(x, y)
    unlabelled = [i for i, d in enumerate(declared) if d not in STANCES]
    if unlabelled:
        probabilities = model.predict_proba(
            _features(vectorizer, [texts[i] for i in unlabelled], embeddings[unlabelled], fit=False)
        )
        for row, index in enumerate(unlabelled):
            result.probabilities[index] = {
                str(c): float(p) for c, p in zip(model.classes_, probabilities[row], strict=True)
            }
            best = int(probabilities[row].argmax())
            score = float(probabilities[row, best])
            result.score[index] = round(score, 4)
            if score >= CONFIDENCE:
                result.stance[index], result.source[index] = str(model.classes_[best]), "predicted"
    result.metrics["status"] = "ok"
    result.metrics["predicted"] = sum(1 for s in result.source if s == "predicted")
    result.metrics["unknown"] = sum(1 for s in result.source if s == "unknown")
    return result
