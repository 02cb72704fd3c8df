"""A busy SQLite database: a person who posts gets a receipt or a clear "try again", never a 500.

Another connection holds SQLite's write lock, as a job worker or a burst of posters does under
load, and the app's busy timeout is short so that the tests do not wait ten seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from extensions import db
from forum.models import Comment, OutboxEmail
from tests.forum.test_comments import comment_form


@pytest.fixture
def database_file(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    return make_url(database_url).database or ""


@pytest.fixture
def busy_app(app, app_factory):
    return app_factory(SQLITE_BUSY_TIMEOUT_MS=200, PROPAGATE_EXCEPTIONS=False)


class WriteLock:
    """Another process's write transaction on the same database file."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(
            path, isolation_level=None, timeout=5, check_same_thread=False
        )
        self.held = False

    def take(self) -> None:
        if self.held:
            return
        self.connection.execute("BEGIN IMMEDIATE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.connection.execute("ROLLBACK")
            self.held = False

    def close(self) -> None:
        self.release()
        self.connection.close()


@pytest.fixture
def write_lock(database_file: str) -> Iterator[WriteLock]:
    lock = WriteLock(database_file)
    yield lock
    lock.close()


@contextmanager
def after_every_commit(callback) -> Iterator[None]:
    event.listen(Session, "after_commit", callback)
    try:
        yield
    finally:
        event.remove(Session, "after_commit", callback)


def comment_count() -> int:
    db.session.rollback()  # read afresh, not this test's snapshot
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def test_a_writer_arriving_just_after_the_commit_does_not_cost_the_receipt(
    busy_app, consultation, write_lock
):
    client = busy_app.test_client()
    url = f"/consultations/{consultation.slug}/comments"
    with busy_app.app_context(), after_every_commit(lambda session: write_lock.take()):
        response = client.post(url, data=comment_form(text="Stored, then someone else writes."))
    write_lock.release()
    assert response.status_code == 303
    assert "/receipts/" in response.headers["Location"]
    assert comment_count() == 1


def test_a_post_that_cannot_get_the_lock_is_told_to_try_again_with_its_text_kept(
    busy_app, consultation, write_lock
):
    client = busy_app.test_client()
    url = f"/consultations/{consultation.slug}/comments"
    form = comment_form(text="Typed during the rush.", idempotency_key="busy-key-" + "b" * 24)
    write_lock.take()
    with busy_app.app_context():
        response = client.post(url, data=form)
    write_lock.release()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "Typed during the rush." in html
    assert "was not saved" in html
    assert 'value="busy-key-' in html  # the same form key: sending again cannot store it twice
    assert comment_count() == 0
    with busy_app.app_context():
        again = client.post(url, data=form)
    assert again.status_code == 303
    assert comment_count() == 1


def test_other_forms_get_a_clear_try_again_page_when_the_database_is_busy(
    busy_app, participant, write_lock
):
    client = busy_app.test_client()
    write_lock.take()
    with busy_app.app_context():
        response = client.post(
            "/login", data={"email": participant.email, "password": "whatever it is"}
        )
    write_lock.release()
    assert response.status_code == 503
    assert b"busy" in response.data and b"try again" in response.data
    assert b"error id" not in response.data


def test_the_every_minute_sweep_retries_when_the_database_is_busy(busy_app, write_lock):
    with busy_app.app_context():
        db.session.add(OutboxEmail(recipient="a@example.org", subject="s", body="b", kind="test"))
        db.session.commit()
        write_lock.take()
        threading.Timer(0.6, write_lock.release).start()  # the other writer finishes
        result = busy_app.test_cli_runner().invoke(args=["moderation", "sweep"])
        assert result.exit_code == 0, result.output
        assert "delivered 1 email" in result.output
        db.session.remove()
