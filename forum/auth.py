"""Who is signed in, what their role lets them reach, and where they may be sent next."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeGuard, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from extensions import db, login_manager
from forum.models import User
from forum.timeutil import now_utc

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Find the user from the cookie's "id:token"; a token changed at logout no longer matches."""
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token:
        return None
    return user


def role_required(*roles: str) -> Callable[[F], F]:
    """Let only signed-in users with one of these roles through; others get 403.

    A blocked account keeps its role but cannot use it until the block ends.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles) or current_user.is_blocked:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Accept only a same-site path such as /consultations/x; never //host or /\\host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def start_session(user: User) -> None:
    """Sign in with a fresh session, dropping anything the anonymous session carried."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user)
    stamp = now_utc().timestamp()
    session["auth_at"] = stamp
    session["seen_at"] = stamp


def end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale


def enforce_staff_timeouts() -> Any:
    """Sign out privileged users after the idle or absolute limit (before_request hook)."""
    if not current_user.is_authenticated or not current_user.is_privileged:
        return None
    now = now_utc().timestamp()
    auth_at = session.get("auth_at", 0)
    seen_at = session.get("seen_at", 0)
    idle = current_app.config["STAFF_IDLE_TIMEOUT_S"]
    absolute = current_app.config["STAFF_ABSOLUTE_TIMEOUT_S"]
    if now - seen_at > idle or now - auth_at > absolute:
        logger.info("staff session of user %s timed out", current_user.id)
        end_session()
        flash(_("Your session timed out. Please sign in again."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    session["seen_at"] = now
    return None
