"""Following a consultation, to hear by email when it is about to close and what the board heard."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models.types import UTCDateTime
from forum.timeutil import now_utc

if TYPE_CHECKING:
    from forum.models.consultations import Consultation
    from forum.models.users import User


class Follow(Model):
    """One person following one consultation: an account, or a guest's confirmed email address.

    A guest's follow does nothing until the link sent to the address is followed (confirmed_at);
    an account's follow counts while the account's own address is confirmed.
    """

    __table_args__ = (
        UniqueConstraint("consultation_id", "user_id", name="uq_follow_account"),
        UniqueConstraint("consultation_id", "email", name="uq_follow_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    consultation: Mapped[Consultation] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else "guest"
        return f"<Follow {self.id} consultation {self.consultation_id} {who}>"
