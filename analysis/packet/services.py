"""Drafting, editing, checking and publishing packets."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from analysis.models import AnalysisRun
from analysis.packet.build import (
    PacketError,
    Period,
    build_content,
    content_hash,
    covered_by,
    default_period,
)
from analysis.packet.grounding import check_packet
from analysis.packet.models import Packet
from analysis.pipeline import latest_run
from extensions import db
from forum.models import Consultation, User
from forum.signals import packet_published
from forum.timeutil import now_utc
from moderation import audit

logger = logging.getLogger(__name__)


def period_of(packet: Packet) -> Period:
    default = default_period(packet.consultation)
    return Period(
        packet.period_start or default.start,
        packet.period_end or default.end,
        closes_at=default.closes_at,
    )


def create_draft(
    consultation: Consultation,
    user: User,
    *,
    start: date | None,
    end: date | None,
    prepared_by: str,
) -> Packet:
    if start and end and end < start:
        raise PacketError(_("The period must end on or after its start."))
    packet = Packet(
        consultation_id=consultation.id,
        period_start=start,
        period_end=end,
        prepared_by=prepared_by.strip() or user.display_name,
        created_by_id=user.id,
        edits={},
    )
    db.session.add(packet)
    db.session.flush()
    return packet


def _rebuild(packet: Packet, version: int | None = None) -> dict[str, Any]:
    """Build the content from the packet's analysis run and edits, then run every check."""
    run = (
        db.session.get(AnalysisRun, packet.run_id)
        if packet.run_id
        else latest_run(packet.consultation_id, finished=True)
    )
    if run is None:
        raise PacketError(
            _("There is no finished analysis of this consultation yet; run the analysis first.")
        )
    packet.run_id = run.id
    period = covered_by(period_of(packet), run)
    content = build_content(
        packet.consultation,
        run,
        period,
        prepared_by=packet.prepared_by,
        edits=packet.edits or {},
        version=version,
    )
    check_packet(content, packet.consultation, period, packet.edits or {})
    return content


def build_draft(packet_id: int) -> Packet:
    """The background job: build and check a draft, recording progress or the failure."""
    packet = db.session.get_one(Packet, packet_id)
    packet.progress, packet.message = 10, "building"
    db.session.commit()
    try:
        packet.content = _rebuild(packet)
    except PacketError as error:
        db.session.rollback()
        packet = db.session.get_one(Packet, packet_id)
        packet.status, packet.message, packet.progress = "failed", str(error)[:1000], 100
        db.session.commit()
        return packet
    packet.status, packet.progress, packet.message = "draft", 100, "ready for review"
    db.session.commit()
    return packet


def _edit_summary(edits: dict[str, Any], themes: dict[str, Any], data: dict[str, Any]) -> None:
    paragraphs = [
        p.strip()
        for p in str(data.get("summary", "")).replace("\r\n", "\n").split("\n\n")
        if p.strip()
    ]
    if not paragraphs:
        raise PacketError(_("The summary cannot be empty."))
    edits["summary"] = paragraphs


def _edit_quote(edits: dict[str, Any], themes: dict[str, Any], data: dict[str, Any]) -> None:
    theme = themes.get(str(data.get("theme")))
    if theme is None:
        raise PacketError(_("Unknown theme."))
    numbers = [q["number"] for q in theme["quotes"]]
    old = int(data.get("number", 0))
    if old not in numbers:
        raise PacketError(_("#%(number)s is not quoted under this theme.", number=old))
    if data.get("kind") == "drop_quote":
        numbers.remove(old)
    else:
        new = int(data.get("replacement", 0))
        if new not in theme["candidates"] or new in numbers:
            raise PacketError(
                _("#%(number)s is not another comment that raises this theme.", number=new)
            )
        numbers[numbers.index(old)] = new
    edits.setdefault("quotes", {})[theme["key"]] = numbers


def _rename_theme(edits: dict[str, Any], themes: dict[str, Any], data: dict[str, Any]) -> None:
    label = str(data.get("label", "")).strip()
    if str(data.get("theme")) not in themes or not label:
        raise PacketError(_("Choose a theme and give it a name."))
    edits.setdefault("renames", {})[str(data["theme"])] = label[:120]


