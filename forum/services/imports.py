"""Importing comments that arrived by email, speaker card, phone or letter, all or nothing."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from extensions import db
from forum.choices import LANGUAGES
from forum.exceptions import ForumError
from forum.models import (
    Channel,
    Comment,
    Consultation,
    Position,
    School,
    StakeholderRole,
)
from forum.services.comments import CommentDraft, create_comment, text_problem
from forum.timeutil import local_to_utc, now_utc

logger = logging.getLogger(__name__)

COLUMNS = (
    "text",
    "name",
    "role",
    "school",
    "position",
    "language",
    "channel",
    "received_at",
)
DEFAULT_NAME = "Name withheld"

ROLE_ALIASES = {
    "parent": StakeholderRole.PARENT,
    "guardian": StakeholderRole.PARENT,
    "parent/guardian": StakeholderRole.PARENT,
    "parent or guardian": StakeholderRole.PARENT,
    "student": StakeholderRole.STUDENT,
    "teacher": StakeholderRole.TEACHER,
    "staff": StakeholderRole.SCHOOL_STAFF,
    "school staff": StakeholderRole.SCHOOL_STAFF,
    "other school staff": StakeholderRole.SCHOOL_STAFF,
    "administrator": StakeholderRole.ADMINISTRATOR,
    "principal": StakeholderRole.ADMINISTRATOR,
    "community": StakeholderRole.COMMUNITY,
    "community member": StakeholderRole.COMMUNITY,
    "other": StakeholderRole.OTHER,
    "": StakeholderRole.NOT_STATED,
} | {role.value: role for role in StakeholderRole}


class ImportFailed(ForumError):
    """Rows that cannot be imported, each with its line number (0: the whole file)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} row(s) could not be imported; nothing was stored.")
        self.errors = errors


@dataclass
class ImportResult:
    created: list[Comment]
    already_imported: int


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        unknown = [c for c in reader.fieldnames or [] if c.strip().lower() not in COLUMNS]
        if not reader.fieldnames or "text" not in [c.strip().lower() for c in reader.fieldnames]:
            raise ImportFailed([(1, "the header row must include a 'text' column")])
        if unknown:
            raise ImportFailed([(1, f"unknown column(s): {', '.join(unknown)}")])
        start = reader.line_num + 1
        for row in reader:
            yield start, {(k or "").strip().lower(): v for k, v in row.items()}
            start = reader.line_num + 1


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, {"__error__": f"invalid JSON ({error.msg})"}
                continue
            if not isinstance(row, dict):
                yield number, {"__error__": "each line must be a JSON object"}
                continue
            yield number, row


def read_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    """Read every row with its line number; raises ImportFailed for an unreadable file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return list(_read_csv(path))
        if suffix in {".jsonl", ".ndjson"}:
            return list(_read_jsonl(path))
    except UnicodeDecodeError as error:
        raise ImportFailed([(0, f"the file is not UTF-8 text ({error.reason})")]) from error
    except csv.Error as error:
        raise ImportFailed([(0, f"the CSV could not be read ({error})")]) from error
    raise ImportFailed([(0, "use a .csv or .jsonl file")])


def _text(row: dict[str, object], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"'{key}' contains a NUL character (code 0), which cannot be stored")
    return value


def _received_at(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError as error:
        raise ValueError(f"received_at {raw!r} is not an ISO 8601 date and time") from error
    value = local_to_utc(value)
    if value > now_utc() + timedelta(days=1):
        raise ValueError(f"received_at {raw!r} is in the future")
    return value


def _draft(
    row: dict[str, object],
    schools: dict[str, int],
    default_channel: str,
    max_chars: int,
) -> CommentDraft:
    """Turn one row into a draft comment or raise ValueError saying what is wrong."""
    if "__error__" in row:
        raise ValueError(str(row["__error__"]))
    unknown = sorted(set(row) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    text = _text(row, "text")
    problem = text_problem(text, max_chars)
    if problem:
        raise ValueError(problem)
    role_raw = _text(row, "role").strip().lower()
    if role_raw not in ROLE_ALIASES:
        raise ValueError(f"unknown role {role_raw!r}")
    school_raw = _text(row, "school").strip()
    if school_raw and school_raw.lower() not in schools:
        raise ValueError(f"unknown school {school_raw!r}")
    position = _text(row, "position").strip().lower() or None
    if position is not None and position not in Position.__members__.values():
        raise ValueError(f"unknown position {position!r}")
    language = _text(row, "language").strip().lower() or "en"
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    channel = _text(row, "channel").strip().lower() or default_channel
    if channel not in Channel.__members__.values():
        raise ValueError(f"unknown channel {channel!r}")
    received = _text(row, "received_at").strip()
    return CommentDraft(
        text=text,
        stakeholder_role=ROLE_ALIASES[role_raw],
        declared_position=position,
        preferred_language=language,
        school_id=schools.get(school_raw.lower()) if school_raw else None,
        author_name=_text(row, "name").strip()[:60] or DEFAULT_NAME,
        channel=channel,
        received_at=_received_at(received) if received else None,
    )


def _row_keys(consultation: Consultation, rows: list[tuple[int, dict[str, object]]]) -> list[str]:
    """Key each row by its content (and its repeat count), so a re-import skips, not doubles."""
    seen: Counter[str] = Counter()
    keys = []
    for _, row in rows:
        content = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
        seen[content] += 1
        digest = hashlib.sha256(
            f"{consultation.id}\n{seen[content]}\n{content}".encode()
        ).hexdigest()
        keys.append(f"import:{digest[:64]}")
    return keys


def import_comments(
    consultation: Consultation,
    path: Path,
    *,
    default_channel: str,
    max_chars: int,
    max_rows: int,
) -> ImportResult:
    """Validate every row, then store them all; any bad row raises ImportFailed and stores none."""
    rows = read_rows(path)
    if not rows:
        raise ImportFailed([(0, "the file has no rows")])
    if len(rows) > max_rows:
        raise ImportFailed([(0, f"the file has {len(rows):,} rows; the limit is {max_rows:,}")])
    schools = {
        name.lower(): school_id
        for school_id, name in db.session.execute(
            select(School.id, School.name).where(School.district_id == consultation.district_id)
        )
    }
    drafts, errors = [], []
    for line, row in rows:
        try:
            drafts.append(_draft(row, schools, default_channel, max_chars))
        except ValueError as error:
            errors.append((line, str(error)))
    if errors:
        raise ImportFailed(errors)

    keys = _row_keys(consultation, rows)
    existing = _existing_keys(keys)
    created = []
    for draft, key in zip(drafts, keys, strict=True):
        if key in existing:
            continue
        created.append(
            create_comment(
                consultation,
                draft,
                author=None,
                idempotency_key=key,
                max_chars=max_chars,
                enforce_period=False,
            )
        )
    logger.info(
        "imported %d comments into %s from %s",
        len(created),
        consultation.slug,
        path.name,
    )
    return ImportResult(created=created, already_imported=len(keys) - len(created))


def _existing_keys(keys: list[str]) -> set[str]:
    """Return which keys are already stored, querying in batches the databases accept."""
    found: set[str] = set()
    for start in range(0, len(keys), 5_000):
        batch = keys[start : start + 5_000]
        query = select(Comment.idempotency_key).where(Comment.idempotency_key.in_(batch))
        found.update(key for key in db.session.scalars(query) if key)
    return found
