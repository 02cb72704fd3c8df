"""`flask packet build SLUG --format pdf|docx|html|csv -o FILE` and `flask packet publish SLUG`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from analysis.packet import services
from analysis.packet.build import PacketError
from analysis.packet.render import FORMATS, render
from analysis.packet.services import content_for_cli
from extensions import db
from forum.services.accounts import find_user_by_email
from forum.services.consultations import get_by_slug

packet_cli = AppGroup("packet", help="Board packets.")


@packet_cli.command("build")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def build_command(slug: str, fmt: str, output: Path) -> None:
    """Build the packet from the latest analysis, run the grounding checks, write the file."""
    consultation = get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {slug!r}.")
    try:
        content = content_for_cli(consultation)
    except PacketError as error:
        raise click.ClickException(str(error)) from error
    data = render(fmt, content, consultation)
    output.write_bytes(data)
    click.echo(
        f"Wrote {output} ({len(data):,} bytes); every quote and number checked against the database."
    )


@packet_cli.command("publish")
@click.argument("slug")
@click.option("--by", "email", required=True, help="The staff member publishing (email).")
@click.option("--packet", "packet_id", type=int, help="The draft to publish (default: the newest).")
def publish_command(slug: str, email: str, packet_id: int | None) -> None:
    """Check and publish a draft as the next version, as the staff page's button does."""
    consultation = get_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation with slug {slug!r}.")
    user = find_user_by_email(email)
    if user is None or not user.has_role("staff", "admin"):
        raise click.ClickException(f"{email} is not a staff account.")
    try:
        packet = services.publish(services.draft_to_publish(consultation, user, packet_id), user)
        db.session.commit()
    except PacketError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Published {slug} version {packet.version} (packet {packet.id}), "
        f"sha256 {packet.content_hash}; it is now public at /consultations/{slug}/what-we-heard."
    )


def register(app: Flask) -> None:
    app.cli.add_command(packet_cli)
