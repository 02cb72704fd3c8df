"""Command-line tools for staff: accounts, imported comments and the demo data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from extensions import db
from forum.exceptions import ForumError
from forum.models import Channel, Role
from forum.services import accounts, consultations
from forum.services.imports import ImportFailed, import_comments

users_cli = AppGroup("users", help="Manage accounts.")
comments_cli = AppGroup("comments", help="Manage comments.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PARTICIPANT.value)
@click.option("--display-name", default=None, help="Defaults to the part of the email before @.")
@click.password_option(help="Prompted for (twice) when not given; 12-64 characters.")
def create_user(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account, for example a staff member or administrator."""
    try:
        user = accounts.create_user(
            email, password, display_name or email.split("@", maxsplit=1)[0], role
        )
        db.session.commit()
    except ForumError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Created {user.email} with role {user.role}.")


@comments_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", required=True, help="The consultation's slug.")
@click.option(
    "--channel",
    type=click.Choice([c.value for c in Channel if c is not Channel.WEB]),
    default=Channel.EMAIL.value,
    show_default=True,
    help="Channel for rows that do not name one.",
)
def import_command(file: Path, slug: str, channel: str) -> None:
    """Import comments from a CSV or JSON Lines FILE; a bad row stops the import, storing nothing."""
    consultation = consultations.get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {slug!r}.")
    try:
        result = import_comments(
            consultation,
            file,
            default_channel=channel,
            max_chars=current_app.config["COMMENT_MAX_CHARS"],
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )
        db.session.commit()
    except ImportFailed as failure:
        db.session.rollback()
        for line, reason in failure.errors:
            where = f"line {line}" if line else file.name
            click.echo(f"{where}: {reason}", err=True)
        raise click.ClickException(failure.message) from failure
    numbers = [c.number for c in result.created]
    span = f" (#{min(numbers)}-#{max(numbers)})" if numbers else ""
    click.echo(f"Imported {len(numbers)} comment(s) into {slug}{span}.")
    if result.already_imported:
        click.echo(f"Skipped {result.already_imported} row(s) already imported from this file.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo district, its schools, the school-safety consultation and its comments."""
    from forum.seed import seed_demo

    summary = seed_demo()
    db.session.commit()
    click.echo(summary)


@click.command("db-backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup_command(target: Path) -> None:
    """Back up the live database to TARGET (SQLite backup API, or pg_dump on PostgreSQL)."""
    from forum.backup import BackupError, backup, row_counts

    try:
        backup(db.engine, target)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    counts = row_counts()
    click.echo(f"Backed up {sum(counts.values()):,} rows in {len(counts)} tables to {target}.")


@click.command("db-restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def db_restore_command(source: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in SOURCE."""
    from forum.backup import BackupError, restore, row_counts

    if not yes:
        click.confirm(f"Replace everything in the database with {source}?", abort=True)
    db.session.remove()
    try:
        restore(db.engine, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    counts = row_counts()
    click.echo(f"Restored {sum(counts.values()):,} rows in {len(counts)} tables from {source}.")


@click.command("sweep")
def sweep_command() -> None:
    """Do once what the worker does every minute (for cron where no worker runs)."""
    from jobs import queue

    queue.sweep()
    click.echo(f"Swept: {', '.join(work.__name__ for _order, work in queue.minute_work)}.")


def register(app: Flask) -> None:
    app.cli.add_command(sweep_command)
    app.cli.add_command(db_backup_command)
    app.cli.add_command(db_restore_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(comments_cli)
    app.cli.add_command(seed_demo_command)
