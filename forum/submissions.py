"""Form keys that make a double click safe without handing one person's receipt to another.

A form's hidden key is scoped to the account, or for guests to this browser's session, and a
replay counts only when it sends what was stored: the same key with other text is a conflict.
Pages that carry a form key or a receipt are never kept by a browser's or proxy's cache.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import session
from flask_login import current_user

_OWNER = "form_owner"


def form_owner() -> str:
    """Who a form key belongs to: the account, else a random id kept in the guest's session."""
    if current_user.is_authenticated:
        return f"u{current_user.id}"
    if not session.get(_OWNER):
        session[_OWNER] = secrets.token_urlsafe(6)  # 48 bits; the session cookie is signed
    return f"g{session[_OWNER]}"


def scoped_key(kind: str, raw_key: str) -> str:
    """The stored key: at most 80 characters for a 64-character form key."""
    return f"{kind}:{form_owner()}:{raw_key}"


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


def renew_form_key(field: Any) -> None:
    """Give a re-shown form a fresh idempotency key (the one it came with is spent)."""
    field.data = new_form_key()
    field.raw_data = [field.data]


F = TypeVar("F", bound=Callable[..., Any])


def no_store(view: F) -> F:
    """Mark a view whose every answer, error pages included, is sent with
    `Cache-Control: no-store` (app.py), so Back on a shared computer shows no one else's form."""
    view.no_store = True  # type: ignore[attr-defined]
    return view


def is_no_store(view: object) -> bool:
    return bool(getattr(view, "no_store", False))
