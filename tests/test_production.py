"""Production mode for real: gunicorn, the test database's engine, Redis, a separate job worker.

These start child processes, so they take seconds rather than milliseconds. On the PostgreSQL
run (`.ci/run`) they exercise gunicorn on PostgreSQL with Redis as on a district's server.
"""

from __future__ import annotations

import re
import signal
import time
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.serving import CSRF as CSRF_INPUT
from tests.serving import Browser, Gunicorn, JobWorker, app_env, demo_password, flask

pytestmark = pytest.mark.slow  # real processes: servers, browsers, Redis

SLUG = "reimagine-school-safety"
REDIS = "redis://127.0.0.1:6379"


def redis_or_skip(db: int) -> str:
    url = f"{REDIS}/{db}"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    return url


@pytest.fixture
def deployment(empty_database_url, tmp_path):
    """A migrated, seeded database and a production environment pointing at it."""
    env = app_env(empty_database_url, tmp_path / "instance")
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    engine = create_engine(empty_database_url, poolclass=NullPool)
    yield env, engine, tmp_path
    engine.dispose()


def comment_fields(text_: str) -> dict[str, str]:
    return {
        "text": text_,
        "author_name": "Load tester",
        "stakeholder_role": "parent",
        "declared_position": "support",
        "preferred_language": "en",
        "school_id": "",
        "section_id": "",
        "idempotency_key": "production-test-key-0001",
    }


def test_a_receipt_means_the_comment_survives_sigkill(deployment):
    env, engine, tmp_path = deployment
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1).start()  # limits in memory
    try:
        browser = Browser(server.url)
        page = browser.get(f"/consultations/{SLUG}")
        assert page.status_code == 200
        assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        cookie = page.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

        words = "Counselors first, and please keep this comment through a crash."
        response = browser.post_form(
            f"/consultations/{SLUG}", f"/consultations/{SLUG}/comments", comment_fields(words)
        )
        assert response.status_code == 303, response.text[:500]
        token = re.search(r"/receipts/([\w-]+)$", response.headers["Location"]).group(1)
        # The moment the receipt arrives, the server dies without any chance to clean up.
        server.kill(signal.SIGKILL)
    finally:
        server.kill()

    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT submitted_text FROM comment WHERE receipt_token = :t"), {"t": token}
        ).scalar_one()
    assert stored == words

    restarted = Gunicorn(env, tmp_path / "gunicorn.log", workers=1).start()
    try:
        receipt = Browser(restarted.url).get(f"/receipts/{token}")
        assert receipt.status_code == 200
        assert words in receipt.text
    finally:
        restarted.kill()


def test_an_analysis_started_over_http_runs_on_a_separate_worker_via_redis(deployment):
    env, engine, tmp_path = deployment
    env = {
        **env,
        "JOB_QUEUE_URL": redis_or_skip(12),
        "RATELIMIT_STORAGE_URI": redis_or_skip(11),
        "ANALYSIS_THREADS": "2",
    }
    server = Gunicorn(env, tmp_path / "gunicorn.log").start()
    worker = JobWorker(env, tmp_path / "worker.log").start()
    try:
        browser = Browser(server.url)
        email = "staff@demo.soundingboard.example"
        browser.login(email, demo_password(tmp_path / "instance", email))
        started = browser.post_form(f"/staff/analysis/{SLUG}", f"/staff/analysis/{SLUG}/run", {})
        assert started.status_code == 303
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                status = connection.execute(
                    text("SELECT status FROM analysis_run ORDER BY id DESC LIMIT 1")
                ).scalar_one()
            if status in ("done", "failed"):
                break
            time.sleep(1)
        assert status == "done", worker.output()
        page = browser.get(f"/staff/analysis/{SLUG}")
        assert page.status_code == 200
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT count(*) FROM analysis_run")).scalar_one()
            analysed = connection.execute(
                text("SELECT count(*) FROM comment_analysis")
            ).scalar_one()
        assert runs == 1
        assert analysed > 300
    finally:
        worker.kill(signal.SIGTERM)
        server.kill(signal.SIGTERM)


def test_chunked_bodies_over_the_limit_get_413_from_gunicorn(deployment):
    """The attack on issue 18: chunked POSTs of 1 MB and 4 MB came back cut short, not refused."""
    env, engine, tmp_path = deployment
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1).start()
    try:
        browser = Browser(server.url)
        token = CSRF_INPUT.search(browser.get(f"/consultations/{SLUG}").text).group(1)
        statuses = []
        for size in (1024 * 1024, 4 * 1024 * 1024):
            fields = {"csrf_token": token, **comment_fields("x" * size)}
            fields["idempotency_key"] = f"chunked-test-key-{size:010d}"
            body = urlencode(fields).encode()
            chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))  # no length
            response = browser.session.post(
                server.url + f"/consultations/{SLUG}/comments",
                data=chunks,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                allow_redirects=False,
                timeout=30,
            )
            statuses.append(response.status_code)
            assert "larger than this site accepts" in response.text
    finally:
        server.kill()
    assert statuses == [413, 413]
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM comment WHERE author_name = 'Load tester'")
        ).scalar_one()
    assert stored == 0


def test_several_workers_with_rate_limits_counted_in_memory_refuse_to_start(deployment):
    """Each process would count on its own, multiplying every limit by the number of workers."""
    env, _engine, tmp_path = deployment
    server = Gunicorn({**env, "RATELIMIT_STORAGE_URI": "memory://"}, tmp_path / "refused.log")
    with pytest.raises(AssertionError, match="gunicorn did not become healthy"):
        server.start()
    assert server.popen is not None and server.popen.returncode not in (None, 0)
    assert "RATELIMIT_STORAGE_URI is 'memory://' but 2 worker processes" in server.output()
