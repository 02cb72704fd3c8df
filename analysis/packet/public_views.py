""" "What we heard": every published packet version, open to everyone; drafts never."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from sqlalchemy import select

from analysis.packet.models import Packet
from analysis.packet.render import render
from extensions import cache, db
from forum.models import Consultation
from forum.views.public import visible_consultation

bp = Blueprint("heard", __name__, url_prefix="/consultations")

# The public gets the printable formats; the CSV export stays a staff tool.
PUBLIC_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def published_versions(consultation: Consultation) -> list[Packet]:
    """The consultation's published packets, newest version first."""
    return list(
        db.session.scalars(
            select(Packet)
            .where(Packet.consultation_id == consultation.id, Packet.status == "published")
            .order_by(Packet.version.desc())
        )
    )


def latest_published(consultation: Consultation) -> Packet | None:
    """The newest published version, or None: what the consultation page links to."""
    return db.session.scalars(
        select(Packet)
        .where(Packet.consultation_id == consultation.id, Packet.status == "published")
        .order_by(Packet.version.desc())
        .limit(1)
    ).first()


def _version(consultation: Consultation, version: int) -> Packet:
    # A draft has no version number, so no public address can reach one.
    return db.one_or_404(
        select(Packet).where(
            Packet.consultation_id == consultation.id,
            Packet.status == "published",
            Packet.version == version,
        )
    )


def _page(consultation: Consultation, packet: Packet, *, is_latest: bool) -> str:
    return render_template(
        "analysis/what_we_heard.html",
        consultation=consultation,
        packet=packet,
        content=packet.content,
        versions=published_versions(consultation),
        is_latest=is_latest,
    )


@bp.route("/<slug>/what-we-heard")
def latest(slug: str):
    consultation = visible_consultation(slug)
    packet = latest_published(consultation)
    if packet is None:
        abort(404)
    return _page(consultation, packet, is_latest=True)


@bp.route("/<slug>/what-we-heard/v<int:version>")
def version(slug: str, version: int):
    consultation = visible_consultation(slug)
    packet = _version(consultation, version)
    newest = latest_published(consultation)
    return _page(consultation, packet, is_latest=newest is not None and newest.id == packet.id)


@bp.route("/<slug>/what-we-heard/v<int:version>/packet.<fmt>")
def download(slug: str, version: int, fmt: str):
    consultation = visible_consultation(slug)
    packet = _version(consultation, version)
    if fmt not in PUBLIC_FORMATS or packet.content is None:
        abort(404)
    name = f"{consultation.slug}-what-we-heard-v{packet.version}.{fmt}"
    # A published version never changes, so its file is drawn once and kept under its hash.
    key = f"heard:{packet.content_hash}:{fmt}"
    data = cache.get(key)
    if data is None:
        data = render(fmt, packet.content, consultation)
        cache.set(key, data, timeout=0)
    return Response(
        data,
        mimetype=PUBLIC_FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Hash": packet.content_hash or "",
        },
    )
