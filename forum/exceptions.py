"""Domain errors raised by services; views turn them into form errors, flashes or statuses."""

from __future__ import annotations


class ForumError(Exception):
    """A rule of the forum refused the request; the message is safe to show the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class EmailTaken(ForumError):
    pass


class WeakPassword(ForumError):
    pass


class CommentingClosed(ForumError):
    pass


class NotAllowed(ForumError):
    pass


class InvalidChoice(ForumError):
    pass
