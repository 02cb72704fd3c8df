"""Moderation actions. Each changes state and writes exactly one audit row in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from forum.exceptions import ForumError
from forum.mail import queue_email
from forum.models import Comment, CommentStatus, User
from forum.notifications.links import unsubscribe_url
from forum.sanitize import apply_redactions
from forum.timeutil import now_utc
from moderation import audit
from moderation.escalations import hold_for_review, open_escalation
from moderation.models import Escalation, Flag, Redaction, ReviewReason
from moderation.rules import FLAG_REASONS, HIDE_REASONS, urgency

logger = logging.getLogger(__name__)


class ModerationError(ForumError):
    pass


def _clear_reasons(comment: Comment) -> int:
    reasons = db.session.scalars(
        select(ReviewReason).where(
            ReviewReason.comment_id == comment.id, ReviewReason.cleared_at.is_(None)
        )
    ).all()
    for reason in reasons:
        reason.cleared_at = now_utc()
    return len(reasons)


def _open_escalation_for(comment: Comment) -> Escalation | None:
    return db.session.scalar(
        select(Escalation).where(Escalation.comment_id == comment.id, Escalation.status != "closed")
    )


def _check_reason_code(reason_code: str | None) -> str:
    if reason_code not in HIDE_REASONS:
        raise ModerationError(
            _("“%(code)s” is not one of the published reason codes.", code=reason_code),
            field="reason_code",
        )
    return reason_code


def approve(comment: Comment, actor: User, note: str | None = None) -> None:
    """Publish a waiting comment (or confirm a published one) and clear its review reasons."""
    if comment.status not in (CommentStatus.PENDING, CommentStatus.PUBLISHED):
        raise ModerationError(
            _(
                "Comment #%(number)s is %(status)s; restore it instead.",
                number=comment.number,
                status=comment.status,
            )
        )
    if _open_escalation_for(comment) is not None:
        raise ModerationError(
            _("The threat-assessment team has not closed this comment's escalation yet.")
        )
    previous = comment.status
    comment.status = CommentStatus.PUBLISHED
    _clear_reasons(comment)
    audit.record(
        actor,
        "approve",
        target_type="comment",
        target_id=comment.id,
        note=note,
        previous_state=previous,
        new_state=comment.status,
    )


def hide(comment: Comment, actor: User, reason_code: str | None, note: str | None = None) -> None:
    """Take a comment off the public page for a published reason; tell its author why."""
    code = _check_reason_code(reason_code)
    if comment.status not in (CommentStatus.PENDING, CommentStatus.PUBLISHED):
        raise ModerationError(
            _(
                "Comment #%(number)s is already off the public page (%(status)s).",
                number=comment.number,
                status=comment.status,
            )
        )
    previous = comment.status
    comment.status, comment.hidden_reason = CommentStatus.HIDDEN, code
    _clear_reasons(comment)
    audit.record(
        actor,
        "hide",
        target_type="comment",
        target_id=comment.id,
        reason_code=code,
        note=note,
        previous_state=previous,
        new_state=comment.status,
    )
    author = comment.author
    if author is not None and author.closed_at is None and author.notify_moderation:
        _tell_author_hidden(comment, author, code)


def _tell_author_hidden(comment: Comment, author: User, code: str) -> None:
    queue_email(
        author.email,
        "hidden_notice",
        kind="hidden_notice",
        locale=author.preferred_locale,
        unsubscribe_url=unsubscribe_url("moderation", author.id),
        comment=comment,
        code=code,
        rule=HIDE_REASONS[code],
        contact=current_app.config["MODERATION_CONTACT_EMAIL"],
    )


def restore(comment: Comment, actor: User, note: str | None = None) -> None:
    if comment.status != CommentStatus.HIDDEN:
        raise ModerationError(_("Comment #%(number)s is not hidden.", number=comment.number))
    previous_code = comment.hidden_reason
    comment.status, comment.hidden_reason = CommentStatus.PUBLISHED, None
    audit.record(
        actor,
        "restore",
        target_type="comment",
        target_id=comment.id,
        reason_code=previous_code,
        note=note,
        previous_state=CommentStatus.HIDDEN,
        new_state=comment.status,
    )


def redact(
    comment: Comment, actor: User, phrase: str, reason_code: str | None, note: str | None = None
) -> int:
    """Show every occurrence of `phrase` as [redacted] publicly; the original text stays."""
    code = _check_reason_code(reason_code)
    if not phrase or not phrase.strip():
        raise ModerationError(_("Give the exact words to redact."), field="phrase")
    text = comment.submitted_text
    spans, start = [], text.find(phrase)
    while start != -1:
        spans.append((start, start + len(phrase)))
        start = text.find(phrase, start + len(phrase))
    if not spans:
        raise ModerationError(_("Those exact words are not in the comment."), field="phrase")
    for begin, end in spans:
        db.session.add(
            Redaction(
                comment_id=comment.id,
                start=begin,
                end=end,
                reason_code=code,
                created_by_id=actor.id,
            )
        )
    db.session.flush()
    all_spans = db.session.execute(
        select(Redaction.start, Redaction.end).where(Redaction.comment_id == comment.id)
    ).all()
    comment.redacted_text = apply_redactions(text, [(s, e) for s, e in all_spans])
    audit.record(
        actor,
        "redact",
        target_type="comment",
        target_id=comment.id,
        reason_code=code,
        note=(note or "") + f" ({len(spans)} span(s))",
        previous_state=comment.status,
        new_state=comment.status,
    )
    return len(spans)


def escalate(comment: Comment, actor: User, note: str | None = None) -> Escalation:
    """Send a comment to the threat-assessment team and keep it off the public page meanwhile."""
    previous = hold_for_review(comment)
    escalation = open_escalation(
        comment, source="moderator", reason=note or "escalated by a moderator", actor=actor
    )
    audit.record(
        actor,
        "escalate",
        target_type="comment",
        target_id=comment.id,
        reason_code="true_threat",
        note=note,
        previous_state=previous,
        new_state=comment.status,
    )
    return escalation


def dismiss_flags(comment: Comment, actor: User, note: str | None = None) -> None:
    """Clear the comment's review reasons and flags without changing whether it is public."""
    cleared = _clear_reasons(comment)
    if not cleared:
        raise ModerationError(
            _("Comment #%(number)s has nothing to dismiss.", number=comment.number)
        )
    audit.record(
        actor,
        "dismiss_flags",
        target_type="comment",
        target_id=comment.id,
        note=note,
        previous_state=comment.status,
        new_state=comment.status,
    )


