"""UTC timestamps in storage, the district's local time on screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from flask import current_app


def now_utc() -> datetime:
    """Return the current time as an aware UTC datetime (use as a column default callable)."""
    return datetime.now(UTC)


def district_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISTRICT_TIMEZONE"])


@overload
def to_local(value: datetime) -> datetime: ...
@overload
def to_local(value: None) -> None: ...
def to_local(value: datetime | None) -> datetime | None:
    """Convert a stored UTC time to the district's time zone for display."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(district_zone())


def local_to_utc(value: datetime) -> datetime:
    """Read a naive datetime typed in a form as district time and return it in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=district_zone())
    return value.astimezone(UTC)
