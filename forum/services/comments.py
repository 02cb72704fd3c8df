"""Posting, numbering, withdrawing and listing public comments."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from extensions import db
from forum.choices import LANGUAGES
from forum.exceptions import CommentingClosed, ForumError, InvalidChoice, NotAllowed
from forum.models import (
    Channel,
    Comment,
    CommentStatus,
    Consultation,
    ModerationMode,
    Position,
    School,
    Section,
    StakeholderRole,
    User,
)
from forum.timeutil import now_utc

logger = logging.getLogger(__name__)


@dataclass
class CommentDraft:
    """What a person (or an import row) submits; plain values, validated by the service."""

    text: str
    stakeholder_role: str
    declared_position: str | None
    preferred_language: str = "en"
    school_id: int | None = None
    section_id: int | None = None
    parent_id: int | None = None
    author_name: str = ""
    channel: str = Channel.WEB
    received_at: object = None


# Screens run synchronously as a new comment is stored; each may hold it for review.
# The moderation package registers them on the app, so the forum never imports it.
Screen = Callable[[Comment], None]
SCREENS_KEY = "sounding_board.submission_screens"


def register_screen(app: Flask, screen: Screen) -> None:
    app.extensions.setdefault(SCREENS_KEY, []).append(screen)


def text_problem(text: str, max_chars: int) -> str | None:
    if not text or not text.strip():
        return "Write a comment before sending it."
    if len(text) > max_chars:
        return f"Comments can be at most {max_chars:,} characters; this one has {len(text):,}."
    return None


def _check_choices(consultation: Consultation, draft: CommentDraft) -> None:
    if draft.stakeholder_role not in StakeholderRole.__members__.values():
        raise InvalidChoice("Choose one of the listed roles.", field="stakeholder_role")
    if (
        draft.declared_position is not None
        and draft.declared_position not in Position.__members__.values()
    ):
        raise InvalidChoice("Choose one of the listed positions.", field="declared_position")
    if draft.preferred_language not in LANGUAGES:
        raise InvalidChoice("Choose one of the listed languages.", field="preferred_language")
    if draft.channel not in Channel.__members__.values():
        raise InvalidChoice("Unknown channel.", field="channel")
    if draft.school_id is not None:
        school = db.session.get(School, draft.school_id)
        if school is None or school.district_id != consultation.district_id:
            raise InvalidChoice("Choose a school from the list.", field="school_id")


def _resolve_thread(consultation: Consultation, draft: CommentDraft) -> None:
    """Check the section and parent belong here; a reply to a reply joins the first thread."""
    if draft.section_id is not None:
        section = db.session.get(Section, draft.section_id)
        if section is None or section.consultation_id != consultation.id or section.retired:
            raise InvalidChoice("That section is not part of this plan.", field="section_id")
    if draft.parent_id is not None:
        parent = db.session.get(Comment, draft.parent_id)
        if parent is None or parent.consultation_id != consultation.id or not parent.is_public:
            raise InvalidChoice("The comment you replied to is not available.", field="parent_id")
        if parent.parent_id is not None:
            draft.parent_id = parent.parent_id
            parent = parent.parent
        draft.section_id = parent.section_id  # type: ignore[union-attr]


def fingerprint(text: str) -> str:
    """Hash text with case and whitespace normalised, so retyped repeats match."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode()).hexdigest()


def next_comment_number(consultation_id: int) -> int:
    """Take the consultation's next public number atomically (a row lock on PostgreSQL)."""
    return db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id)
        .values(comment_counter=Consultation.comment_counter + 1)
        .returning(Consultation.comment_counter)
    ).scalar_one()


def find_by_idempotency_key(key: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.idempotency_key == key))


def create_comment(
    consultation: Consultation,
    draft: CommentDraft,
    *,
    author: User | None,
    idempotency_key: str | None,
    max_chars: int,
    enforce_period: bool = True,
) -> Comment:
    """Validate and store one comment with its public number; the caller commits."""
    if enforce_period and not consultation.accepts_comments():
        raise CommentingClosed("This consultation is not accepting comments.")
    if author is not None and author.is_blocked:
        raise NotAllowed("Your account cannot post comments at the moment.")
    if author is None and enforce_period and not consultation.allow_guest_comments:
        raise NotAllowed("Sign in to comment on this consultation.")
    problem = text_problem(draft.text, max_chars)
    if problem:
        raise ForumError(problem, field="text")
    _check_choices(consultation, draft)
    _resolve_thread(consultation, draft)

    name = author.display_name if author is not None else draft.author_name.strip()
    if not name:
        raise ForumError(_("Give a name to show with your comment."), field="author_name")
    comment = Comment(
        consultation_id=consultation.id,
        number=next_comment_number(consultation.id),
        section_id=draft.section_id,
        parent_id=draft.parent_id,
        author_id=author.id if author is not None else None,
        author_name=name,
        submitted_text=draft.text,
        stakeholder_role=draft.stakeholder_role,
        school_id=draft.school_id,
        declared_position=draft.declared_position,
        preferred_language=draft.preferred_language,
        channel=draft.channel,
        received_at=draft.received_at or now_utc(),
        idempotency_key=idempotency_key,
        text_fingerprint=fingerprint(draft.text),
        status=(
            CommentStatus.PENDING
            if consultation.moderation_mode == ModerationMode.PRE
            else CommentStatus.PUBLISHED
        ),
    )
    with db.session.no_autoflush:  # screens compare with stored comments, not with this one
        for screen in current_app.extensions.get(SCREENS_KEY, []):
            screen(comment)
    db.session.add(comment)
    db.session.flush()
    logger.debug(
        "stored comment #%s on consultation %s (%s)",
        comment.number,
        consultation.id,
        comment.status,
    )
    return comment


def can_withdraw(comment: Comment, user: User | None, receipt_token: str | None) -> bool:
    if user is not None and user.is_authenticated and comment.author_id == user.id:
        return True
    return receipt_token is not None and receipt_token == comment.receipt_token


def withdraw_comment(comment: Comment, user: User | None, receipt_token: str | None = None) -> None:
    """Take the author's comment off the public page; the record and its text stay."""
    if not can_withdraw(comment, user, receipt_token):
        raise NotAllowed("Only the author can withdraw this comment.")
    if comment.status == CommentStatus.WITHDRAWN:
        return
    if comment.status == CommentStatus.HIDDEN:
        raise ForumError(_("A moderator has already taken this comment off the public page."))
    comment.status = CommentStatus.WITHDRAWN
    comment.withdrawn_at = now_utc()
    db.session.flush()
    logger.info("comment %s withdrawn by its author", comment.id)
