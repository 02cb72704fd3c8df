"""Unbound extension objects, bound to the app in create_app."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

from flask import has_request_context, request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Stable constraint names, so migrations can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def render_migration_type(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC timestamp type into migrations as the plain column type it stores."""
    from forum.models.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


db = SQLAlchemy(model_class=Base)
# The models' base class: db.Model at run time, spelled so that mypy can follow it.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
# Batch mode lets migrations alter tables on SQLite, which has no ALTER COLUMN.
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
# Rendered fragments of public pages, keyed by what they show (see forum/cache.py).
cache = Cache()


def configure_postgresql(engine: Engine) -> None:
    """A receipt means the comment is on disk: commit synchronously on every connection, whatever
    the server's or database's default (a DBA may turn it off for speed elsewhere)."""

    @event.listens_for(engine, "connect")
    def set_durability(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")
        dbapi_connection.commit()


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Make SQLite durable (WAL, synchronous=FULL) and patient (busy timeout) on every connection."""

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Any) -> None:
        # A request that writes takes the write lock at BEGIN and waits its turn (busy timeout),
        # rather than failing later when its read snapshot cannot be upgraded; reads stay shared.
        # Once it has committed (or found the database busy) it only reads: what it reads next
        # (a receipt's token, the page that says "try again") never waits for the lock.
        writes = _writing.get() or (
            has_request_context()
            and request.method not in {"GET", "HEAD", "OPTIONS"}
            and not request.environ.get(READS_ONLY)
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    @event.listens_for(engine, "commit")
    def committed(connection: Any) -> None:
        if has_request_context():
            request.environ[READS_ONLY] = request.environ[COMMITTED] = True


# Set on a request's WSGI environ once its writing is over (see configure_sqlite), and once it
# has committed something.
READS_ONLY = "sounding_board.reads_only"
COMMITTED = "sounding_board.committed"
# True while retry_when_busy runs a unit of work that writes: on SQLite its transactions take
# the write lock at BEGIN and wait their turn, instead of reading first and then failing to
# write because a poster committed meanwhile (which retrying would only repeat under load).
_writing: ContextVar[bool] = ContextVar("writing", default=False)

# PostgreSQL's codes for "try again": lock not available, deadlock, serialization failure.
_POSTGRESQL_BUSY = {"55P03", "40P01", "40001"}


def database_busy(error: BaseException) -> bool:
    """Whether a database error means "busy, try again" (SQLite's lock, a PostgreSQL deadlock)."""
    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _POSTGRESQL_BUSY:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


@contextmanager
def writing() -> Iterator[None]:
    """On SQLite, a transaction that begins inside takes the write lock at BEGIN; it keeps it,
    after the block too, until it commits or rolls back. Keep such transactions short."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def retry_when_busy(work: Callable[[], T], *, attempts: int = 4, delay_s: float = 0.5) -> T:
    """Run a unit of work that commits; when the database is busy, roll back and run it again."""
    for attempt in range(1, attempts + 1):
        try:
            with writing():
                return work()
        except OperationalError as error:
            db.session.rollback()
            if not database_busy(error) or attempt == attempts:
                raise
            logger.warning("database busy (attempt %s of %s); retrying", attempt, attempts)
            time.sleep(delay_s * attempt)
    raise AssertionError("unreachable")
