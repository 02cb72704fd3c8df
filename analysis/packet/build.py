"""Build a packet's content from the database: numbers from statistics, text only verbatim."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from analysis.models import AnalysisRun, Campaign, CommentAnalysis, RepresentativeQuote, Theme
from analysis.packet.chart import positions_chart
from analysis.packet.quality import stance_rule, theme_estimates
from analysis.training import saved_metrics
from extensions import db
from forum.charts import bar_chart
from forum.choices import CHANNEL_LABELS, POSITION_LABELS, ROLE_LABELS
from forum.models import Comment, CommentStatus, Consultation, School
from forum.services import surveys as survey_service
from forum.timeutil import local_to_utc, to_local
from moderation.rules import HIDE_REASONS

STANCES = ["support", "oppose", "mixed", "neutral", "unknown"]
QUOTE_LIMIT = 420
MIN_QUOTES, MAX_QUOTES = 2, 4


class PacketError(RuntimeError):
    """The packet cannot be built or does not pass its checks; the message says why."""


@dataclass
class Period:
    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            local_to_utc(datetime.combine(self.start, time.min)),
            local_to_utc(datetime.combine(self.end + timedelta(days=1), time.min)),
        )


def default_period(consultation: Consultation) -> Period:
    return Period(to_local(consultation.opens_at).date(), to_local(consultation.closes_at).date())


def verbatim_excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The comment itself, or its first whole sentences up to the limit: always an exact substring."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in (". ", "! ", "? ", "\n"))
    return text[: cut + 1] if cut > limit // 3 else text[:limit]


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _label(mapping: dict, key: str | None) -> str:
    return str(mapping.get(key, key or "not stated"))


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
    positions = _positions(published, rows)
    themes = _themes(run, published, rows, labels, merged, edits)
    campaigns = _campaigns(run, published, rows)
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
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "records": records_summary(everything),
        "method": _method(everything, published, run, labels, merged),
        "positions": positions,
        "themes": themes,
        "unthemed": sum(1 for c in published if not rows[c.id].themes and rows[c.id].analysed),
        "campaigns": campaigns,
        "tone": _tone(published, rows, merged, labels),
        "surveys": survey_sections(consultation),
        "not_analysed": [
            {
                "number": c.number,
                "language": rows[c.id].language,
                "position": _label(POSITION_LABELS, c.declared_position),
                "text": c.public_text,
            }
            for c in published
            if not rows[c.id].analysed
        ],
        "appendix": [
            {
                "number": c.number,
                "date": to_local(c.received_at).date().isoformat(),
                "role": _label(ROLE_LABELS, c.stakeholder_role),
                "position": _label(POSITION_LABELS, c.declared_position),
                "channel": _label(CHANNEL_LABELS, c.channel),
                "text": c.public_text,
            }
            for c in published
        ],
    }
    content["summary"] = edits.get("summary") or executive_summary(content, consultation)
    return content


def survey_sections(consultation: Consultation) -> list[dict[str, Any]]:
    """Each published survey's results (questions whose results staff made public), with charts."""
    sections = []
    for survey in survey_service.listed_surveys(consultation):
        summary = survey_service.results(survey, public_only=True)
        for question in summary["questions"]:
            if "chart_values" in question and question["answered"]:
                question["chart_svg"] = bar_chart(
                    tuple(str(row["label"]) for row in question["rows"]),
                    tuple(question["chart_values"]),
                    question["chart_axis"],
                )
                question["chart_alt"] = survey_service.chart_alt(question)
        summary["private_questions"] = len(survey.questions) - len(summary["questions"])
        sections.append(summary)
    return sections


def records_summary(comments: list[Comment]) -> dict[str, Any]:
    status = Counter(c.status for c in comments)
    hidden = Counter(
        c.hidden_reason or "unspecified" for c in comments if c.status == CommentStatus.HIDDEN
    )
    return {
        "received": len(comments),
        "published": status[CommentStatus.PUBLISHED],
        "hidden": dict(sorted(hidden.items())),
        "hidden_total": sum(hidden.values()),
        "withdrawn": status[CommentStatus.WITHDRAWN],
        "pending": status[CommentStatus.PENDING],
    }


def _positions(published: list[Comment], rows: dict[int, CommentAnalysis]) -> dict[str, Any]:
    by_role: dict[str, Counter] = defaultdict(Counter)
    by_school: dict[str, Counter] = defaultdict(Counter)
    sources = Counter(rows[c.id].stance_source for c in published)
    schools = {s.id: s.name for s in db.session.scalars(select(School))}
    for comment in published:
        stance = rows[comment.id].stance
        by_role[comment.stakeholder_role][stance] += 1
        if comment.school_id:
            by_school[schools[comment.school_id]][stance] += 1

    def table(groups: dict[str, Counter], name_of) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": name_of(key),
                "counts": {s: counts[s] for s in STANCES},
                "total": sum(counts.values()),
            }
            for key, counts in sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))
        ]

    total: Counter[str] = Counter()
    for counts in by_role.values():
        total.update(counts)
    role_rows = table(by_role, lambda key: _label(ROLE_LABELS, key))
    chart_svg, chart_alt = positions_chart(role_rows, STANCES)
    return {
        "columns": STANCES,
        "rows": role_rows,
        "total": {"counts": {s: total[s] for s in STANCES}, "total": sum(total.values())},
        "by_school": table(by_school, lambda key: key),
        "sources": {s: sources[s] for s in ("declared", "predicted", "unknown")},
        "chart_svg": chart_svg,
        "chart_alt": chart_alt,
    }


