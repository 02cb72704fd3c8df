"""Comment text is rendered by many server threads at once (gunicorn's gthread workers)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from forum.sanitize import render_comment

TEXTS = [
    f"Comment {n}: see https://example.org/plan/{n} and\n\nwrite to the board <b>now</b> & soon."
    for n in range(40)
]


def test_rendering_from_many_threads_gives_the_same_html_as_one_thread():
    expected = [str(render_comment(text)) for text in TEXTS]
    with ThreadPoolExecutor(max_workers=16) as pool:
        for _round in range(25):
            assert [str(html) for html in pool.map(render_comment, TEXTS)] == expected
