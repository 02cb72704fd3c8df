"""Moderation commands: the periodic sweep and a timing of the submission screen."""

from __future__ import annotations

import statistics
import time

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from forum.mail.delivery import deliver_pending
from forum.models import Comment
from forum.seed import demo_comment_texts
from forum.services.comments import fingerprint
from forum.services.consultations import get_by_slug
from moderation.screen_hook import duplicate_findings, school_names
from moderation.screening import screen_text
from moderation.tasks import remind_threat_team

moderation_cli = AppGroup("moderation", help="Moderation housekeeping.")


@moderation_cli.command("sweep")
def sweep() -> None:
    """Re-notify unacknowledged escalations and deliver pending email (run every minute)."""
    reminded = remind_threat_team()  # both steps retry while the database is busy
    delivered = deliver_pending()
    click.echo(f"Re-notified {reminded} escalation(s); delivered {delivered} email(s).")


@moderation_cli.command("bench-screening")
@click.option("--n", default=2000, show_default=True, help="How many texts to screen.")
@click.option("--consultation", "slug", default="reimagine-school-safety", show_default=True)
def bench_screening(n: int, slug: str) -> None:
    """Time the whole submission screen (patterns and duplicate search) against a consultation."""
    consultation = get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation {slug!r}; run `flask seed-demo` first.")
    texts = demo_comment_texts(n, seed=7)
    timings = []
    for index, text in enumerate(texts):
        probe = Comment(
            consultation_id=consultation.id,
            submitted_text=text,
            author_name=f"bench {index}",
            text_fingerprint=fingerprint(text),
        )
        start = time.perf_counter()
        screen_text(text, school_names(consultation.id))
        duplicate_findings(probe)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    db.session.rollback()
    click.echo(
        f"screened {n} comments against {slug}: median {statistics.median(timings):.3f} ms, "
        f"p95 {timings[int(0.95 * n) - 1]:.3f} ms, max {timings[-1]:.3f} ms"
    )


def register(app: Flask) -> None:
    app.cli.add_command(moderation_cli)
