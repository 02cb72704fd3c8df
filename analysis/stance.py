"""Stance toward the proposal, learned from the positions participants declared.

Embeddings capture topic, not position, so stance is never guessed from similarity or tone: a
classifier is trained per consultation on its declared support and oppose positions, its
probabilities are calibrated inside the folds, and it answers only where cross-validation says
it holds the stated precision (ANALYSIS_STANCE_PRECISION, 0.90 by default); elsewhere it says
"unknown". Folds keep a campaign's copies together, and the figures reported are those of this
rule, measured by nested cross-validation. Mixed and neutral are never predicted (a comment that
is neither stays unknown unless its author said so), but they count against the rule when it
answers for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

STANCES = ("support", "oppose", "mixed", "neutral")
SIDES = ("oppose", "support")  # the classifier's classes, in sklearn's sorted order
MIN_PER_SIDE = 5
MIN_TRAINING = 20
TARGET_PRECISION = 0.90
MIN_ANSWERED = 5  # a threshold is trusted only if the validation answered this many
C = 0.005  # strong regularisation: the features are 2,688 standardised layer means
FOLDS = 5
EVALUATION_LIMIT = 2_000  # declared comments used to measure the rule (a seeded sample beyond)
CONTRADICTION = 0.85
SEED = 11
THRESHOLDS = np.round(np.arange(0.50, 1.0, 0.01), 2)


@dataclass
class StanceResult:
    stance: list[str]
    source: list[str]  # declared, predicted, unknown
    score: list[float | None]
    contradiction: list[bool]
    metrics: dict[str, Any] = field(default_factory=dict)
    probabilities: dict[int, dict[str, float]] = field(default_factory=dict)  # undeclared rows
    extra: list[str] = field(default_factory=list)  # the rule's answer for each extra text


def _classifier() -> Pipeline:
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    )


def _folds(labels: np.ndarray, groups: np.ndarray, seed: int) -> list[tuple[np.ndarray, ...]]:
    """Folds balanced by side that never split a group (mixed and neutral go with oppose)."""
    strata = np.where(labels == "support", "support", "oppose")
    splits = min(FOLDS, *Counter(strata).values(), len(set(groups.tolist())))
    if splits < 2 or len(set(strata)) < 2:
        return []
    splitter = StratifiedGroupKFold(n_splits=splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), strata, groups))


@dataclass
class SelectiveRule:
    """A calibrated support/oppose classifier and the confidence at which it answers."""

    classifier: Pipeline
    calibration: LogisticRegression
    threshold: float | None  # None: it never answers
    validation: dict[str, Any]

    def support_probability(self, features: np.ndarray) -> np.ndarray:
        margin = self.classifier.decision_function(features)
        return self.calibration.predict_proba(margin[:, None])[:, 1]

    def decide(self, features: np.ndarray) -> tuple[list[str], np.ndarray]:
        probability = self.support_probability(features)
        confidence = np.maximum(probability, 1 - probability)
        side = np.where(probability >= 0.5, "support", "oppose")
        answers = [
            str(s) if self.threshold is not None and c >= self.threshold else "unknown"
            for s, c in zip(side, confidence, strict=True)
        ]
        return answers, probability


def _choose_threshold(
    side: np.ndarray, confidence: np.ndarray, truth: np.ndarray, target: float
) -> float | None:
    """The lowest confidence that keeps the validated precision at the target (most answers)."""
    for threshold in THRESHOLDS:
        answered = confidence >= threshold
        if answered.sum() < MIN_ANSWERED:
            return None
        if (side[answered] == truth[answered]).mean() >= target:
            return float(threshold)
    return None


def fit_rule(
    features: np.ndarray, labels: np.ndarray, groups: np.ndarray, target: float, seed: int = SEED
) -> SelectiveRule | None:
    """Fit the selective rule on declared comments: calibrate and choose the threshold by CV."""
    sides = np.isin(labels, SIDES)
    if min((labels[sides] == s).sum() for s in SIDES) < MIN_PER_SIDE:
        return None
    folds = _folds(labels, groups, seed)
    if not folds:
        return None
    margin = np.zeros(len(labels))
    for train, test in folds:
        learn = train[sides[train]]
        if len(set(labels[learn])) < 2:
            return None
        margin[test] = (
            _classifier().fit(features[learn], labels[learn]).decision_function(features[test])
        )
    calibration = LogisticRegression(C=1.0).fit(margin[sides][:, None], labels[sides] == "support")
    probability = calibration.predict_proba(margin[:, None])[:, 1]
    confidence = np.maximum(probability, 1 - probability)
    side = np.where(probability >= 0.5, "support", "oppose")
    threshold = _choose_threshold(side, confidence, labels, target)
    classifier = _classifier().fit(features[sides], labels[sides])
    return SelectiveRule(
        classifier,
        calibration,
        threshold,
        {"probability": probability, "labels": labels},
    )


def evaluate_rule(
    features: np.ndarray, labels: np.ndarray, groups: np.ndarray, target: float
) -> dict[str, Any]:
    """Measure the deployed rule by nested cross-validation: outer folds never tune anything."""
    rng = np.random.default_rng(SEED)
    rows = np.arange(len(labels))
    if len(rows) > EVALUATION_LIMIT:
        chosen_groups = set(rng.permutation(np.unique(groups))[: EVALUATION_LIMIT // 2].tolist())
        rows = np.array([i for i in rows if groups[i] in chosen_groups][:EVALUATION_LIMIT])
    predicted = np.full(len(rows), "unknown", dtype=object)
    folds = _folds(labels[rows], groups[rows], SEED + 1)
    for train, test in folds:
        rule = fit_rule(
            features[rows[train]], labels[rows[train]], groups[rows[train]], target, SEED + 2
        )
        if rule is not None:
            predicted[test] = rule.decide(features[rows[test]])[0]
    truth = labels[rows]
    confusion = {
        t: {p: int(((truth == t) & (predicted == p)).sum()) for p in (*STANCES, "unknown")}
        for t in STANCES
        if (truth == t).any()
    }
    sides = np.isin(truth, SIDES)
    answered = predicted != "unknown"
    return {
        "target_precision": target,
        "evaluated": len(rows),
        "folds": len(folds),
        "answered": int(answered.sum()),
        "coverage": round(float(answered[sides].mean()), 4) if sides.any() else 0.0,
        "accuracy_when_answering": round(float((predicted[answered] == truth[answered]).mean()), 4)
        if answered.any()
        else None,
        "confusion": confusion,
    }


def classify_stance(
    features: np.ndarray,
    declared: Sequence[str | None],
    groups: Sequence[int] | None = None,
    target_precision: float = TARGET_PRECISION,
    extra: np.ndarray | None = None,
) -> StanceResult:
    """Keep declared positions, predict the rest where the rule is sure, flag contradictions.

    features: one row per comment (the encoder's layer means); groups: comments that must share
    a fold (a campaign's copies), by default each comment its own group; extra: features of
    other texts (what senders added to a form letter) to answer for with the same rule.
    """
    n = len(declared)
    group_of = np.asarray(groups if groups is not None else np.arange(n))
    result = StanceResult(["unknown"] * n, ["unknown"] * n, [None] * n, [False] * n)
    result.extra = ["unknown"] * (0 if extra is None else len(extra))
    labelled = np.array([i for i, d in enumerate(declared) if d in STANCES], dtype=int)
    for i in labelled:
        result.stance[i], result.source[i], result.score[i] = str(declared[i]), "declared", 1.0
    labels = np.array([str(declared[i]) for i in labelled])
    counts = Counter(labels.tolist())
    result.metrics = {
        "declared": len(labelled),
        "training_examples": int(sum(counts[s] for s in SIDES)),
        "classes": ",".join(s for s in SIDES if counts[s] >= MIN_PER_SIDE),
        "target_precision": target_precision,
    }
    if sum(counts[s] for s in SIDES) < MIN_TRAINING or any(counts[s] < MIN_PER_SIDE for s in SIDES):
        result.metrics["status"] = "too few declared positions to predict stance"
        return result
    rule = fit_rule(features[labelled], labels, group_of[labelled], target_precision)
    if rule is None:
        result.metrics["status"] = "too few declared positions to predict stance"
        return result
    deployed = evaluate_rule(features[labelled], labels, group_of[labelled], target_precision)
    deployed["threshold"] = rule.threshold
    deployed["grouped_copies"] = int(len(labelled) - len(set(group_of[labelled].tolist())))
    result.metrics["deployed"] = deployed
    validated = rule.validation["probability"]
    for row, index in enumerate(labelled):
        opposite = {"support": 1 - validated[row], "oppose": validated[row]}.get(labels[row])
        result.contradiction[index] = bool(opposite is not None and opposite >= CONTRADICTION)
    unlabelled = np.array([i for i in range(n) if declared[i] not in STANCES], dtype=int)
    if len(unlabelled):
        answers, probability = rule.decide(features[unlabelled])
        for row, index in enumerate(unlabelled):
            support = float(probability[row])
            result.probabilities[int(index)] = {"support": support, "oppose": 1 - support}
            if answers[row] != "unknown":
                result.stance[index], result.source[index] = answers[row], "predicted"
                result.score[index] = round(max(support, 1 - support), 4)
    if extra is not None and len(extra):
        result.extra = rule.decide(extra)[0]
    result.metrics["status"] = "ok" if rule.threshold is not None else "abstains"
    result.metrics["predicted"] = sum(1 for s in result.source if s == "predicted")
    result.metrics["unknown"] = sum(1 for s in result.source if s == "unknown")
    return result
