"""Site-wide behaviour: security headers, error pages, body limits and production settings."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

import config
from app import create_app
from extensions import db
from forum.models import Comment
from tests.conftest import dispose_engines
from tests.forum.test_comments import comment_form


def test_security_headers_on_html_pages(client, consultation):
    response = client.get(f"/consultations/{consultation.slug}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production, over HTTPS
    assert len(response.headers["X-Request-ID"]) >= 16


class _Scripts(HTMLParser):
    """Every <script> element: its attributes and whatever text it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append((dict(attrs), ""))
            self._inside = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)


@pytest.mark.parametrize("page", ["/", "/consultations/{slug}", "/login", "/register"])
def test_pages_have_no_inline_script(client, consultation, page):
    parser = _Scripts()
    parser.feed(client.get(page.format(slug=consultation.slug)).get_data(as_text=True))
    assert parser.found, "the page loads its script"
    for attrs, text in parser.found:
        assert (attrs.get("src") or "").startswith("/static/"), attrs  # our own file, no inline
        assert text.strip() == ""


def test_oversized_body_gets_413_and_stores_nothing(client, consultation):
    response = client.post(
        f"/consultations/{consultation.slug}/comments",
        data={"text": "x" * (300 * 1024), "stakeholder_role": "parent"},
    )
    assert response.status_code == 413
    assert b"larger than this site accepts" in response.data
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_unknown_page_gets_a_friendly_404(client, app):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is no page at this address." in response.data


def test_server_error_shows_an_error_id_and_no_traceback(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/broken", "broken", broken)
    with app.app_context():
        response = app.test_client().get("/broken", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert b"req-12345678" in response.data
    assert b"secret internal detail" not in response.data
    assert b"Traceback" not in response.data


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.ProductionConfig()


def test_production_settings(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost")
    production = config.ProductionConfig()
    production.SQLALCHEMY_DATABASE_URI = database_url
    app = create_app(production)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    with app.app_context():
        response = app.test_client().get("/does-not-exist")
    dispose_engines(app)
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_sqlite_runs_wal_with_full_sync(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_postgresql_commits_synchronously_even_where_the_database_default_is_off(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    name = db.engine.url.database
    with db.engine.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        connection.commit()
    try:
        db.engine.dispose()  # new connections read the new default
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    finally:
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" RESET synchronous_commit')
            connection.commit()
        db.engine.dispose()


def production_app(monkeypatch, database_url, **env: str):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    production = config.ProductionConfig()
    production.SQLALCHEMY_DATABASE_URI = database_url
    return create_app(production)


def test_production_refuses_a_forged_host_header(monkeypatch, database_url):
    app = production_app(monkeypatch, database_url, TRUSTED_HOSTS="board.example.org")
    with app.app_context():
        client = app.test_client()
        forged = client.get("/moderation", headers={"Host": "evil.example"})
        trusted = client.get("/moderation", headers={"Host": "board.example.org"})
    dispose_engines(app)
    assert forged.status_code == 400
    assert "evil.example" not in forged.headers.get("Location", "")
    assert trusted.status_code == 308
    assert trusted.headers["Location"] == "https://board.example.org/moderation/"


def test_production_needs_the_trusted_hosts_setting(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="TRUSTED_HOSTS"):
        config.ProductionConfig()


def test_production_trusts_the_host_of_the_public_base_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://comments.district.example/")
    assert config.ProductionConfig().TRUSTED_HOSTS == ["comments.district.example"]


def chunked_post(client, path: str, body: bytes):
    """Send a body as Transfer-Encoding: chunked does: no Content-Length, the server ends it."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("size", [1024 * 1024, 4 * 1024 * 1024])
def test_chunked_body_over_the_limit_gets_413_and_stores_nothing(client, consultation, size):
    body = urlencode(comment_form(text="x" * size)).encode()
    response = chunked_post(client, f"/consultations/{consultation.slug}/comments", body)
    assert response.status_code == 413
    assert b"larger than this site accepts" in response.data
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_chunked_body_within_the_limit_is_accepted(client, consultation):
    body = urlencode(comment_form(text="Sent in chunks.")).encode()
    response = chunked_post(client, f"/consultations/{consultation.slug}/comments", body)
    assert response.status_code == 303
    assert db.session.scalar(select(Comment.submitted_text)) == "Sent in chunks."
