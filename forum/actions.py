"""The pattern every state-changing view shares: call a service, commit, or roll back and say why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from extensions import db
from forum.exceptions import ForumError

T = TypeVar("T")


class Refused:
    """What `commit_or_flash` returns when a rule refused the change (nothing was stored)."""

    def __init__(self, error: ForumError) -> None:
        self.error = error

    def __bool__(self) -> bool:
        return False


def commit_or_flash(change: Callable[[], T], *, flash_error: bool = True) -> T | Refused:
    """Run `change` and commit; on a `ForumError`, roll back and flash its message.

    Returns what `change` returned, or a falsy `Refused` carrying the error (a view that shows
    the message elsewhere, on a form field or in its own words, passes `flash_error=False` and
    reads `.error`).
    """
    try:
        result = change()
        db.session.commit()
    except ForumError as error:
        db.session.rollback()
        if flash_error:
            flash(error.message, "error")
        return Refused(error)
    return result
