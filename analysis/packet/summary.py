"""The executive summary: sentences filled in from the packet's own numbers."""

from __future__ import annotations

import re
from typing import Any

from analysis.packet.sections import STANCES
from forum.models import Consultation


def share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _top(rows: list[dict[str, Any]], stance_total: int) -> str:
    return ", ".join(f"{r['label']} ({r['count']})" for r in rows[:3]) if stance_total else ""


def executive_summary(content: dict[str, Any], consultation: Consultation) -> list[str]:
    """Sentences filled in from the packet's own numbers; no model writes free text."""
    records, positions = content["records"], content["positions"]
    total = positions["total"]["total"]
    counts = positions["total"]["counts"]
    paragraphs = [
        f"Between {content['period']['start']} and {content['period']['end']}, the district received "
        f"{records['received']} comments on “{consultation.title}” from {content['method']['people']} people; "
        f"{records['published']} are published and summarised here.",
        f"Of the {total} published comments, {counts['support']} ({share(counts['support'], total)}%) support the "
        f"proposal, {counts['oppose']} ({share(counts['oppose'], total)}%) oppose it, {counts['mixed']} are mixed, "
        f"{counts['neutral']} are neutral and {counts['unknown']} could not be classified.",
    ]
    for row in positions["rows"]:
        if row["total"] >= 10:
            leading = max(STANCES[:4], key=lambda s: row["counts"][s])
            paragraphs.append(
                f"{row['label']}: {row['counts'][leading]} of {row['total']} {leading} the proposal."
                if leading in ("support", "oppose")
                else f"{row['label']}: {row['counts'][leading]} of {row['total']} are {leading}."
            )
    if content["themes"]:
        paragraphs.append(f"The themes raised most often were {_top(content['themes'], total)}.")
    for campaign in content["campaigns"][:2]:
        paragraphs.append(
            f"{campaign['comments']} comments from {campaign['people']} people repeat one form letter "
            f"(see comment #{campaign['template_number']})."
        )
    for survey in content.get("surveys", []):
        paragraphs.append(
            f"The survey “{survey['title']}” received {survey['responses']} responses; "
            "its results by stakeholder role are in the survey section."
        )
    paragraphs.append(
        "People chose to comment: these figures describe the people who commented, not the "
        "district's population, and this is not a poll."
    )
    return [re.sub(r"\s+", " ", p).strip() for p in paragraphs]
