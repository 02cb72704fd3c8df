"""Demo moderation work: a few comments screening holds, and what the demo moderator did."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from extensions import db
from forum.models import Comment, Consultation, Role, User
from forum.services.comments import CommentDraft, create_comment
from moderation import services

# Fictional comments written to exercise each rule; every name and number is invented.
HELD_EXAMPLES = [
    ("Call me at 916-555-0143 if you want to organise parents against this plan.", "parent"),
    (
        "My daughter's classmate Jordan Miller was handcuffed last spring for a dress-code argument. "
        "That is exactly why counselors should handle discipline, not police.",
        "parent",
    ),
    ("Buy now! Cheap essay help and tutoring at bit.ly/essay-deal-2026", "other"),
    ("If they take the officers away I'm going to shoot up the board meeting.", "community"),
    (
        "When will the district fix the broken parking lot at Delta Vista? It floods every winter.",
        "parent",
    ),
]


def _post(consultation: Consultation, text: str, role: str) -> Comment:
    draft = CommentDraft(
        text=text,
        stakeholder_role=role,
        declared_position="prefer_not_to_say",
        author_name="Demo participant",
    )
    return create_comment(
        consultation,
        draft,
        author=None,
        idempotency_key=None,
        max_chars=current_app.config["COMMENT_MAX_CHARS"],
        enforce_period=False,
    )


def seed_moderation_examples(consultation: Consultation) -> str:
    moderator = db.session.scalars(select(User).where(User.role == Role.MODERATOR)).first()
    participant = db.session.scalars(select(User).where(User.role == Role.PARTICIPANT)).first()
    if moderator is None or participant is None:
        raise RuntimeError("seed the demo accounts before the moderation examples")
    phone, named, spam, threat, parking = (
        _post(consultation, text, role) for text, role in HELD_EXAMPLES
    )
    services.redact(named, moderator, "Jordan Miller", "personal_information", "a student's name")
    services.approve(named, moderator, "published with the student's name redacted")
    services.hide(spam, moderator, "commercial_spam", "advertising")
    services.hide(parking, moderator, "off_topic", "forwarded to facilities")
    lawful = db.session.scalars(
        select(Comment)
        .where(Comment.consultation_id == consultation.id, Comment.status == "published")
        .order_by(Comment.number)
        .limit(1)
    ).one()
    services.flag_comment(lawful, participant, "off_topic", "I disagree with this")
    db.session.flush()
    return (
        f"Moderation demo: #{phone.number} and #{threat.number} wait in the review queue "
        f"(#{threat.number} is escalated to threat assessment), #{named.number} is redacted, "
        f"#{spam.number} and #{parking.number} are hidden, #{lawful.number} is flagged."
    )
