"""Published board packets (version, hash, links), listed through the open-data API (forum.api)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from marshmallow import Schema, fields
from sqlalchemy import select
from werkzeug.routing import BuildError

from analysis.packet.models import Packet
from analysis.packet.render import FORMATS
from extensions import db
from forum.api import ConsultationResource
from forum.models import Consultation

# The public "What we heard" page of a published version, and its public downloads
# (analysis/packet/public_views.py); while those endpoints are not registered, null and {}.
PUBLIC_PAGE_ENDPOINT = "heard.version"
PUBLIC_DOWNLOAD_ENDPOINT = "heard.download"


class PacketSchema(Schema):
    version = fields.Integer(required=True, metadata={"description": "Published version number, from 1."})  # fmt: skip
    content_hash = fields.String(required=True, metadata={"description": "SHA-256 of the packet's frozen content: the same hash, the same packet."})  # fmt: skip
    published_at = fields.AwareDateTime(required=True, format="iso")
    period_start = fields.Date(required=True, allow_none=True, metadata={"description": "First day of comments it covers."})  # fmt: skip
    period_end = fields.Date(required=True, allow_none=True, metadata={"description": "Last day of comments it covers."})  # fmt: skip
    public_url = fields.String(required=True, allow_none=True, metadata={"description": "Its public \u201cWhat we heard\u201d page; null until the district publishes one.", "format": "uri"})  # fmt: skip
    public_downloads = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"description": "Its public files by format."})  # fmt: skip
    staff_downloads = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata={"description": "Its files by format (pdf, docx, html, csv); these need a staff sign-in."})  # fmt: skip


class PacketListSchema(Schema):
    items = fields.List(fields.Nested(PacketSchema), required=True, metadata={"description": "Published versions, newest first."})  # fmt: skip


def _public_link(endpoint: str, packet: Packet, **values: str) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(
            endpoint,
            slug=packet.consultation.slug,
            version=packet.version,
            _external=True,
            **values,
        )
    except BuildError:
        return None


def public_downloads(packet: Packet) -> dict[str, str]:
    try:
        from analysis.packet.public_views import PUBLIC_FORMATS
    except ImportError:
        return {}
    links = {fmt: _public_link(PUBLIC_DOWNLOAD_ENDPOINT, packet, fmt=fmt) for fmt in PUBLIC_FORMATS}
    return {fmt: link for fmt, link in links.items() if link is not None}


def published_packets(consultation: Consultation) -> dict[str, Any]:
    packets = db.session.scalars(
        select(Packet)
        .where(Packet.consultation_id == consultation.id, Packet.status == "published")
        .order_by(Packet.version.desc())
    )
    return {
        "items": [
            {
                "version": packet.version,
                "content_hash": packet.content_hash,
                "published_at": packet.published_at,
                "period_start": packet.period_start,
                "period_end": packet.period_end,
                "public_url": _public_link(PUBLIC_PAGE_ENDPOINT, packet),
                "public_downloads": public_downloads(packet),
                "staff_downloads": {
                    fmt: url_for("packets.download", packet_id=packet.id, fmt=fmt, _external=True)
                    for fmt in FORMATS
                },
            }
            for packet in packets
        ]
    }


PUBLISHED_PACKETS = ConsultationResource(
    name="packets",
    schema=PacketListSchema,
    load=published_packets,
    summary="Published board packets: version, content hash and links.",
    tags=("packets",),
)
