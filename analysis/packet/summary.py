"""The executive summary: sentence templates whose every number is a named statistic's slot."""

from __future__ import annotations

import re
from typing import Any

from analysis.packet.statistics import STANCES, fill, statistics


def _role_sentence(row: dict[str, Any], leading: str) -> str:
    """“Parent: 30 of 52 support the proposal (25 said so, 5 predicted from their text).”"""
    p = f"role.{row['key']}."
    claim = f"{leading} the proposal" if leading in ("support", "oppose") else f"are {leading}"
    return (
        f"{{{{{p}label}}}}: {{{{{p}{leading}.total}}}} of {{{{{p}total}}}} {claim} "
        f"({{{{{p}{leading}.declared}}}} said so, {{{{{p}{leading}.predicted}}}} predicted "
        "from their text)."
    )


def summary_templates(content: dict[str, Any]) -> list[str]:
    """The generated summary as templates: no model writes free text, and no number is typed."""
    positions = content["positions"]
    opening = (
        "Between {{period.start}} and {{period.cutoff}} (when this interim packet was cut off)"
        if content["period"]["cutoff"]
        else "Between {{period.start}} and {{period.end}}"
    )
    templates = [
        f"{opening}, the district received {{{{records.received}}}} comments on "
        "“{{consultation.title}}” from {{people}} people; {{records.published}} are published "
        "and summarised here.",
        "Of the {{all.total}} published comments, {{support.total}} ({{support.percent}}%) "
        "support the proposal: {{support.declared}} said so and {{support.predicted}} were "
        "predicted from their text. {{oppose.total}} ({{oppose.percent}}%) oppose it: "
        "{{oppose.declared}} said so and {{oppose.predicted}} were predicted. "
        "{{mixed.total}} are mixed ({{mixed.declared}} said so, {{mixed.predicted}} "
        "predicted), {{neutral.total}} neutral ({{neutral.declared}} said so, "
        "{{neutral.predicted}} predicted) and {{unknown.total}} could not be classified.",
    ]
    for row in positions["rows"]:
        if row["total"] >= 10:
            leading = max(STANCES[:4], key=lambda s: row["counts"][s])
            templates.append(_role_sentence(row, leading))
    if content["themes"] and positions["total"]["total"]:
        named = ", ".join(
            f"{{{{theme.{t['key']}.label}}}} ({{{{theme.{t['key']}.count}}}})"
            for t in content["themes"][:3]
        )
        templates.append(f"The themes raised most often were {named}.")
    for campaign in content["campaigns"][:2]:
        key = f"campaign.{campaign['key']}"
        templates.append(
            f"{{{{{key}.comments}}}} comments from {{{{{key}.people}}}} people repeat a form "
            f"letter (see comment #{{{{{key}.template}}}})."
        )
    for survey in content.get("surveys", []):
        key = f"survey.{survey['survey_id']}"
        templates.append(
            f"The survey “{{{{{key}.title}}}}” received {{{{{key}.responses}}}} responses; "
            "its results by stakeholder role are in the survey section."
        )
    templates.append(
        "People chose to comment: these figures describe the people who commented, not the "
        "district's population, and this is not a poll."
    )
    return [re.sub(r"\s+", " ", t).strip() for t in templates]


def executive_summary(content: dict[str, Any], title: str, edited: list[str] | None) -> None:
    """Set the summary's templates, its statistics and the sentences they fill in."""
    content["statistics"] = statistics(content, title)
    content["summary_templates"] = edited or summary_templates(content)
    content["summary"] = [fill(t, content["statistics"]) for t in content["summary_templates"]]
