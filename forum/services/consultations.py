"""Creating and editing consultations, their sections, and reading their public threads."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from forum.exceptions import ForumError
from forum.models import (
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    District,
    Section,
)
from forum.sanitize import markdown_sections

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_SIZE = 50


@dataclass
class ConsultationFields:
    title: str
    slug: str
    summary: str
    body_markdown: str
    proposal: str
    meeting_date: date | None
    agenda_item: str | None
    opens_at: datetime
    closes_at: datetime
    status: str
    allow_guest_comments: bool
    moderation_mode: str


def home_district() -> District:
    """Return the district this deployment serves, creating it from settings on first use."""
    district = db.session.scalar(select(District).order_by(District.id).limit(1))
    if district is None:
        name = current_app.config["DISTRICT_NAME"]
        district = District(name=name, slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
        db.session.add(district)
        db.session.flush()
    return district


def _check_fields(fields: ConsultationFields, consultation: Consultation | None) -> None:
    if not SLUG_PATTERN.match(fields.slug):
        raise ForumError(_("Use lower-case letters, digits and hyphens only."), field="slug")
    taken = db.session.scalar(
        select(Consultation.id).where(
            Consultation.slug == fields.slug,
            Consultation.id != (consultation.id if consultation else -1),
        )
    )
    if taken:
        raise ForumError(_("Another consultation already uses this address."), field="slug")
    if fields.closes_at <= fields.opens_at:
        raise ForumError(_("The comment period must close after it opens."), field="closes_at")
    if fields.status not in ConsultationStatus.__members__.values():
        raise ForumError(_("Unknown status."), field="status")


def sync_sections(consultation: Consultation) -> None:
    """Match Section rows to the body's numbered headings; dropped ones are retired, not removed."""
    found = {s.number: s.title for s in markdown_sections(consultation.body_markdown)}
    existing = {s.number: s for s in consultation.sections}
    for number, title in found.items():
        section = existing.get(number)
        if section is None:
            consultation.sections.append(Section(number=number, title=title[:200]))
        else:
            section.title, section.retired = title[:200], False
    for number, section in existing.items():
        if number not in found:
            section.retired = True


def save_consultation(
    fields: ConsultationFields, consultation: Consultation | None = None
) -> Consultation:
    """Create a consultation or update one from staff's form; the caller commits."""
    _check_fields(fields, consultation)
    if consultation is None:
        consultation = Consultation(district_id=home_district().id)
        db.session.add(consultation)
    for name, value in vars(fields).items():
        setattr(consultation, name, value)
    sync_sections(consultation)
    db.session.flush()
    logger.info("saved consultation %s (%s)", consultation.slug, consultation.status)
    return consultation


def get_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def listed_consultations() -> list[Consultation]:
    """Consultations the public can see (not drafts), open ones first."""
    rows = db.session.scalars(
        select(Consultation)
        .where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.closes_at.desc())
    ).all()
    return sorted(rows, key=lambda c: c.period_state() != "open")


def public_thread(
    consultation: Consultation,
    *,
    section_id: int | None,
    page: int,
    newest_first: bool,
    role: str | None = None,
    position: str | None = None,
):  # -> flask_sqlalchemy.pagination.Pagination
    """Page through top-level comments shown publicly, with their replies loaded; optionally only
    those on one section, by one role or declaring one position."""
    reply = aliased(Comment)
    has_public_reply = exists().where(
        reply.parent_id == Comment.id, reply.status == CommentStatus.PUBLISHED
    )
    query = (
        select(Comment)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.parent_id.is_(None),
            # A withdrawn or hidden comment with public replies stays as a placeholder.
            (Comment.status == CommentStatus.PUBLISHED) | has_public_reply,
        )
        .options(selectinload(Comment.replies), selectinload(Comment.school))
        .order_by(Comment.number.desc() if newest_first else Comment.number)
    )
    if section_id is not None:
        query = query.where(Comment.section_id == section_id)
    if role is not None:
        query = query.where(Comment.stakeholder_role == role)
    if position is not None:
        query = query.where(Comment.declared_position == position)
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def public_counts(consultation: Consultation) -> dict[int | None, int]:
    """Count published comments per section (None for the whole plan)."""
    rows = db.session.execute(
        select(Comment.section_id, func.count())
        .where(
            Comment.consultation_id == consultation.id,
            Comment.status == CommentStatus.PUBLISHED,
        )
        .group_by(Comment.section_id)
    ).all()
    return {section_id: count for section_id, count in rows}
