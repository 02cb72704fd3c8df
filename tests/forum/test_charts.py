"""Charts are drawn without pyplot's shared state: threads get the same files as one at a time."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask_babel import force_locale

from forum.charts import bar_chart, positions_chart

STANCES = ["support", "oppose", "mixed", "neutral", "unknown"]


def _rows(seed: int) -> list[dict]:
    roles = ["Parent or guardian", "Student", "Teacher", "Community member"][: 1 + seed % 4]
    return [
        {"label": role, "counts": {s: (seed * 7 + i * 3 + j) % 11 for j, s in enumerate(STANCES)}}
        for i, role in enumerate(roles)
    ]


def _render(seed: int) -> tuple[str, str, str]:
    """A bar chart (drawn afresh, not from the cache) and a positions chart for this seed."""
    labels = tuple(f"Option {n} for question {seed}, long enough to wrap" for n in range(3))
    values = tuple(float((seed + n) % 5) for n in range(3))
    bars = bar_chart.__wrapped__(labels, values, "Respondents")
    svg, alt = positions_chart(_rows(seed), STANCES)
    return bars, svg, alt


@pytest.mark.slow
def test_charts_drawn_in_many_threads_at_once_match_charts_drawn_one_at_a_time():
    seeds = list(range(16))
    one_at_a_time = [_render(seed) for seed in seeds]
    start = threading.Barrier(8)

    def together(seed: int) -> tuple[str, str, str]:
        if seed < 8:
            start.wait(timeout=30)  # the first eight begin drawing at the same moment
        return _render(seed)

    with ThreadPoolExecutor(max_workers=8) as pool:
        at_once = list(pool.map(together, seeds))
    assert at_once == one_at_a_time
    assert len({bars for bars, _, _ in one_at_a_time}) == len(seeds)  # each chart its own file


def test_the_same_numbers_give_the_same_file():
    first, second = _render(3), _render(3)
    assert first == second
    assert "<dc:date>" not in first[0] and "<dc:date>" not in first[1]


def test_positions_chart_alt_text_gives_every_number():
    _, _, alt = _render(1)
    assert alt == (
        "Comments by stakeholder role and position. "
        "Parent or guardian: 7 support, 8 oppose, 9 mixed, 10 neutral, 0 unknown; "
        "Student: 10 support, 0 oppose, 1 mixed, 2 neutral, 3 unknown."
    )


def test_positions_chart_speaks_the_readers_language(app):
    with app.app_context(), force_locale("es"):
        svg, alt = positions_chart(_rows(0), STANCES)
    texts = re.findall(r"<!-- (.*?) -->", svg)  # matplotlib notes each text it draws as paths
    assert {"Comentarios", "A favor", "En contra"} <= set(texts)
    assert "Support" not in texts and "Comments" not in texts
    assert "a favor" in alt and "en contra" in alt


@pytest.mark.slow
def test_drawing_never_loads_pyplot():
    # pyplot keeps the current figure in process-wide state that gunicorn's threads would share.
    code = (
        "import sys; from forum.charts import bar_chart, positions_chart; "
        "bar_chart(('a', 'b'), (1.0, 2.0), 'n'); "
        "positions_chart([{'label': 'x', 'counts': {'support': 1}}], ['support']); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    completed = subprocess.run(  # noqa: S603 - this Python, our own code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert completed.stdout == "False\n"
