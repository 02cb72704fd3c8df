"""Training and evaluating the sentiment and offensive-language heads from the shared data."""

from __future__ import annotations

import csv
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score

from analysis.encoder import Encoder
from analysis.heads import HEADS_DIR, Head, TrainingSettings, file_hash, train_ensemble

logger = logging.getLogger(__name__)

SENTIMENT_LABELS = ["negative", "neutral", "positive"]
OFFENSIVE_LABELS = ["not_offensive", "offensive"]
SENTIMENT_SETTINGS = TrainingSettings(hidden=128, epochs=8)
OFFENSIVE_SETTINGS = TrainingSettings(hidden=128, epochs=8)
ENSEMBLE_MEMBERS = 5
SST2_EXAMPLES = 5_000
SST2_WEIGHT = 0.5
METRICS_FILE = HEADS_DIR / "metrics.json"


@dataclass
class Split:
    texts: list[str]
    labels: np.ndarray


def read_tweeteval(data_dir: Path, task: str, split: str) -> Split:
    folder = data_dir / "tweeteval" / task
    labels = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")[: len(labels)]
    return Split(texts, np.array([int(x) for x in labels]))


def read_sst2(data_dir: Path, count: int, seed: int = 0) -> Split:
    """A seeded sample of SST-2's whole sentences (six words or more), mapped to negative/positive."""
    with (data_dir / "sst2" / "train.tsv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t")][1:]
    rows = [r for r in rows if len(r) == 2 and len(r[1].split()) >= 6]
    random.Random(seed).shuffle(rows)
    rows = rows[:count]
    return Split([r[1] for r in rows], np.array([2 if r[0] == "1" else 0 for r in rows]))


def _features(encoder: Encoder, split: Split, progress: Callable[[str], None]) -> np.ndarray:
    progress(f"encoding {len(split.texts):,} texts")
    return encoder.encode(split.texts, batch_size=64).layers


def train_heads(
    encoder: Encoder, data_dir: Path, progress: Callable[[str], None]
) -> dict[str, float]:
    """Train both heads, save them beside this module, and return the validation figures."""
    sentiment = read_tweeteval(data_dir, "sentiment", "test")  # the train split is not shipped
    sst2 = read_sst2(data_dir, SST2_EXAMPLES)
    features = np.concatenate(
        [_features(encoder, sentiment, progress), _features(encoder, sst2, progress)]
    )
    targets = np.concatenate([sentiment.labels, sst2.labels])
    weights = np.concatenate(
        [np.ones(len(sentiment.labels)), np.full(len(sst2.labels), SST2_WEIGHT)]
    )
    progress("training the sentiment head")
    head = train_ensemble(
        "sentiment",
        SENTIMENT_LABELS,
        features,
        targets,
        SENTIMENT_SETTINGS,
        ENSEMBLE_MEMBERS,
        weights,
    )
    head.meta.update(
        encoder=encoder.name,
        training="TweetEval sentiment test + 5,000 SST-2 sentences (weight 0.5)",
    )
    HEADS_DIR.mkdir(exist_ok=True)
    head.save(HEADS_DIR / "sentiment.npz")

    offensive = read_tweeteval(data_dir, "offensive", "train")
    progress("training the offensive-language head")
    head = train_ensemble(
        "offensive",
        OFFENSIVE_LABELS,
        _features(encoder, offensive, progress),
        offensive.labels,
        OFFENSIVE_SETTINGS,
        ENSEMBLE_MEMBERS,
    )
    head.meta.update(encoder=encoder.name, training="TweetEval offensive train")
    head.save(HEADS_DIR / "offensive.npz")
    return evaluate_heads(encoder, data_dir, progress)


def evaluate_heads(
    encoder: Encoder, data_dir: Path, progress: Callable[[str], None]
) -> dict[str, float]:
    """Score the saved heads on the TweetEval files they were not trained on."""
    from analysis.core import TONE_WEIGHTS

    sentiment = Head.load(HEADS_DIR / "sentiment.npz")
    offensive = Head.load(HEADS_DIR / "offensive.npz")
    figures: dict[str, float] = {}
    weights = np.array([TONE_WEIGHTS.get(label, 1.0) for label in sentiment.labels])
    # Only `val`: the sentiment head trains on TweetEval's `test` split (`train` is not shipped).
    val = read_tweeteval(data_dir, "sentiment", "val")
    probabilities = sentiment.predict_proba(_features(encoder, val, progress))
    predicted = probabilities.argmax(axis=1)
    figures["sentiment_val_macro_recall"] = float(
        recall_score(val.labels, predicted, average="macro")
    )
    figures["sentiment_val_accuracy"] = float((predicted == val.labels).mean())
    # The rule deployed on comments: the head's probabilities times the public-comment weights.
    deployed = (probabilities * weights).argmax(axis=1)
    figures["sentiment_deployed_val_macro_f1"] = float(
        f1_score(val.labels, deployed, average="macro")
    )
    for split in ("val", "test"):
        data = read_tweeteval(data_dir, "offensive", split)
        predicted = offensive.predict_proba(_features(encoder, data, progress)).argmax(axis=1)
        figures[f"offensive_{split}_macro_f1"] = float(
            f1_score(data.labels, predicted, average="macro")
        )
    figures = {k: round(v, 4) for k, v in figures.items()}
    METRICS_FILE.write_text(
        json.dumps(
            {
                "figures": figures,
                "sentiment_sha256_16": file_hash(HEADS_DIR / "sentiment.npz"),
                "offensive_sha256_16": file_hash(HEADS_DIR / "offensive.npz"),
                "encoder": encoder.name,
            },
            indent=2,
        )
        + "\n"
    )
    return figures


def record_figures(figures: dict[str, float]) -> None:
    """Keep every figure `flask analysis evaluate` printed, so the card can be rewritten."""
    saved = json.loads(METRICS_FILE.read_text())
    saved["figures"] = {k: round(v, 4) for k, v in figures.items()}
    METRICS_FILE.write_text(json.dumps(saved, indent=2) + "\n")


def saved_metrics() -> dict[str, float]:
    if not METRICS_FILE.exists():
        return {}
    return json.loads(METRICS_FILE.read_text())["figures"]
