"""Stance on fictional sets: 80% of comments declare a position, predict the other 20%.

The figures that describe real public comment come from analysis/realeval.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from analysis.encoder import Encoder
from analysis.stance import classify_stance
from forum.seed import demo_comment

LABELLED_SEED = 99
LABELLED_SIZE = 400
# 100 comments written for this evaluation, independent of the demo generator's phrases.
WRITTEN_SET = Path(__file__).resolve().parent / "eval" / "stance_labelled.jsonl"


def written_set() -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in WRITTEN_SET.read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows], [r["stance"] for r in rows]


def labelled_demo_set(
    size: int = LABELLED_SIZE, seed: int = LABELLED_SEED
) -> tuple[list[str], list[str]]:
    """Fictional comments with the position each argues (a different seed from the demo's)."""
    rng = random.Random(seed)
    made = [demo_comment(rng) for _ in range(size)]
    return [m.text for m in made], [str(m.stance) for m in made]


def evaluate_stance(encoder: Encoder) -> dict[str, float]:
    figures: dict[str, float] = {}
    for name, (texts, stances) in (("written", written_set()), ("demo", labelled_demo_set())):
        figures |= {
            f"stance_{name}_{k}": v for k, v in hold_out_stance(encoder, texts, stances).items()
        }
    return figures


def hold_out_stance(encoder: Encoder, texts: list[str], stances: list[str]) -> dict[str, float]:
    """5 folds: each time 80% keep their position, the other 20% are predicted and scored.

    support_oppose_accuracy: of the hidden support and oppose comments, how many the classifier
    puts on the right side (the issue's measure); the other figures count its abstentions.
    """
    features = encoder.encode(texts).layers
    labels = np.array(stances)
    correct = covered = total = forced = 0
    for _, hidden in StratifiedKFold(n_splits=5, shuffle=True, random_state=1).split(texts, labels):
        declared: list[str | None] = list(stances)
        for index in hidden:
            declared[index] = None
        result = classify_stance(features, declared)
        for index in hidden:
            if labels[index] not in ("support", "oppose"):
                continue
            total += 1
            odds = result.probabilities.get(index, {})
            forced += (
                max(("support", "oppose"), key=lambda label: odds.get(label, 0.0)) == labels[index]
            )
            if result.source[index] == "predicted":
                covered += 1
                correct += result.stance[index] == labels[index]
    return {
        "support_oppose_accuracy": round(forced / total, 4),
        "support_oppose_accuracy_unknown_as_wrong": round(correct / total, 4),
        "coverage": round(covered / total, 4),
        "accuracy_when_predicted": round(correct / max(covered, 1), 4),
    }
