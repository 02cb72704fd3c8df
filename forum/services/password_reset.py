"""Password reset by emailed link: single use, one hour, kept only as a hash, no enumeration."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import url_for
from sqlalchemy import select, update

from extensions import db
from forum.exceptions import ForumError
from forum.mail import queue_email, render_email
from forum.models import PasswordReset, User
from forum.services.accounts import (
    end_all_sessions,
    find_user_by_email,
    hash_password,
    password_problem,
)
from forum.timeutil import now_utc

LINK_LIFETIME = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, locale: str | None) -> None:
    """Email a reset link if `email` has an account; otherwise do the same work and store nothing.

    The caller commits and then calls `deliver_soon`, whichever it was, so neither the page nor
    its timing says whether the address has an account.
    """
    user = find_user_by_email(email)
    token = new_token()
    context: dict[str, Any] = {
        "link": url_for("accounts.reset_password", token=token, _external=True),
        "minutes": int(LINK_LIFETIME.total_seconds() // 60),
    }
    if user is None:
        render_email("password_reset", locale, **context)  # the same rendering, then nothing
        return
    add_link(user, token, LINK_LIFETIME)
    queue_email(
        user.email,
        "password_reset",
        kind="password_reset",
        locale=user.preferred_locale or locale,
        at_once=False,
        **context,
    )


def add_link(user: User, token: str, lifetime: timedelta) -> PasswordReset:
    """Store a link for `token` (only its hash), usable once within `lifetime` to set a password.

    Invitations use the same links, with a longer lifetime, to let a new account choose one.
    """
    link = PasswordReset(user=user, token_hash=_digest(token), expires_at=now_utc() + lifetime)
    db.session.add(link)
    return link


def new_token() -> str:
    return secrets.token_urlsafe(32)


def valid_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset this token belongs to, or None."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now_utc():
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> User:
    """Set the new password, spend every link of the account and end all its sessions."""
    user = reset.user
    problem = password_problem(password, user.email)
    if problem:
        raise ForumError(problem, field="password")
    user.password_hash = hash_password(password)
    now = now_utc()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    end_all_sessions(user)
    return user
