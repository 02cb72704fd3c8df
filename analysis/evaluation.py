"""Stance measured as the issue asks: 80% of comments declare a position, predict the other 20%."""

from __future__ import annotations

import random

import numpy as np
from sklearn.model_selection import StratifiedKFold

from analysis.encoder import Encoder
from analysis.stance import classify_stance
from forum.seed import demo_comment

LABELLED_SEED = 99
LABELLED_SIZE = 400


def labelled_demo_set(
    size: int = LABELLED_SIZE, seed: int = LABELLED_SEED
) -> tuple[list[str], list[str]]:
    """Fictional comments with the position each argues (a different seed from the demo's)."""
    rng = random.Random(seed)
    made = [demo_comment(rng) for _ in range(size)]
    return [m.text for m in made], [str(m.stance) for m in made]


def evaluate_stance(encoder: Encoder) -> dict[str, float]:
    texts, stances = labelled_demo_set()
    embeddings = encoder.encode(texts).sentence
    labels = np.array(stances)
    correct = covered = total = 0
    for _, hidden in StratifiedKFold(n_splits=5, shuffle=True, random_state=1).split(texts, labels):
        declared = list(stances)
        for index in hidden:
            declared[index] = None
        result = classify_stance(texts, embeddings, declared)
        for index in hidden:
            if labels[index] not in ("support", "oppose"):
                continue
            total += 1
            if result.source[index] == "predicted":
                covered += 1
                correct += result.stance[index] == labels[index]
    return {
        "stance_demo_support_oppose_accuracy": round(correct / total, 4),
        "stance_demo_coverage": round(covered / total, 4),
        "stance_demo_accuracy_when_predicted": round(correct / max(covered, 1), 4),
    }
