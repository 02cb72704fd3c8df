"""Public comments: stored exactly as submitted, numbered, never deleted."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models.consultations import Consultation, Section
from forum.models.districts import School
from forum.models.types import UTCDateTime
from forum.models.users import User
from forum.timeutil import now_utc


class StakeholderRole(enum.StrEnum):
    PARENT = "parent"
    STUDENT = "student"
    TEACHER = "teacher"
    SCHOOL_STAFF = "school_staff"
    ADMINISTRATOR = "administrator"
    COMMUNITY = "community"
    OTHER = "other"
    NOT_STATED = "not_stated"  # imported letters and cards that do not say; not on the web form


# The roles a person can pick on the comment form.
FORM_ROLES = [r for r in StakeholderRole if r is not StakeholderRole.NOT_STATED]


class Position(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    MIXED = "mixed"
    NEUTRAL = "neutral"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Channel(enum.StrEnum):
    WEB = "web"
    EMAIL = "email"
    SPEAKER_CARD = "speaker_card"
    PHONE = "phone"
    LETTER = "letter"
    SURVEY = "survey"
    OTHER = "other"


class CommentStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waiting for a moderator
    HIDDEN = "hidden"  # kept in the record, off the public page, with a reason code
    WITHDRAWN = "withdrawn"  # taken down by its author; the record stays


def new_receipt_token() -> str:
    return secrets.token_urlsafe(18)


class Comment(Model):
    __table_args__ = (
        UniqueConstraint("consultation_id", "number"),
        Index("ix_comment_consultation_status", "consultation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    number: Mapped[int]
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(60))
    submitted_text: Mapped[str] = mapped_column(Text)
    stakeholder_role: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    # None when the channel did not ask (imported letters, speaker cards): analysis predicts it.
    declared_position: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    # What the language detector reads the text as (ISO 639-1, "und" when too short or mixed to
    # tell). Set by the every-minute job, never while the author waits; shown to staff.
    detected_language: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20), default=Channel.WEB)
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.PUBLISHED)
    # The published reason code when a moderator hides the comment (see moderation.rules).
    hidden_reason: Mapped[str | None] = mapped_column(String(40))
    # The text the public sees when a moderator has redacted spans; the original is kept above.
    redacted_text: Mapped[str | None] = mapped_column(Text)
    # Hash of the whitespace- and case-normalised text: finds exact repeats cheaply.
    text_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A form's hidden key (or an imported row's hash): a replay finds the stored comment.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    receipt_token: Mapped[str] = mapped_column(String(40), unique=True, default=new_receipt_token)

    consultation: Mapped[Consultation] = relationship()
    section: Mapped[Section | None] = relationship()
    school: Mapped[School | None] = relationship()
    author: Mapped[User | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent", order_by="Comment.number"
    )

    @property
    def is_public(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def public_text(self) -> str:
        """What the public page and the board packet show: the text with any redactions."""
        return self.redacted_text if self.redacted_text is not None else self.submitted_text

    @property
    def public_label(self) -> str:
        return f"#{self.number}"

    def __repr__(self) -> str:
        return f"<Comment #{self.number} of consultation {self.consultation_id} {self.status}>"


class PublicRecordError(RuntimeError):
    """Raised when code tries to delete a comment: comments are public records."""


@event.listens_for(Comment, "before_delete")
def _refuse_comment_delete(mapper, connection, target: Comment) -> None:
    raise PublicRecordError(f"comment {target.id} is a public record and cannot be deleted")


# The database refuses too, so no script or console session can delete one either.
NO_COMMENT_DELETE_SQL = """
CREATE OR REPLACE FUNCTION refuse_comment_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comments are public records and cannot be deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER comment_no_delete BEFORE DELETE ON comment
    FOR EACH ROW EXECUTE FUNCTION refuse_comment_delete();
"""
event.listen(
    Comment.__table__, "after_create", DDL(NO_COMMENT_DELETE_SQL).execute_if(dialect="postgresql")
)
