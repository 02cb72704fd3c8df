"""Reading a comment listing's query string: filters, page size and the opaque cursor."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import Select

from forum.api.schemas import POSITIONS, ROLES
from forum.models import Comment, Section
from forum.public_comments import text_language_column

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_LARGEST_ID = 2**31 - 1
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_CURSOR_PREFIX = "after:"

# Each parameter the listing accepts, with what the documentation says about it.
PARAMETERS = {
    "section": "Only comments on this plan section (its number); 0: on the whole plan.",
    "role": "Only comments from this stakeholder role.",
    "position": "Only comments declaring this position.",
    "language": "Only comments in this language (ISO 639-1 code, as in the `language` field).",
    "since": "Only comments received at or after this time (ISO 8601 date or date-time; UTC when no offset is given).",
    "limit": f"Comments per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
    "cursor": "Where the page starts: the value from the previous page's `next` link. Opaque.",
}


class BadParameter(ValueError):
    """A query parameter the API cannot use; the message says which and why."""


def encode_cursor(number: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{number}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    number = raw.removeprefix(_CURSOR_PREFIX)
    if not raw.startswith(_CURSOR_PREFIX) or not number.isdigit() or int(number) > _LARGEST_ID:
        raise BadParameter("cursor is not one this API gave out; start again without it.")
    return int(number)


def _whole_number(name: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}.")
    return int(value)


def _choice(name: str, value: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise BadParameter(f"{name} must be one of: {', '.join(allowed)}.")
    return value


def _since(value: str) -> datetime:
    try:
        moment = (
            datetime.combine(date.fromisoformat(value), datetime.min.time())
            if len(value) == 10
            else datetime.fromisoformat(value)
        )
    except ValueError:
        raise BadParameter("since must be an ISO 8601 date or date-time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CommentQuery:
    """Which published comments a client asked for, and which page of them."""

    section: int | None = None
    role: str | None = None
    position: str | None = None
    language: str | None = None
    since: datetime | None = None
    limit: int = DEFAULT_LIMIT
    after: int = 0

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CommentQuery:
        unknown = sorted(set(args) - set(PARAMETERS))
        if unknown:
            raise BadParameter(f"unknown parameter {unknown[0]!r}; the listing takes {', '.join(PARAMETERS)}.")  # fmt: skip
        get = args.get
        language = get("language")
        if language is not None and not _LANGUAGE.match(language):
            raise BadParameter("language must be a language code such as en or es.")
        return cls(
            section=_whole_number("section", v, 0, _LARGEST_ID) if (v := get("section")) else None,
            role=_choice("role", v, ROLES) if (v := get("role")) else None,
            position=_choice("position", v, POSITIONS) if (v := get("position")) else None,
            language=language,
            since=_since(v) if (v := get("since")) else None,
            limit=_whole_number("limit", v, 1, MAX_LIMIT) if (v := get("limit")) else DEFAULT_LIMIT,
            after=decode_cursor(v) if (v := get("cursor")) else 0,
        )

    def apply(self, query: Select[tuple[Comment]]) -> Select[tuple[Comment]]:
        """Narrow a query of published comments (ordered by number) to this page."""
        if self.section == 0:
            query = query.where(Comment.section_id.is_(None))
        elif self.section is not None:
            query = query.join(Section, Comment.section_id == Section.id).where(
                Section.number == self.section
            )
        if self.role is not None:
            query = query.where(Comment.stakeholder_role == self.role)
        if self.position is not None:
            query = query.where(Comment.declared_position == self.position)
        if self.language is not None:
            query = query.where(text_language_column() == self.language)
        if self.since is not None:
            query = query.where(Comment.received_at >= self.since)
        # One more than a page: whether it exists says if there is a next page.
        return query.where(Comment.number > self.after).limit(self.limit + 1)

    def arguments(self, after: int | None = None) -> dict[str, str]:
        """The query string for this listing (at another cursor), as a link repeats it."""
        moved = self if after is None else replace(self, after=after)
        values = {
            "section": moved.section,
            "role": moved.role,
            "position": moved.position,
            "language": moved.language,
            "since": moved.since.isoformat() if moved.since else None,
            "limit": moved.limit if moved.limit != DEFAULT_LIMIT else None,
            "cursor": encode_cursor(moved.after) if moved.after else None,
        }
        return {name: str(value) for name, value in values.items() if value is not None}
