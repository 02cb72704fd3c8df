"""Shared fixtures: an app per test on an isolated database, HTTP and CLI clients, sign-in help.

The suite runs against SQLite by default and against PostgreSQL when TEST_DATABASE_URL names
one (as `.ci/run` does). Every test starts from empty tables.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Keep files the app writes (secret key, demo sign-ins) out of the checkout's instance/.
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="sounding-board-test-"))

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from extensions import db
from forum.i18n import TRANSLATIONS, compile_catalogues
from tests import factories

PASSWORD = "correct horse battery staple"


def pytest_sessionstart(session: pytest.Session) -> None:
    compile_catalogues(TRANSLATIONS)  # Flask-Babel reads the compiled .mo files


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tmp_root / 'test.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        try:
            engine = create_engine(url, poolclass=NullPool)  # closed on release, not pooled
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            engine.dispose()
        except Exception as error:
            pytest.skip(
                f"PostgreSQL at {url} is not reachable ({error.__class__.__name__}); "
                "skipping the PostgreSQL run",
                allow_module_level=True,
            )
    return url


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
    dispose_engines(app)


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def make_app(database_url: str, **overrides: object) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def dispose_engines(app: Flask) -> None:
    """Close pooled connections now rather than leaving them to the garbage collector."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app_factory(database_url: str, _schema: None) -> Iterator:
    """Build extra apps on the test database (for other settings); their pools are closed after."""
    made: list[Flask] = []

    def build(**overrides: object) -> Flask:
        made.append(make_app(database_url, **overrides))
        return made[-1]

    yield build
    for extra in made:
        dispose_engines(extra)


@pytest.fixture
def app_overrides() -> dict[str, object]:
    """Override in a test module to change settings for its app (e.g. switch CSRF on)."""
    return {}


@pytest.fixture
def app(database_url: str, _schema: None, app_overrides: dict[str, object]) -> Iterator[Flask]:
    app = make_app(database_url, **app_overrides)
    with app.app_context():
        factories.bind(db.session)
        yield app
        db.session.rollback()
        _empty_tables()
        db.session.remove()
    dispose_engines(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow: bool = False):
        return self.client.post(
            "/login", data={"email": email, "password": password}, follow_redirects=follow
        )

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def consultation(app: Flask):
    consultation = factories.ConsultationFactory()
    db.session.commit()
    return consultation


def user_with_role(role: str, email: str | None = None):
    user = factories.UserFactory(role=role, **({"email": email} if email else {}))
    db.session.commit()
    return user


@pytest.fixture
def participant(app: Flask):
    return user_with_role("participant")


@pytest.fixture
def staff(app: Flask):
    return user_with_role("staff")


CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@contextmanager
def new_database(database_url: str, directory: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the test database (dropped afterwards)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{directory / 'empty.sqlite3'}"
        return
    name = f"sb_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    with new_database(database_url, tmp_path) as url:
        yield url
