"""Registering, signing in and creating accounts, with hashed passwords."""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, select

from extensions import db
from forum.exceptions import EmailTaken, ForumError, WeakPassword
from forum.models import Follow, Role, User
from forum.models.users import new_session_token
from forum.timeutil import now_utc

logger = logging.getLogger(__name__)

PASSWORD_MIN_CHARS = 12
PASSWORD_MAX_CHARS = 64


def _hasher() -> PasswordHasher:
    if current_app.config.get("PASSWORD_HASH_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_problem(password: str, email: str = "") -> str | None:
    """Return why a password is refused, or None. Length and common lists only: no composition rules."""
    if len(password) < PASSWORD_MIN_CHARS:
        return f"Use at least {PASSWORD_MIN_CHARS} characters."
    if len(password) > PASSWORD_MAX_CHARS:
        return f"Use at most {PASSWORD_MAX_CHARS} characters."
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return "This password is too common; choose another."
    if email and lowered == email.lower():
        return "Do not use your email address as your password."
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    display_name: str,
    role: str = Role.PARTICIPANT,
    *,
    confirmed: bool = True,
) -> User:
    """Create an account; raises EmailTaken or WeakPassword.

    Accounts made by an administrator or the command line are confirmed; self-registration
    (`forum.services.registration`) passes `confirmed=False` and emails a link.
    """
    email = normalise_email(email)
    if role not in Role.__members__.values():
        raise ValueError(f"unknown role {role!r}")
    problem = password_problem(password, email)
    if problem:
        raise WeakPassword(problem, field="password")
    exists = db.session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if exists:
        raise EmailTaken("An account with this email already exists.", field="email")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        email_confirmed_at=now_utc() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    logger.info("created account %s with role %s", user.id, role)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password matches, doing the same hashing work either way."""
    user = find_user_by_email(email)
    hasher = _hasher()
    if user is None:
        hasher.hash(password)  # spend the same time as a real check, to hide which emails exist
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = now_utc()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every login cookie issued for this account (used at logout)."""
    user.session_token = new_session_token()


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every session of the account ends."""
    if not check_password(user, current):
        raise ForumError("That is not your current password.", field="current_password")
    problem = password_problem(new, user.email)
    if problem:
        raise WeakPassword(problem, field="password")
    user.password_hash = hash_password(new)
    end_all_sessions(user)


def close_account(user: User, password: str) -> None:
    """Close the account: its comments and survey answers stay as the public record, under the
    names they were sent with; its email, password, language and sign-ins go."""
    if not check_password(user, password):
        raise ForumError("That is not your current password.", field="password")
    user.email = f"closed-{user.id}@closed.invalid"
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # a password nobody knows
    user.display_name = "Closed account"
    user.preferred_locale = None
    user.closed_at = now_utc()
    user.notify_replies = user.notify_followed = user.notify_moderation = False
    db.session.execute(delete(Follow).where(Follow.user_id == user.id))
    end_all_sessions(user)
