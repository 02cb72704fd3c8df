"""Site-wide behaviour: security headers, error pages, body limits and production settings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import config
from app import create_app
from extensions import db
from forum.models import Comment
from tests.conftest import dispose_engines


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


def test_pages_have_no_inline_script(client, consultation):
    html = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "<script>" not in html
    assert '<script src="/static/js/site.js" defer></script>' in html


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


def test_postgresql_commits_synchronously(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
