"""Throttling password guesses without letting a stranger lock an account's owner out.

OWASP's device-cookie scheme: a browser that has signed in to an account gets a signed cookie
naming it. Failed sign-ins count against the account only for browsers without that cookie (in
short windows: a new browser waits minutes, not an hour); a browser with it has its own count.
Every attempt also counts against the address it comes from (see forum/views/accounts.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from forum.models import User
from forum.services.accounts import find_user_by_email, normalise_email

DEVICE_COOKIE = "sb_device"
ACCOUNTS_PER_DEVICE = 5  # a family computer or a school laptop: a few accounts, newest kept


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def _max_age() -> int:
    return int(current_app.config["DEVICE_COOKIE_DAYS"]) * 24 * 3600


def _devices() -> dict[str, str]:
    """Account id -> this browser's nonce for it, from the signed cookie (empty if none)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        found: Any = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items() if isinstance(v, str)}


def _submitted_email() -> str:
    return normalise_email(request.form.get("email") or "")


# Kept on the request (its WSGI environ), not on flask.g, which outlives a request when the
# application context was pushed by someone else (a test, a command).
_NONCE = "sounding_board.device_nonce"
_FAILED = "sounding_board.sign_in_failed"


def _device_nonce() -> str | None:
    """This browser's nonce for the account being signed in to, if it signed in to it before."""
    if _NONCE not in request.environ:
        email = _submitted_email()
        user = find_user_by_email(email) if email and request.cookies.get(DEVICE_COOKIE) else None
        request.environ[_NONCE] = _devices().get(str(user.id)) if user is not None else None
    return request.environ[_NONCE]


def account_key() -> str:
    return f"account:{_submitted_email() or '-'}"


def device_key() -> str:
    return f"device:{_submitted_email() or '-'}:{_device_nonce() or '-'}"


def known_device() -> bool:
    return _device_nonce() is not None


def unknown_device() -> bool:
    return _device_nonce() is None


def record_failure() -> None:
    request.environ[_FAILED] = True


def sign_in_failed(_response: Response) -> bool:
    """Only failed sign-ins count against an account: its owner signing in costs nothing."""
    return bool(request.environ.get(_FAILED))


def remember_device(response: Response, user: User) -> None:
    """Give this browser a fresh nonce for the account it has just signed in to."""
    devices = {k: v for k, v in _devices().items() if k != str(user.id)}
    kept = dict(list(devices.items())[-(ACCOUNTS_PER_DEVICE - 1) :])
    kept[str(user.id)] = secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(kept),
        max_age=_max_age(),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
