"""Analysis's background work: runs and packet builds, and re-enqueueing runs the queue missed."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from analysis.language import detect_new_comments
from analysis.models import AnalysisRun
from analysis.packet.services import build_draft
from analysis.pipeline import run_analysis
from extensions import db
from forum.timeutil import now_utc
from jobs import queue

logger = logging.getLogger(__name__)


@queue.task(retries=2, retry_delay=30)
def analyse_consultation(run_id: int) -> None:
    run_analysis(run_id)


@queue.task(retries=1, retry_delay=30)
def build_packet(packet_id: int) -> None:
    build_draft(packet_id)


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
    stale = db.session.scalars(
        select(AnalysisRun.id).where(
            AnalysisRun.status == "queued",
            AnalysisRun.created_at <= now_utc() - timedelta(minutes=2),
        )
    ).all()
    return sum(enqueue_analysis(run_id) for run_id in stale)


@queue.every_minute
def minute_work() -> None:
    """Retry runs the queue missed; detect the language of new comments."""
    requeue_stale_runs()
    detect_new_comments()
