"""What the public may see of a comment: the one function the pages, the API and downloads use.

A comment reaches the public only through `public_comment`, which returns None for anything
not published (pending, hidden, withdrawn) and otherwise only the public fields: the text with
redactions applied, never the original; no email, account or address; no school for students.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from forum.models import Comment, CommentStatus, StakeholderRole

# Codes that say "we cannot tell the language": the detector's "und", the form's "other".
_UNKNOWN_LANGUAGES = ("und", "other")


@dataclass(frozen=True)
class PublicComment:
    """A published comment as anyone may read it."""

    number: int
    consultation_slug: str
    # Shown on the pages beside the text; left out of the open data (see forum/api/schemas.py).
    author_name: str
    stakeholder_role: str
    school: str | None
    section_number: int | None
    section_title: str | None
    parent_number: int | None
    declared_position: str | None
    text: str
    redacted: bool
    language: str | None
    channel: str
    received_at: datetime

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def section_label(self) -> str | None:
        return (
            None if self.section_number is None else f"{self.section_number}. {self.section_title}"
        )


def text_language(comment: Comment) -> str | None:
    """The language the text is in: as detected once known, else as the author said."""
    detected = comment.detected_language
    if detected is not None and detected not in _UNKNOWN_LANGUAGES:
        return detected
    stated = comment.preferred_language
    return None if stated in _UNKNOWN_LANGUAGES else stated


def text_language_column() -> ColumnElement[str | None]:
    """`text_language` as SQL, for filtering by language in the database."""
    detected, stated = Comment.detected_language, Comment.preferred_language
    return case(
        (and_(detected.is_not(None), detected.not_in(_UNKNOWN_LANGUAGES)), detected),
        (stated.in_(_UNKNOWN_LANGUAGES), None),
        else_=stated,
    )


def public_comment(comment: Comment) -> PublicComment | None:
    """The public view of a comment, or None when the public may not see it at all."""
    if comment.status != CommentStatus.PUBLISHED:
        return None
    # A student's school, beside their role, could identify a child: never shown.
    school = comment.school if comment.stakeholder_role != StakeholderRole.STUDENT else None
    section = comment.section
    return PublicComment(
        number=comment.number,
        consultation_slug=comment.consultation.slug,
        author_name=comment.author_name,
        stakeholder_role=comment.stakeholder_role,
        school=school.name if school is not None else None,
        section_number=section.number if section else None,
        section_title=section.title if section else None,
        parent_number=comment.parent.number if comment.parent is not None else None,
        declared_position=comment.declared_position,
        text=comment.public_text,
        redacted=comment.redacted_text is not None,
        language=text_language(comment),
        channel=comment.channel,
        received_at=comment.received_at,
    )


def published_comments(consultation_id: int) -> Select[tuple[Comment]]:
    """Published comments of a consultation in number order, with what serialising them reads."""
    return (
        select(Comment)
        .where(
            and_(
                Comment.consultation_id == consultation_id,
                Comment.status == CommentStatus.PUBLISHED,
            )
        )
        .options(
            selectinload(Comment.section),
            selectinload(Comment.school),
            selectinload(Comment.parent),
            selectinload(Comment.consultation),
        )
        .order_by(Comment.number)
    )
