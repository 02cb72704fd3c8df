"""Small classification heads on the shared encoder's layer features, run with numpy.

A head is standardisation and an ensemble of one-hidden-layer networks (tanh-approximated GELU)
whose softmax outputs are averaged. Weights are stored as float16 in an .npz next to this
module, so the committed files stay small and loading needs no torch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

HEADS_DIR = Path(__file__).resolve().parent / "heads"


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


@dataclass
class Head:
    name: str
    labels: list[str]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray  # (members, features, hidden)
    b1: np.ndarray  # (members, hidden)
    w2: np.ndarray  # (members, hidden, classes)
    b2: np.ndarray  # (members, classes)
    meta: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Average the members' class probabilities for each row of features."""
        x = (features.astype(np.float32) - self.mean) / self.scale
        total = np.zeros((len(x), len(self.labels)), dtype=np.float32)
        for w1, b1, w2, b2 in zip(self.w1, self.b1, self.w2, self.b2, strict=True):
            logits = _gelu(x @ w1 + b1) @ w2 + b2
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            total += exp / exp.sum(axis=1, keepdims=True)
        return total / len(self.w1)

    def save(self, path: Path) -> None:
        arrays = {k: getattr(self, k).astype(np.float16) for k in ("w1", "b1", "w2", "b2")}
        np.savez_compressed(
            path,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            labels=np.array(self.labels),
            meta=np.array(json.dumps(self.meta)),
            **arrays,
        )

    @classmethod
    def load(cls, path: Path) -> Head:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                name=path.stem,
                labels=[str(x) for x in data["labels"]],
                mean=data["mean"],
                scale=data["scale"],
                w1=data["w1"].astype(np.float32),
                b1=data["b1"].astype(np.float32),
                w2=data["w2"].astype(np.float32),
                b2=data["b2"].astype(np.float32),
                meta=json.loads(str(data["meta"])),
            )


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass
class TrainingSettings:
    hidden: int = 256
    epochs: int = 20
    learning_rate: float = 1e-3
    weight_decay: float = 0.1
    input_dropout: float = 0.2
    dropout: float = 0.5
    batch_size: int = 128
    seed: int = 13


def train_head(
    name: str,
    labels: list[str],
    features: np.ndarray,
    targets: np.ndarray,
    settings: TrainingSettings,
    sample_weight: np.ndarray | None = None,
) -> Head:
    """Fit a head with class-balanced cross-entropy for a fixed number of epochs (no peeking)."""
    import torch

    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = torch.tensor((features - mean) / scale, dtype=torch.float32)
    y = torch.tensor(targets, dtype=torch.long)
    weights = torch.tensor(
        sample_weight if sample_weight is not None else np.ones(len(targets)), dtype=torch.float32
    )
    counts = np.bincount(targets, minlength=len(labels)).astype(np.float32)
    class_weight = torch.tensor(
        len(targets) / (len(labels) * np.maximum(counts, 1)), dtype=torch.float32
    )
    model = torch.nn.Sequential(
        torch.nn.Dropout(settings.input_dropout),
        torch.nn.Linear(features.shape[1], settings.hidden),
        torch.nn.GELU(approximate="tanh"),
        torch.nn.Dropout(settings.dropout),
        torch.nn.Linear(settings.hidden, len(labels)),
    )
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weight, reduction="none")
    for _ in range(settings.epochs):
        model.train()
        order = torch.tensor(rng.permutation(len(y)))
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimiser.zero_grad()
            loss = (loss_fn(model(x[batch]), y[batch]) * weights[batch]).mean()
            loss.backward()
            optimiser.step()
    first, second = cast(torch.nn.Linear, model[1]), cast(torch.nn.Linear, model[4])
    return Head(
        name=name,
        labels=labels,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        w1=first.weight.detach().numpy().T[None].copy(),
        b1=first.bias.detach().numpy()[None].copy(),
        w2=second.weight.detach().numpy().T[None].copy(),
        b2=second.bias.detach().numpy()[None].copy(),
        meta={"settings": vars(settings)},
    )


def train_ensemble(
    name: str,
    labels: list[str],
    features: np.ndarray,
    targets: np.ndarray,
    settings: TrainingSettings,
    members: int,
    sample_weight: np.ndarray | None = None,
) -> Head:
    """Train `members` heads that differ only in their seed and average them."""
    heads = [
        train_head(
            name,
            labels,
            features,
            targets,
            TrainingSettings(**{**vars(settings), "seed": settings.seed + index}),
            sample_weight,
        )
        for index in range(members)
    ]
    first = heads[0]
    return Head(
        name=name,
        labels=labels,
        mean=first.mean,
        scale=first.scale,
        w1=np.concatenate([h.w1 for h in heads]),
        b1=np.concatenate([h.b1 for h in heads]),
        w2=np.concatenate([h.w2 for h in heads]),
        b2=np.concatenate([h.b2 for h in heads]),
        meta={"settings": vars(settings), "members": members},
    )
