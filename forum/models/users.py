"""Accounts and the roles that decide what a signed-in person may do."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models.types import UTCDateTime
from forum.timeutil import now_utc


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    MODERATOR = "moderator"
    STAFF = "staff"
    THREAT_ASSESSOR = "threat_assessor"
    ADMIN = "admin"


# Roles whose sessions carry staff-level power and so get the short timeouts.
PRIVILEGED_ROLES = frozenset({Role.MODERATOR, Role.STAFF, Role.THREAT_ASSESSOR, Role.ADMIN})


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT)
    # Part of the login cookie's identity: changing it signs out every session of this account.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    preferred_locale: Mapped[str | None] = mapped_column(String(10))
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the owner follows the emailed link (accounts made by an administrator or the
    # command line start confirmed). Unconfirmed accounts sign in and take part as guests do.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A closed account keeps its id for the public record; its email and password are gone.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Notification settings (My account); each email's unsubscribe link turns its own one off.
    notify_replies: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_followed: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_moderation: Mapped[bool] = mapped_column(default=True, server_default=true())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_blocked(self) -> bool:
        return self.blocked_until is not None and self.blocked_until > now_utc()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class PasswordReset(Model):
    """One emailed reset link. Only the token's SHA-256 is kept; a link works once, for an hour."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
