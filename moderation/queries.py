"""Read-side of moderation: the review queue, an author's history, the transparency report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from extensions import db
from forum.models import Comment, CommentStatus, Consultation, User
from moderation.models import AuditEntry, Escalation, Flag, ReviewReason
from moderation.rules import THREAT_REASONS

QUEUE_PAGE_SIZE = 25


@dataclass
class QueueItem:
    comment: Comment
    reasons: list[ReviewReason]
    flags: list[Flag]
    escalation: Escalation | None
    history: dict[str, int]
    same_text_ids: list[int] = field(default_factory=list)

    @property
    def is_threat(self) -> bool:
        return any(r.code in THREAT_REASONS for r in self.reasons) or self.escalation is not None


def review_queue(consultation_id: int | None, reason: str | None, page: int):
    """Comments waiting for a moderator, most urgent first, then oldest first."""
    open_reasons = (
        select(
            ReviewReason.comment_id,
            func.max(ReviewReason.urgency).label("urgency"),
        )
        .where(ReviewReason.cleared_at.is_(None))
        .group_by(ReviewReason.comment_id)
        .subquery()
    )
    query = (
        select(Comment)
        .outerjoin(open_reasons, open_reasons.c.comment_id == Comment.id)
        .where(or_(open_reasons.c.comment_id.is_not(None), Comment.status == CommentStatus.PENDING))
        .order_by(func.coalesce(open_reasons.c.urgency, 5).desc(), Comment.received_at, Comment.id)
    )
    if consultation_id:
        query = query.where(Comment.consultation_id == consultation_id)
    if reason:
        query = query.where(
            select(ReviewReason.id)
            .where(
                ReviewReason.comment_id == Comment.id,
                ReviewReason.code == reason,
                ReviewReason.cleared_at.is_(None),
            )
            .exists()
        )
    return db.paginate(query, page=page, per_page=QUEUE_PAGE_SIZE, error_out=False)


def queue_items(comments: list[Comment]) -> list[QueueItem]:
    """Load the reasons, flags, escalations and history for a page of the queue in a few queries."""
    ids = [c.id for c in comments]
    reasons = db.session.scalars(
        select(ReviewReason)
        .where(ReviewReason.comment_id.in_(ids), ReviewReason.cleared_at.is_(None))
        .order_by(ReviewReason.urgency.desc())
    ).all()
    flags = db.session.scalars(select(Flag).where(Flag.comment_id.in_(ids))).all()
    escalations = db.session.scalars(
        select(Escalation).where(Escalation.comment_id.in_(ids), Escalation.status != "closed")
    ).all()
    fingerprints = {c.text_fingerprint for c in comments if c.text_fingerprint}
    twins: dict[str, list[int]] = {}
    for comment_id, fingerprint in db.session.execute(
        select(Comment.id, Comment.text_fingerprint).where(
            Comment.text_fingerprint.in_(fingerprints)
        )
    ):
        twins.setdefault(fingerprint, []).append(comment_id)
    by_reason: dict[int, list[ReviewReason]] = {}
    for reason in reasons:
        by_reason.setdefault(reason.comment_id, []).append(reason)
    return [
        QueueItem(
            comment=comment,
            reasons=by_reason.get(comment.id, []),
            flags=[f for f in flags if f.comment_id == comment.id],
            escalation=next((e for e in escalations if e.comment_id == comment.id), None),
            history=author_history(comment),
            same_text_ids=[i for i in twins.get(comment.text_fingerprint or "", []) if i in ids],
        )
        for comment in comments
    ]


def author_history(comment: Comment) -> dict[str, int]:
    """How many comments this author has sent, by status (by account, or by name for guests)."""
    if comment.author_id is not None:
        condition = Comment.author_id == comment.author_id
    else:
        condition = (
            (Comment.author_id.is_(None))
            & (Comment.author_name == comment.author_name)
            & (Comment.consultation_id == comment.consultation_id)
        )
    rows = db.session.execute(
        select(Comment.status, func.count()).where(condition).group_by(Comment.status)
    )
    return dict(rows.tuples().all())


@dataclass
class TransparencyReport:
    received: int
    published: int
    pending: int
    withdrawn: int
    hidden_by_reason: dict[str, int]
    actions_by_reason: Counter[tuple[str, str]]
    # By the actor's role ("system" for screening); by person only where the district names them.
    actions_by_role: Counter[str]
    actions_by_person: Counter[tuple[str, str]] | None = None

    @property
    def hidden(self) -> int:
        return sum(self.hidden_by_reason.values())

    @property
    def adds_up(self) -> bool:
        return self.received == self.published + self.hidden + self.withdrawn + self.pending


def transparency_report(
    consultation: Consultation, *, name_moderators: bool = False
) -> TransparencyReport:
    """Counts straight from the database: received = published + hidden + withdrawn + pending."""
    by_status: dict[str, int] = dict(
        db.session.execute(
            select(Comment.status, func.count())
            .where(Comment.consultation_id == consultation.id)
            .group_by(Comment.status)
        )
        .tuples()
        .all()
    )
    hidden: dict[str | None, int] = dict(
        db.session.execute(
            select(Comment.hidden_reason, func.count())
            .where(
                Comment.consultation_id == consultation.id, Comment.status == CommentStatus.HIDDEN
            )
            .group_by(Comment.hidden_reason)
        )
        .tuples()
        .all()
    )
    comment_ids = select(Comment.id).where(Comment.consultation_id == consultation.id)
    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.reason_code, AuditEntry.actor_role, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.target_type == "comment", AuditEntry.target_id.in_(comment_ids))
    ).all()
    return TransparencyReport(
        received=sum(by_status.values()),
        published=by_status.get(CommentStatus.PUBLISHED, 0),
        pending=by_status.get(CommentStatus.PENDING, 0),
        withdrawn=by_status.get(CommentStatus.WITHDRAWN, 0),
        hidden_by_reason={code or "unspecified": n for code, n in hidden.items()},
        actions_by_reason=Counter((a.action, a.reason_code or "") for a in actions),
        actions_by_role=Counter(a.actor_role for a in actions),
        actions_by_person=(
            Counter((a.display_name, a.actor_role) for a in actions if a.display_name)
            if name_moderators
            else None
        ),
    )


def flags_of(user: User) -> dict[str, Any]:
    """The flags this account raised, for the owner's download of their data."""
    flags = db.session.scalars(select(Flag).where(Flag.user_id == user.id).order_by(Flag.id))
    return {
        "flags": [
            {
                "consultation": f.comment.consultation.slug,
                "comment_number": f.comment.number,
                "reason": f.reason,
                "note": f.note,
                "created_at": f.created_at.isoformat(),
            }
            for f in flags
        ]
    }
