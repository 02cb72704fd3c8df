"""Possible threats go to the threat-assessment team at once, and again until acknowledged."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db, writing
from forum.exceptions import ForumError
from forum.mail import queue_email
from forum.models import Comment, CommentStatus, Role, User
from forum.sanitize import isolate_text
from forum.timeutil import now_utc
from moderation import audit
from moderation.models import Escalation

logger = logging.getLogger(__name__)


def _link(escalation: Escalation) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    try:
        path = url_for("threats.detail", escalation_id=escalation.id)
    except RuntimeError:  # outside a request, e.g. the sweep command
        path = f"/threats/{escalation.id}"
    return f"{base}{path}"


def threat_contacts() -> list[str]:
    """The configured threat-assessment contacts plus every threat_assessor account."""
    configured = [a.strip() for a in current_app.config["THREAT_ASSESSMENT_CONTACTS"] if a.strip()]
    accounts = db.session.scalars(select(User.email).where(User.role == Role.THREAT_ASSESSOR))
    return sorted(set(configured) | set(accounts))


def _notify(escalation: Escalation, reminder: bool) -> None:
    """Email the team, in the district's language (a team member may not have an account)."""
    comment = escalation.comment
    for recipient in threat_contacts():
        queue_email(
            recipient,
            "escalation",
            kind="escalation",
            escalation=escalation,
            comment=comment,
            author=isolate_text(comment.author_name),
            link=_link(escalation),
            reminder=reminder,
        )
    escalation.last_notified_at = now_utc()
    escalation.notify_count += 1


def open_escalation(
    comment: Comment, *, source: str, reason: str, actor: User | None
) -> Escalation:
    """Record the escalation, keep the comment off the public page, notify the team now."""
    existing = (
        db.session.scalar(
            select(Escalation).where(
                Escalation.comment_id == comment.id, Escalation.status != "closed"
            )
        )
        if comment.id
        else None
    )
    if existing is not None:
        return existing
    escalation = Escalation(
        comment=comment,
        source=source,
        reason=reason[:300],
        created_by_id=actor.id if actor else None,
    )
    db.session.add(escalation)
    db.session.flush()
    _notify(escalation, reminder=False)
    logger.warning(
        "escalated comment #%s of consultation %s (%s)",
        comment.number,
        comment.consultation_id,
        source,
    )
    return escalation


def hold_for_review(comment: Comment) -> str:
    """Take a published comment off the public page while it is assessed; return the old state."""
    previous = comment.status
    if comment.status == CommentStatus.PUBLISHED:
        comment.status = CommentStatus.PENDING
    return previous


def acknowledge(escalation: Escalation, actor: User, note: str | None) -> None:
    if escalation.status != "open":
        raise ForumError(_("This escalation is already acknowledged."))
    escalation.status, escalation.acknowledged_at, escalation.acknowledged_by_id = (
        "acknowledged",
        now_utc(),
        actor.id,
    )
    audit.record(
        actor,
        "acknowledge_escalation",
        target_type="escalation",
        target_id=escalation.id,
        note=note,
        previous_state="open",
        new_state="acknowledged",
    )


def close(escalation: Escalation, actor: User, note: str) -> None:
    if escalation.status == "closed":
        raise ForumError(_("This escalation is already closed."))
    if not note or not note.strip():
        raise ForumError(_("Write what was done before closing."), field="note")
    previous = escalation.status
    escalation.status, escalation.closed_at, escalation.closed_by_id = "closed", now_utc(), actor.id
    escalation.close_note = note.strip()
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by_id = escalation.closed_at, actor.id
    audit.record(
        actor,
        "close_escalation",
        target_type="escalation",
        target_id=escalation.id,
        note=note,
        previous_state=previous,
        new_state="closed",
    )


def record_disclosure(escalation: Escalation, actor: User) -> None:
    """Log that this person saw the escalation (a record of disclosure, as FERPA asks)."""
    audit.record(
        actor,
        "view_escalation",
        target_type="escalation",
        target_id=escalation.id,
        previous_state=escalation.status,
        new_state=escalation.status,
    )


def renotify_unacknowledged() -> int:
    """Notify again about escalations still open past the configured wait; return how many.

    The caller commits. Begun here, the transaction writes from the start (on SQLite it waits
    for the lock rather than failing later because a poster committed meanwhile).
    """
    wait = timedelta(minutes=current_app.config["ESCALATION_RENOTIFY_MINUTES"])
    with writing():
        due = db.session.scalars(
            select(Escalation).where(
                Escalation.status == "open", Escalation.last_notified_at <= now_utc() - wait
            )
        ).all()
    for escalation in due:
        _notify(escalation, reminder=True)
    db.session.flush()
    return len(due)
