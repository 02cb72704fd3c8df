"""Faults: the job queue's Redis goes away during a comment period and comes back."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from analysis import tasks
from analysis.models import AnalysisRun, CommentAnalysis
from extensions import db
from forum.models import Comment, CommentStatus
from tests import factories
from tests.conftest import PASSWORD
from tests.serving import RedisServer

pytestmark = pytest.mark.slow  # real processes: servers, browsers, Redis

SLUG = "reimagine-school-safety"


def _drain(queue) -> int:  # type: ignore[no-untyped-def]
    done = 0
    while (task := queue.dequeue()) is not None:
        queue.execute(task)
        done += 1
    return done


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_with_redis_stopped_posting_works_and_analysis_catches_up_once(app, app_factory, tmp_path):
    """`app` empties the tables afterwards; the app under test keeps its limits on this Redis."""
    redis_server = RedisServer(tmp_path / "redis.log").start()
    try:
        served = app_factory(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=redis_server.url,
            JOB_QUEUE_URL=redis_server.url,
        )
        queue = served.extensions["jobs"].huey
        with served.app_context():
            assert served.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
            staff = factories.UserFactory(role="staff")
            db.session.commit()
            staff_email = staff.email

        redis_server.kill()  # Redis (rate limits and the job queue) is gone

        with served.app_context():
            client = served.test_client()
            page = client.get(f"/consultations/{SLUG}")
            assert page.status_code == 200
            posted = client.post(
                f"/consultations/{SLUG}/comments",
                data={
                    "text": "Posted while the queue was down: more counselors, please.",
                    "author_name": "Dana",
                    "stakeholder_role": "parent",
                    "declared_position": "support",
                    "preferred_language": "en",
                    "idempotency_key": "redis-down-key-000001",
                },
            )
            assert posted.status_code == 303  # the comment is stored; nobody sees an error
        with served.app_context():
            client = served.test_client()
            client.post("/login", data={"email": staff_email, "password": PASSWORD})
            started = client.post(f"/staff/analysis/{SLUG}/run", follow_redirects=True)
            assert started.status_code == 200
            assert "the analysis will start when it is" in started.get_data(as_text=True)
            run = db.session.scalars(select(AnalysisRun)).one()
            assert run.status == "queued"
            run.created_at = run.created_at.replace(year=run.created_at.year - 1)
            db.session.commit()
            assert tasks.requeue_stale_runs() == 0  # still down: the run waits

        redis_server.start()  # Redis is back (empty: nothing was persisted)

        with served.app_context():
            # The every-minute sweep finds the waiting run; say it fires twice before a worker
            # gets to it, so the same run is on the queue twice.
            assert tasks.requeue_stale_runs() == 1
            assert tasks.requeue_stale_runs() == 1
            assert queue.pending_count() == 2
            assert _drain(queue) == 2
            db.session.expire_all()
            [run] = db.session.scalars(select(AnalysisRun)).all()
            assert run.status == "done"
            published = db.session.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.status == CommentStatus.PUBLISHED)
            )
            rows = db.session.scalars(
                select(CommentAnalysis.comment_id).where(CommentAnalysis.run_id == run.id)
            ).all()
            assert len(rows) == len(set(rows)) == published  # each comment analysed once
            late = db.session.scalar(
                select(Comment).where(Comment.idempotency_key.like("%redis-down-key-000001"))
            )
            assert late.id in rows  # the comment posted during the outage is in the analysis
            assert tasks.requeue_stale_runs() == 0
    finally:
        redis_server.kill()
