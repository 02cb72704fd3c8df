"""Moderation commands: the periodic sweep and a timing of the submission screen."""

from __future__ import annotations

import statistics
import time

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from forum.seed import demo_comment_texts
from moderation.escalations import renotify_unacknowledged
from moderation.notify import deliver_pending
from moderation.screening import screen_text

moderation_cli = AppGroup("moderation", help="Moderation housekeeping.")


@moderation_cli.command("sweep")
def sweep() -> None:
    """Re-notify unacknowledged escalations and deliver pending email (run every minute)."""
    reminded = renotify_unacknowledged()
    db.session.commit()
    delivered = deliver_pending()
    click.echo(f"Re-notified {reminded} escalation(s); delivered {delivered} email(s).")


@moderation_cli.command("bench-screening")
@click.option("--n", default=2000, show_default=True, help="How many texts to screen.")
def bench_screening(n: int) -> None:
    """Time the text screen on demo-like comments and print the per-comment latency."""
    texts = demo_comment_texts(n)
    timings = []
    for text in texts:
        start = time.perf_counter()
        screen_text(text)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    click.echo(
        f"screened {n} comments: median {statistics.median(timings):.3f} ms, "
        f"p95 {timings[int(0.95 * n) - 1]:.3f} ms, max {timings[-1]:.3f} ms"
    )


def register(app: Flask) -> None:
    app.cli.add_command(moderation_cli)
