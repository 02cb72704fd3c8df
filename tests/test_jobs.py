"""The job queue is the one the configuration names; the worker builds its app from the factory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

import jobs
from app import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_the_queue_is_the_one_job_queue_url_names(database_url, tmp_path):
    path = tmp_path / "queue.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "JOB_QUEUE_URL": f"sqlite:///{path}"}
    )
    queue = app.extensions["jobs"].huey
    assert isinstance(queue, SqliteHuey) and queue.storage.filename == str(path)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "JOB_QUEUE_URL": "redis://127.0.0.1:6379/14"}
    )
    assert isinstance(app.extensions["jobs"].huey, RedisHuey)
    assert "analysis.tasks.analyse_consultation" in app.extensions["jobs"].tasks


@pytest.mark.slow
def test_the_worker_reads_the_same_configuration_as_the_site(tmp_path):
    path = tmp_path / "worker-queue.sqlite3"
    env = {
        **os.environ,
        "JOB_QUEUE_URL": f"sqlite:///{path}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path),
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import worker; print(type(worker.huey).__name__, worker.huey.storage.filename)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert shown.stdout.split() == ["SqliteHuey", str(path)]


def test_one_failing_step_of_the_sweep_does_not_stop_the_others(app, monkeypatch):
    done: list[str] = []

    def broken() -> None:
        raise RuntimeError("this step is broken")

    monkeypatch.setattr(
        jobs.queue,
        "minute_work",
        [(0, broken), (0, lambda: done.append("later step"))],
    )
    with pytest.raises(RuntimeError, match="this step is broken"):  # so Huey retries the sweep
        jobs.queue.sweep()
    assert done == ["later step"]
