"""A published plan open for public comment, and the numbered sections of its text."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models.districts import District
from forum.models.types import UTCDateTime
from forum.timeutil import now_utc


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ModerationMode(enum.StrEnum):
    POST = "post"  # publish at once unless screening holds the comment
    PRE = "pre"  # every comment waits for a moderator


class Consultation(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    body_markdown: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(String(500))
    meeting_date: Mapped[date | None] = mapped_column(Date)
    agenda_item: Mapped[str | None] = mapped_column(String(40))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=ConsultationStatus.DRAFT)
    allow_guest_comments: Mapped[bool] = mapped_column(default=True)
    moderation_mode: Mapped[str] = mapped_column(String(10), default=ModerationMode.POST)
    # Public comment numbers (#1, #2, ...) come from this counter, raised atomically per comment.
    comment_counter: Mapped[int] = mapped_column(default=0)
    # Raised in the same transaction as any change to one of its comments (forum/cache.py):
    # rendered threads are cached under it, so a hidden or withdrawn comment leaves at once.
    thread_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)

    district: Mapped[District] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation", order_by="Section.number"
    )

    def accepts_comments(self, at: datetime | None = None) -> bool:
        at = at or now_utc()
        return self.status == ConsultationStatus.OPEN and self.opens_at <= at < self.closes_at

    def period_state(self, at: datetime | None = None) -> str:
        """Say where the comment period stands: draft, upcoming, open or closed."""
        at = at or now_utc()
        if self.status == ConsultationStatus.DRAFT:
            return "draft"
        if self.status == ConsultationStatus.CLOSED or at >= self.closes_at:
            return "closed"
        if at < self.opens_at:
            return "upcoming"
        return "open"

    @property
    def current_sections(self) -> list[Section]:
        return [s for s in self.sections if not s.retired]


class Section(Model):
    """A numbered section of the plan; kept when the text drops it so its comments keep a home."""

    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    retired: Mapped[bool] = mapped_column(default=False)

    consultation: Mapped[Consultation] = relationship(back_populates="sections")

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"
