"""Online backup and restore with each database's own tools (SQLite backup API, pg_dump)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from extensions import db


class BackupError(RuntimeError):
    pass


def _pg_url(engine: Engine) -> str:
    """A libpq URL (no +psycopg driver suffix) for pg_dump and pg_restore."""
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return found


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the live database to `target` while the site keeps running."""
    if engine.dialect.name == "sqlite":
        source = engine.raw_connection()
        try:
            with sqlite3.connect(target) as destination:
                cast(sqlite3.Connection, source.driver_connection).backup(destination)
        finally:
            source.close()
        return
    if engine.dialect.name == "postgresql":
        subprocess.run(  # noqa: S603 - fixed tool, no shell, the configured database URL
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={target}",
                _pg_url(engine),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return
    raise BackupError(f"backups of {engine.dialect.name} databases are not supported")


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup in `source`."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as backup_db:
            live = engine.raw_connection()
            try:
                backup_db.backup(cast(sqlite3.Connection, live.driver_connection))
            finally:
                live.close()
        return
    if engine.dialect.name == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed tool, no shell, the configured database URL
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_url(engine)}",
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
        return
    raise BackupError(f"restoring {engine.dialect.name} databases is not supported")


def row_counts() -> dict[str, int]:
    """Rows in every table the application defines (what a restore must reproduce)."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }
