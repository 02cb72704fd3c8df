"""Signed links in notification emails: confirming a guest's follow, and unsubscribing.

itsdangerous signs them with the app's SECRET_KEY. An unsubscribe link never expires (an old
email must still stop the mail); a guest's confirmation link lasts three days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

UNSUBSCRIBE_SALT = "sounding-board.unsubscribe"
FOLLOW_SALT = "sounding-board.follow-confirmation"
FOLLOW_CONFIRMATION_AGE = timedelta(days=3)

# What an unsubscribe link can stop: an account's replies or moderation notices, or one follow.
UNSUBSCRIBE_KINDS = ("replies", "moderation", "follow")


class LinkExpired(Exception):
    """A correctly signed confirmation link, older than it may be."""


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full URL for an email, built from PUBLIC_BASE_URL (the sweep has no request to ask)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def unsubscribe_token(kind: str, record_id: int) -> str:
    if kind not in UNSUBSCRIBE_KINDS:
        raise ValueError(f"no unsubscribe link stops {kind!r}")
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        [kind, record_id]
    )


def read_unsubscribe_token(token: str) -> tuple[str, int] | None:
    """(kind, id) from a genuine link, None from anything else."""
    try:
        kind, record_id = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT
        ).loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if kind not in UNSUBSCRIBE_KINDS or not isinstance(record_id, int):
        return None
    return kind, record_id


def unsubscribe_url(kind: str, record_id: int) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(kind, record_id))


def follow_confirmation_token(follow_id: int) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FOLLOW_SALT).dumps(
        follow_id
    )


def read_follow_confirmation_token(token: str) -> int | None:
    """The follow's id from a genuine, recent link; None if forged; LinkExpired if too old."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FOLLOW_SALT)
    try:
        follow_id = serializer.loads(token, max_age=int(FOLLOW_CONFIRMATION_AGE.total_seconds()))
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        return None
    return follow_id if isinstance(follow_id, int) else None