def block_state(user: User) -> str:
    """How the audit log names an account's posting state."""
    if user.is_blocked and user.blocked_until is not None:
        return f"blocked until {user.blocked_until:%Y-%m-%d %H:%M} UTC"
    return "active"


def set_block(user: User, actor: User, days: int, note: str | None) -> None:
    """Stop `user` posting and flagging for 1 to 90 days, with its audit row."""
    if not 1 <= days <= 90:
        raise ModerationError(_("Block for 1 to 90 days."), field="days")
    previous = block_state(user)
    user.blocked_until = now_utc() + timedelta(days=days)
    audit.record(
        actor,
        "block_user",
        target_type="user",
        target_id=user.id,
        note=note,
        previous_state=previous,
        new_state=block_state(user),
    )


def block_user(user: User, actor: User, days: int, note: str | None = None) -> None:
    if user.is_privileged:
        raise ModerationError(_("Staff accounts cannot be blocked here."))
    set_block(user, actor, days, note)


ACTIONS: dict[str, Callable[..., object]] = {
    "approve": approve,
    "hide": hide,
    "restore": restore,
    "escalate": escalate,
    "dismiss": dismiss_flags,
}


def apply_bulk(
    action: str, comments: list[Comment], actor: User, reason_code: str | None, note: str | None
) -> int:
    """Apply one action to many comments (one audit row each); any refusal undoes them all."""
    if action not in ("approve", "hide", "dismiss"):
        raise ModerationError(_("Bulk actions are approve, hide and dismiss."))
    for comment in comments:
        if action == "hide":
            hide(comment, actor, reason_code, note)
        else:
            ACTIONS[action](comment, actor, note)
    return len(comments)


def flag_comment(comment: Comment, user: User, reason: str, note: str | None) -> Flag:
    """Record a participant's flag. Flags raise a comment in the queue; they never hide it."""
    if reason not in FLAG_REASONS:
        raise ModerationError(_("Choose one of the listed reasons."), field="reason")
    if user.is_blocked:
        raise ModerationError(_("Your account cannot flag comments at the moment."))
    if not comment.is_public:
        raise ModerationError(_("This comment is not on the public page."))
    already = db.session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.user_id == user.id)
    )
    if already:
        raise ModerationError(_("You have already flagged this comment."))
    flag = Flag(
        comment_id=comment.id,
        user_id=user.id,
        reason=reason,
        note=(note or "").strip()[:500] or None,
    )
    code = f"flag_{reason}"
    db.session.add(flag)
    db.session.add(
        ReviewReason(
            comment=comment, source="flag", code=code, detail=flag.note, urgency=urgency([code])
        )
    )
    db.session.flush()
    if reason == "threat":
        escalation = open_escalation(
            comment,
            source="flag",
            reason=f"flagged by a participant: {flag.note or 'no note'}",
            actor=None,
        )
        audit.record(
            None,
            "escalate",
            target_type="comment",
            target_id=comment.id,
            reason_code="true_threat",
            note=f"from a participant's flag (escalation {escalation.id})",
            previous_state=comment.status,
            new_state=comment.status,
        )
    return flag
