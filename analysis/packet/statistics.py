"""Named statistics a packet's sentences cite as `{{support.declared}}` tokens, and the rules
for text: a number is only ever a token's value, never typed, never written as a word."""

from __future__ import annotations

import re
from typing import Any

TOKEN = re.compile(r"\{\{\s*([\w.\-]+)\s*\}\}")
COMMENT_REF = re.compile(r"#(\d+)\b")
BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NUMBER_WORD = re.compile(
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|dozens?|half|twice|thrice)\b",
    re.IGNORECASE,
)
STANCES = ("support", "oppose", "mixed", "neutral", "unknown")


def share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _positions(stats: dict[str, str], prefix: str, row: dict[str, Any]) -> None:
    stats[f"{prefix}total"] = str(row["total"])
    for stance in STANCES:
        stats[f"{prefix}{stance}.total"] = str(row["counts"][stance])
        stats[f"{prefix}{stance}.percent"] = str(share(row["counts"][stance], row["total"]))
        if stance != "unknown":
            stats[f"{prefix}{stance}.declared"] = str(row["declared"][stance])
            stats[f"{prefix}{stance}.predicted"] = str(row["predicted"][stance])


def statistics(content: dict[str, Any], title: str) -> dict[str, str]:
    """Every statistic a sentence may cite, by name, from the packet's recounted tables."""
    records, positions = content["records"], content["positions"]
    stats = {
        "consultation.title": title,
        "period.start": content["period"]["start"],
        "period.end": content["period"]["end"],
        "period.cutoff": content["period"]["cutoff"] or content["period"]["end"],
        "people": str(content["method"]["people"]),
        "unthemed": str(content["unthemed"]),
        "not_analysed": str(len(content["not_analysed"])),
    }
    for key in ("received", "published", "withdrawn", "pending", "hidden_total"):
        stats[f"records.{key}"] = str(records[key])
    for source, count in positions["sources"].items():
        stats[f"source.{source}"] = str(count)
    _positions(stats, "", positions["total"])
    stats["all.total"] = stats.pop("total")
    for row in positions["rows"]:
        stats[f"role.{row['key']}.label"] = row["label"]
        _positions(stats, f"role.{row['key']}.", row)
    for theme in content["themes"]:
        stats[f"theme.{theme['key']}.label"] = theme["label"]
        stats[f"theme.{theme['key']}.count"] = str(theme["count"])
    for campaign in content["campaigns"]:
        stats[f"campaign.{campaign['key']}.comments"] = str(campaign["comments"])
        stats[f"campaign.{campaign['key']}.people"] = str(campaign["people"])
        stats[f"campaign.{campaign['key']}.template"] = str(campaign["template_number"])
    for survey in content.get("surveys", []):
        stats[f"survey.{survey['survey_id']}.title"] = survey["title"]
        stats[f"survey.{survey['survey_id']}.responses"] = str(survey["responses"])
    return stats


def fill(template: str, stats: dict[str, str]) -> str:
    """The sentence with each token replaced by its statistic (an unknown token is left as is)."""
    return TOKEN.sub(lambda m: stats.get(m.group(1), m.group(0)), template)


def text_problems(template: str, stats: dict[str, str], comment_numbers: set[int]) -> list[str]:
    """What is wrong with one paragraph of summary text, each problem naming what it found."""
    problems = []
    where = f"“{template[:60]}…”" if len(template) > 60 else f"“{template}”"
    for key in TOKEN.findall(template):
        if key not in stats:
            problems.append(f"summary: {{{{{key}}}}} in {where} is not an available statistic")
    text = TOKEN.sub(" ", template)
    for number in COMMENT_REF.findall(text):
        if int(number) not in comment_numbers:
            problems.append(
                f"summary: #{number} in {where} is not a published comment of this packet's period"
            )
    text = COMMENT_REF.sub(" ", text)
    for number in BARE_NUMBER.findall(text):
        problems.append(
            f"summary: the number {number} in {where} is typed, not cited: use a statistic "
            "token such as {{support.declared}}, which the check recounts"
        )
    for word in NUMBER_WORD.findall(text):
        problems.append(
            f"summary: the number word “{word}” in {where} is not allowed: use a statistic token"
        )
    return problems
