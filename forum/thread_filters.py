"""What a reader asked to see of a consultation's public comments, read from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from forum.forms import record_id
from forum.models import Position
from forum.models.comments import FORM_ROLES


def _record_id(value: str | None) -> int | None:
    """A positive id or page number, or None for anything else (as request.args.get(type=) does)."""
    try:
        return record_id(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ThreadFilters:
    """Which public comments a reader asked to see. Values that are not ids or known choices are
    ignored (the page shows everything for them), as a hand-edited address deserves."""

    section_id: int | None = None
    role: str | None = None
    position: str | None = None
    newest_first: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ThreadFilters:
        role, position = args.get("role"), args.get("position")
        return cls(
            section_id=_record_id(args.get("section")),
            role=role if role in {r.value for r in FORM_ROLES} else None,
            position=position if position in {p.value for p in Position} else None,
            newest_first=args.get("sort") == "newest",
            page=_record_id(args.get("page")) or 1,
        )

    @property
    def narrowed(self) -> bool:
        return any(value is not None for value in (self.section_id, self.role, self.position))

    def query(self, **changes: object) -> dict[str, object]:
        """The query-string arguments for a link to these filters (with changes), page included."""
        values: dict[str, object] = {
            "section": self.section_id,
            "role": self.role,
            "position": self.position,
            "sort": "newest" if self.newest_first else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}

    def cache_key(self) -> str:
        return f"{self.page}:{self.section_id}:{self.role}:{self.position}:{self.newest_first}"
