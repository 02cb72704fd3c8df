"""Background jobs on Huey: SQLite storage by default (no server), Redis when JOB_QUEUE_URL says so.

Start a worker with `make worker` (huey_consumer analysis.jobs.huey). Jobs take ids, build their
own app context, and are idempotent: a run is claimed once, so a repeated job does nothing.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import lru_cache

from flask import Flask, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from config import INSTANCE_DIR

logger = logging.getLogger(__name__)


def make_huey(url: str) -> RedisHuey | SqliteHuey:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("sounding-board", url=url)
    path = url.removeprefix("sqlite:///") if url else str(INSTANCE_DIR / "jobs.sqlite3")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return SqliteHuey("sounding-board", filename=path)


huey = make_huey(os.environ.get("JOB_QUEUE_URL", ""))


@lru_cache(maxsize=1)
def _worker_app() -> Flask:
    from app import create_app

    return create_app()


def _in_app(function, *args):
    if has_app_context():
        return function(*args)
    with _worker_app().app_context():
        return function(*args)


def analyse_consultation_function(run_id: int) -> None:
    from analysis.pipeline import run_analysis

    _in_app(run_analysis, run_id)


analyse_consultation = huey.task(retries=2, retry_delay=30)(analyse_consultation_function)


def build_packet_function(packet_id: int) -> None:
    from analysis.packet.services import build_draft

    _in_app(build_draft, packet_id)


build_packet = huey.task(retries=1, retry_delay=30)(build_packet_function)


def enqueue_analysis(run_id: int) -> bool:
    """Hand the run to the queue; False (and the run stays queued for the sweep) if it is down."""
    try:
        analyse_consultation(run_id)
    except Exception:
        logger.exception("could not enqueue analysis run %s; the sweep will retry", run_id)
        return False
    return True


def requeue_stale_runs() -> int:
    """Enqueue runs still waiting after two minutes (the queue was down, or a worker died)."""
    from sqlalchemy import select

    from analysis.models import AnalysisRun
    from extensions import db
    from forum.timeutil import now_utc

    stale = db.session.scalars(
        select(AnalysisRun.id).where(
            AnalysisRun.status == "queued",
            AnalysisRun.created_at <= now_utc() - timedelta(minutes=2),
        )
    ).all()
    return sum(enqueue_analysis(run_id) for run_id in stale)


@huey.periodic_task(crontab(minute="*"), retries=2, retry_delay=10)
def every_minute() -> None:
    """Re-notify unacknowledged escalations, deliver mail, retry missed runs, detect languages."""

    def sweep() -> None:
        from analysis.language import detect_new_comments
        from extensions import db
        from moderation.escalations import renotify_unacknowledged
        from moderation.notify import deliver_pending

        renotify_unacknowledged()
        db.session.commit()
        deliver_pending()
        requeue_stale_runs()
        detect_new_comments()

    _in_app(sweep)
