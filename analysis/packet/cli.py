"""`flask packet build SLUG --format pdf|docx|html|csv -o FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from analysis.packet.build import PacketError
from analysis.packet.render import FORMATS, render
from analysis.packet.services import content_for_cli
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


def register(app: Flask) -> None:
    app.cli.add_command(packet_cli)
