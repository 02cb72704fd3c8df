"""Build a packet's content from the database: numbers from statistics, text only verbatim."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from analysis.models import AnalysisRun, CommentAnalysis, Theme
from analysis.packet.sections import (
    STANCES,  # noqa: F401  (grounding reads it from here)
    campaign_sections,
    label_of,
    method_section,
    positions_section,
    records_summary,
    survey_sections,
    theme_sections,
    tone_section,
)
from analysis.packet.summary import executive_summary
from extensions import db
from forum.choices import CHANNEL_LABELS, POSITION_LABELS, ROLE_LABELS
from forum.exceptions import ForumError
from forum.models import Comment, CommentStatus, Consultation
from forum.timeutil import local_to_utc, to_local


class PacketError(ForumError):
    """The packet cannot be built or does not pass its checks; the message says why."""


@dataclass
class Period:
    """The dates a packet reports on, cut off where its analysis run read the comments."""

    start: date
    end: date
    # When the analysis run read the comments: later ones belong to the next packet, so a packet
    # made while comment is still open covers what came in up to here and says so on its cover.
    cutoff: datetime | None = None
    closes_at: datetime | None = None  # the consultation's close: no comment comes after it

    def _whole_end(self) -> datetime:
        return local_to_utc(datetime.combine(self.end + timedelta(days=1), time.min))

    def bounds(self) -> tuple[datetime, datetime]:
        end = self._whole_end()
        if self.cutoff is not None and self.cutoff < end:
            end = self.cutoff
        return local_to_utc(datetime.combine(self.start, time.min)), end

    def is_interim(self) -> bool:
        """True when comments could still arrive in the period after the run read them."""
        last = self._whole_end()
        if self.closes_at is not None:
            last = min(last, self.closes_at)
        return self.cutoff is not None and self.cutoff < last

    def as_content(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            # district time, to the minute, with its zone; None when the run read every comment
            "cutoff": to_local(self.cutoff).strftime("%Y-%m-%d %H:%M %Z")
            if self.cutoff is not None and self.is_interim()
            else None,
        }


def default_period(consultation: Consultation) -> Period:
    return Period(
        to_local(consultation.opens_at).date(),
        to_local(consultation.closes_at).date(),
        closes_at=consultation.closes_at,
    )


def covered_by(period: Period, run: AnalysisRun) -> Period:
    """The period as far as `run` read it: comments received after the run started are left out."""
    return Period(period.start, period.end, run.started_at or run.created_at, period.closes_at)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _comments(consultation: Consultation, period: Period) -> list[Comment]:
    start, end = period.bounds()
    return list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.consultation_id == consultation.id,
                Comment.received_at >= start,
                Comment.received_at < end,
            )
            .order_by(Comment.number)
        )
    )


def theme_map(
    consultation: Consultation, edits: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return (key -> shown label, key -> key it is merged into) after staff renames and merges."""
    themes = db.session.scalars(
        select(Theme).where(Theme.consultation_id == consultation.id, Theme.active)
    ).all()
    labels = {t.key: edits.get("renames", {}).get(t.key, t.label) for t in themes}
    merged = {t.key: edits.get("merges", {}).get(t.key, t.key) for t in themes}
    return labels, merged


def build_content(
    consultation: Consultation,
    run: AnalysisRun,
    period: Period,
    *,
    prepared_by: str,
    edits: dict[str, Any],
    version: int | None = None,
) -> dict[str, Any]:
    """Compute every section of the packet; raises PacketError when the analysis is out of date."""
    everything = _comments(consultation, period)
    published = [c for c in everything if c.status == CommentStatus.PUBLISHED]
    rows = {
        a.comment_id: a
        for a in db.session.scalars(select(CommentAnalysis).where(CommentAnalysis.run_id == run.id))
    }
    missing = [c.number for c in published if c.id not in rows]
    if missing:
        shown = ", ".join(f"#{n}" for n in missing[:10])
        raise PacketError(
            f"The latest analysis (run {run.id}) does not cover published comment(s) {shown}"
            f"{' and more' if len(missing) > 10 else ''}; run the analysis again."
        )
    labels, merged = theme_map(consultation, edits)
    positions = positions_section(published, rows)
    themes = theme_sections(run, published, rows, labels, merged, edits)
    campaigns = campaign_sections(run, published, rows)
    content = {
        "header": {
            "district": consultation.district.name,
            "subject": f"Public comment summary: {consultation.title}",
            "item_type": "Information item",
            "meeting_date": consultation.meeting_date.isoformat()
            if consultation.meeting_date
            else None,
            "agenda_item": consultation.agenda_item,
            "prepared_by": prepared_by,
            "version": version,
            "proposal": consultation.proposal,
            "analysis_run": run.id,
        },
        "period": period.as_content(),
        "records": records_summary(everything),
        "method": method_section(everything, published, run, labels, merged),
        "positions": positions,
        "themes": themes,
        "unthemed": sum(1 for c in published if not rows[c.id].themes and rows[c.id].analysed),
        "campaigns": campaigns,
        "tone": tone_section(published, rows, merged, labels),
        "surveys": survey_sections(consultation),
        "not_analysed": [
            {
                "number": c.number,
                "language": rows[c.id].language,
                "position": label_of(POSITION_LABELS, c.declared_position),
                "text": c.public_text,
            }
            for c in published
            if not rows[c.id].analysed
        ],
        "appendix": [
            {
                "number": c.number,
                "date": to_local(c.received_at).date().isoformat(),
                "role": label_of(ROLE_LABELS, c.stakeholder_role),
                "position": label_of(POSITION_LABELS, c.declared_position),
                "channel": label_of(CHANNEL_LABELS, c.channel),
                "text": c.public_text,
            }
            for c in published
        ],
    }
    executive_summary(content, consultation.title, edits.get("summary"))
    return content