def _themes(
    run: AnalysisRun,
    published: list[Comment],
    rows: dict[int, CommentAnalysis],
    labels: dict[str, str],
    merged: dict[str, str],
    edits: dict[str, Any],
) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in published}
    members: dict[str, list[Comment]] = defaultdict(list)
    for comment in published:
        for key in {
            merged.get(k, k) for k in rows[comment.id].themes if merged.get(k, k) in labels
        }:
            members[key].append(comment)
    suggested: dict[str, list[int]] = defaultdict(list)
    for quote in db.session.scalars(
        select(RepresentativeQuote)
        .where(RepresentativeQuote.run_id == run.id, RepresentativeQuote.group_type == "theme")
        .order_by(RepresentativeQuote.rank)
    ):
        target = merged.get(quote.group_key, quote.group_key)
        if quote.comment_id in by_id and quote.comment_id not in suggested[target]:
            suggested[target].append(quote.comment_id)
    themes = []
    for key in sorted(members, key=lambda k: -len(members[k])):
        if merged.get(key, key) != key:
            continue
        chosen = edits.get("quotes", {}).get(key)
        numbers_to_ids = {c.number: c.id for c in members[key]}
        ids = (
            [numbers_to_ids[n] for n in chosen if n in numbers_to_ids]
            if chosen is not None
            else suggested[key][:MAX_QUOTES]
        )
        themes.append(
            {
                "key": key,
                "label": labels[key],
                "count": len(members[key]),
                "by_role": dict(Counter(c.stakeholder_role for c in members[key]).most_common()),
                "by_position": {
                    s: sum(1 for c in members[key] if rows[c.id].stance == s) for s in STANCES
                },
                "quotes": [_quote(by_id[i], rows[i]) for i in ids[:MAX_QUOTES]],
                "candidates": [c.number for c in members[key]],
            }
        )
    return themes


def _quote(comment: Comment, analysis: CommentAnalysis) -> dict[str, Any]:
    text = verbatim_excerpt(comment.public_text)
    return {
        "number": comment.number,
        "text": text,
        "excerpt": text != comment.public_text,
        "role": _label(ROLE_LABELS, comment.stakeholder_role),
        "position": analysis.stance,
    }


def _campaigns(
    run: AnalysisRun, published: list[Comment], rows: dict[int, CommentAnalysis]
) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in published}
    found = []
    for campaign in db.session.scalars(select(Campaign).where(Campaign.run_id == run.id)):
        in_period = [i for i in campaign.member_ids if i in by_id]
        if len(in_period) < 2 or campaign.template_comment_id not in by_id:
            continue
        template = by_id[campaign.template_comment_id]
        people = {(by_id[i].author_id, by_id[i].author_name.casefold()) for i in in_period}
        found.append(
            {
                "key": campaign.key,
                "comments": len(in_period),
                "people": len(people),
                "template_number": template.number,
                "template_text": template.public_text,
                # What senders added to the letter, in their own words: often the one new point.
                "additions": [
                    {"number": by_id[i].number, "text": rows[i].campaign_addition}
                    for i in sorted(in_period, key=lambda i: by_id[i].number)
                    if i in rows and rows[i].campaign_addition
                ],
            }
        )
    return sorted(found, key=lambda c: -c["comments"])


def _tone(
    published: list[Comment],
    rows: dict[int, CommentAnalysis],
    merged: dict[str, str],
    labels: dict[str, str],
) -> dict[str, Any]:
    by_role: dict[str, Counter] = defaultdict(Counter)
    by_theme: dict[str, Counter] = defaultdict(Counter)
    for comment in published:
        analysis = rows[comment.id]
        if analysis.sentiment is None:
            continue
        by_role[_label(ROLE_LABELS, comment.stakeholder_role)][analysis.sentiment] += 1
        for key in {merged.get(k, k) for k in analysis.themes if merged.get(k, k) in labels}:
            by_theme[labels[key]][analysis.sentiment] += 1
    tones = ("negative", "neutral", "positive")
    return {
        "by_role": {k: {t: v[t] for t in tones} for k, v in sorted(by_role.items())},
        "by_theme": {k: {t: v[t] for t in tones} for k, v in sorted(by_theme.items())},
    }


def _method(
    everything: list[Comment],
    published: list[Comment],
    run: AnalysisRun,
    labels: dict[str, str],
    merged: dict[str, str],
) -> dict[str, Any]:
    stance = run.metrics.get("stance", {})
    heads = saved_metrics()
    return {
        "channels": dict(
            Counter(_label(CHANNEL_LABELS, c.channel) for c in everything).most_common()
        ),
        "people": len({(c.author_id, c.author_name.casefold()) for c in published}),
        "hidden_reasons": {code: str(text) for code, text in HIDE_REASONS.items()},
        "stance_declared": stance.get("declared"),
        "stance_rule": stance_rule(stance.get("deployed")),
        "coded_comments": (run.metrics.get("themes") or {}).get("coded_comments"),
        "theme_estimates": theme_estimates(run, labels, merged),
        "sentiment_macro_recall": heads.get("sentiment_val_macro_recall"),
        "encoder": run.manifest.get("encoder"),
    }


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
