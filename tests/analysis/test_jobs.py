"""Analysis jobs go through a real queue: Huey on SQLite by default, on Redis in production."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import select

import jobs
from analysis import tasks
from analysis.models import AnalysisRun
from analysis.pipeline import queue_run
from extensions import db

pytestmark = pytest.mark.slow  # the real encoder and models


def _drain(queue) -> int:  # type: ignore[no-untyped-def]
    """Do what a worker does: take each pending task and execute it."""
    done = 0
    while (task := queue.dequeue()) is not None:
        queue.execute(task)
        done += 1
    return done


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_queued_run_is_done_by_a_worker_once(app, demo, backend, tmp_path):
    if backend == "redis":
        url = "redis://127.0.0.1:6379/15"
        try:
            redis.Redis.from_url(url).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    else:
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    queue = jobs.make_huey(url, app.instance_path)
    queue.flush()
    jobs.queue.bind(queue)  # as the factory does for JOB_QUEUE_URL=url
    run = queue_run(demo)
    db.session.commit()
    assert tasks.enqueue_analysis(run.id)
    assert tasks.enqueue_analysis(run.id)  # enqueued twice (a retry, a second worker)...
    assert queue.pending_count() == 2
    assert db.session.get(AnalysisRun, run.id).status == "queued"  # nothing ran in the request
    assert _drain(queue) == 2
    db.session.expire_all()
    runs = db.session.scalars(select(AnalysisRun)).all()
    assert [(r.id, r.status) for r in runs] == [(run.id, "done")]  # ...and done once
    queue.flush()


def test_when_the_queue_is_down_the_run_waits_and_the_sweep_retries(app, demo, monkeypatch):
    class Down:
        def __call__(self, run_id: int) -> None:
            raise redis.exceptions.ConnectionError("queue is down")

    working = tasks.analyse_consultation
    monkeypatch.setattr(tasks, "analyse_consultation", Down())
    run = queue_run(demo)
    db.session.commit()
    assert tasks.enqueue_analysis(run.id) is False
    assert db.session.get(AnalysisRun, run.id).status == "queued"
    monkeypatch.setattr(tasks, "analyse_consultation", working)  # the queue is back
    run.created_at = run.created_at.replace(year=run.created_at.year - 1)
    db.session.commit()
    assert tasks.requeue_stale_runs() == 1
    db.session.expire_all()
    assert db.session.get(AnalysisRun, run.id).status == "done"
