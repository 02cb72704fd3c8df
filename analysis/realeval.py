"""Figures on real public comment, measured through the `classify` contract itself.

The labelled set (121 real comments on police in schools, with stance, tone and themes coded
against a 13-theme codebook) is read from the shared data folder at evaluation time and never
copied here. It is split once, by a fixed seed, into a development half (where every setting in
analysis/themes.py and analysis/stance.py was chosen) and a test half (reported). Within the
half, comments are split into five folds that keep near-duplicates together; each fold is
classified while the other comments carry their declared position (and, for the "coded" figure,
their staff-coded themes). For the test half, the development half also carries its labels.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from analysis.campaigns import find_campaigns
from analysis.core import TONE_WEIGHTS, fold_groups

POSITIONS = {
    "support_reduction": "support",
    "oppose_reduction": "oppose",
    "mixed": "mixed",
    "neutral": "neutral",
}
SPLIT_SEED = 2026
DEV_SIZE = 61
FOLDS = 5
FOLD_SEED = 1


def read_set(data_dir: Path) -> tuple[list[dict], dict[str, str]]:
    folder = data_dir / "public_comment"
    rows = [
        json.loads(line)
        for line in (folder / "comments.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    codebook = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    return rows, codebook


def split(rows: list[dict]) -> tuple[list[int], list[int]]:
    """(development, test) row indexes: a fixed, seeded halving."""
    order = list(range(len(rows)))
    random.Random(SPLIT_SEED).shuffle(order)
    return sorted(order[:DEV_SIZE]), sorted(order[DEV_SIZE:])


def _groups(texts: list[str]) -> list[int]:
    """Fold groups as the pipeline makes them: near-duplicates and identical texts together."""
    member_of = {m: str(n) for n, g in enumerate(find_campaigns(texts)) for m in g.members}
    return fold_groups(texts, member_of)


def _micro_f1(truth: list[set[str]], predicted: list[set[str]]) -> float:
    hits = sum(len(t & p) for t, p in zip(truth, predicted, strict=True))
    wrong = sum(len(p - t) for t, p in zip(truth, predicted, strict=True))
    missed = sum(len(t - p) for t, p in zip(truth, predicted, strict=True))
    return 2 * hits / max(1, 2 * hits + wrong + missed)


def _unweighted(scores: dict[str, float]) -> str:
    return max(scores, key=lambda label: scores[label] / TONE_WEIGHTS.get(label, 1.0))


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    labels = ["negative", "neutral", "positive"]
    return round(float(f1_score(truth, predicted, average="macro", labels=labels)), 4)


def _write(path: Path, rows: list[dict], given: set[int], coded: bool) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index, row in enumerate(rows):
            line: dict[str, Any] = {"id": row["id"], "text": row["text"]}
            line["role"] = row["speaker_role"]
            if index in given:
                line["position"] = POSITIONS[row["stance"]]
                if coded:
                    line["topics"] = row["topics"]
            out.write(json.dumps(line) + "\n")


def evaluate(
    data_dir: Path,
    which: str,
    classify: Callable[[Path, Path, Path], None],
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Figures for one half ('dev' or 'test'); classify(input, output, codebook) runs the contract."""
    rows, codebook = read_set(data_dir)
    dev, test = split(rows)
    scored = dev if which == "dev" else test
    background = set() if which == "dev" else set(dev)
    texts = [rows[i]["text"] for i in scored]
    stances = np.array([POSITIONS[rows[i]["stance"]] for i in scored])
    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=FOLD_SEED)
    strata = np.where(stances == "oppose", "oppose", "other")  # mixed and neutral are too few
    predictions: dict[str, dict[str, dict]] = {"codebook": {}, "coded": {}}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "codebook.json").write_text(json.dumps(codebook), encoding="utf-8")
        for number, (train, held) in enumerate(folds.split(texts, strata, _groups(texts)), start=1):
            given = background | {scored[i] for i in train}
            for mode, predicted in predictions.items():
                _write(work / "in.jsonl", rows, given, coded=mode == "coded")
                classify(work / "in.jsonl", work / "out.jsonl", work / "codebook.json")
                output = {
                    (line := json.loads(text))["id"]: line
                    for text in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()
                }
                for i in held:
                    predicted[rows[scored[i]]["id"]] = output[rows[scored[i]]["id"]]
            progress(f"fold {number} of {FOLDS} classified")
    return _figures(rows, scored, predictions, which, len(background))


def _figures(
    rows: list[dict],
    scored: list[int],
    predictions: dict[str, dict[str, dict]],
    which: str,
    background: int,
) -> dict[str, Any]:
    plain = predictions["codebook"]
    sides = [i for i in scored if POSITIONS[rows[i]["stance"]] in ("support", "oppose")]
    answered = [i for i in sides if plain[rows[i]["id"]]["stance_source"] == "predicted"]
    right = [i for i in answered if plain[rows[i]["id"]]["stance"] == POSITIONS[rows[i]["stance"]]]
    any_answered = [i for i in scored if plain[rows[i]["id"]]["stance_source"] == "predicted"]
    any_right = [
        i for i in any_answered if plain[rows[i]["id"]]["stance"] == POSITIONS[rows[i]["stance"]]
    ]
    tone = [i for i in scored if plain[rows[i]["id"]]["sentiment"] is not None]
    truth_tone = [rows[i]["sentiment"] for i in tone]
    # The head alone, before the tone weights: the output's scores divided by the weights.
    unweighted = [_unweighted(plain[rows[i]["id"]]["sentiment_scores"]) for i in tone]
    additions = sum(1 for i in scored if plain[rows[i]["id"]].get("campaign_addition"))
    truth = [set(rows[i]["topics"]) for i in scored]
    return {
        "split": which,
        "comments_scored": len(scored),
        "labelled_background": background,
        "folds": FOLDS,
        "stance_support_oppose_comments": len(sides),
        "stance_coverage": round(len(answered) / max(1, len(sides)), 4),
        "stance_precision": round(len(right) / len(answered), 4) if answered else None,
        "stance_precision_all_answered": round(len(any_right) / len(any_answered), 4)
        if any_answered
        else None,
        "tone_macro_f1": _macro_f1(truth_tone, [plain[rows[i]["id"]]["sentiment"] for i in tone]),
        "tone_macro_f1_without_weights": _macro_f1(truth_tone, unweighted),
        "tone_positive_comments": truth_tone.count("positive"),
        "themes_micro_f1_codebook_only": round(
            _micro_f1(truth, [set(plain[rows[i]["id"]]["topics"]) for i in scored]), 4
        ),
        "themes_micro_f1_coded": round(
            _micro_f1(truth, [set(predictions["coded"][rows[i]["id"]]["topics"]) for i in scored]),
            4,
        ),
        "campaign_additions": additions,
    }