def _merge_theme(edits: dict[str, Any], themes: dict[str, Any], data: dict[str, Any]) -> None:
    source, target = str(data.get("theme")), str(data.get("into"))
    if source not in themes or target not in themes or source == target:
        raise PacketError(_("Choose two different themes to merge."))
    edits.setdefault("merges", {})[source] = target
    edits.get("quotes", {}).pop(source, None)


EDITS = {
    "summary": _edit_summary,
    "drop_quote": _edit_quote,
    "swap_quote": _edit_quote,
    "rename_theme": _rename_theme,
    "merge_theme": _merge_theme,
}


def edit(packet: Packet, kind: str, data: dict[str, Any]) -> None:
    """Apply one staff edit to a draft and rebuild it; quotes can be dropped or swapped, never edited."""
    if packet.is_published:
        raise PacketError(_("A published packet is frozen; start a new draft to change it."))
    if kind not in EDITS:
        raise PacketError(_("Unknown edit."))
    edits = json.loads(json.dumps(packet.edits or {}))  # a copy, so a refused edit changes nothing
    themes = {t["key"]: t for t in (packet.content or {}).get("themes", [])}
    EDITS[kind](edits, themes, data | {"kind": kind})
    packet.edits = edits
    packet.content = _rebuild(packet)


def publish(packet: Packet, user: User) -> Packet:
    """Freeze the draft as the next numbered version, after the checks pass once more."""
    if packet.is_published:
        raise PacketError(_("This packet is already published."))
    if not user.has_role("staff", "admin"):
        raise PacketError(_("Only staff can publish a packet."))
    if packet.status != "draft":
        raise PacketError(_("Only a draft that was built and checked can be published."))
    latest = db.session.scalar(
        select(func.max(Packet.version)).where(Packet.consultation_id == packet.consultation_id)
    )
    version = (latest or 0) + 1
    content = _rebuild(packet, version=version)
    packet.content, packet.version, packet.content_hash = content, version, content_hash(content)
    packet.status, packet.published_at, packet.published_by_id = "published", now_utc(), user.id
    db.session.flush()
    # One audit row per publication, whether from the staff page or `flask packet publish`.
    audit.record(
        user,
        "publish_packet",
        target_type="packet",
        target_id=packet.id,
        previous_state="draft",
        new_state=f"version {version}",
        note=f"{packet.consultation.slug} version {version}, sha256 {packet.content_hash}",
    )
    packet_published.send(current_app._get_current_object(), packet=packet)  # type: ignore[attr-defined]
    logger.info("published packet version %s of %s", version, packet.consultation.slug)
    return packet


def content_for_cli(consultation: Consultation) -> dict[str, Any]:
    """What `flask packet build` writes: the latest analysis, the whole period, no edits."""
    run = latest_run(consultation.id, finished=True)
    if run is None:
        raise PacketError(
            f"There is no finished analysis of {consultation.slug}; run `flask analysis run {consultation.slug}`."
        )
    period = covered_by(default_period(consultation), run)
    content = build_content(consultation, run, period, prepared_by="Board staff", edits={})
    check_packet(content, consultation, period, {})
    return content


def draft_to_publish(consultation: Consultation, user: User, packet_id: int | None) -> Packet:
    """The draft `flask packet publish` freezes: the one named, else the newest, else a new one."""
    query = select(Packet).where(Packet.consultation_id == consultation.id)
    if packet_id is not None:
        packet = db.session.scalar(query.where(Packet.id == packet_id))
        if packet is None:
            raise PacketError(f"No packet {packet_id} for {consultation.slug}.")
        return packet
    packet = db.session.scalars(
        query.where(Packet.status == "draft").order_by(Packet.id.desc()).limit(1)
    ).first()
    if packet is None:
        packet = create_draft(consultation, user, start=None, end=None, prepared_by="")
        packet.content = _rebuild(packet)
        packet.status, packet.progress, packet.message = (
            "draft",
            100,
            "built by flask packet publish",
        )
    return packet
