"""The sections of a board packet, each computed from the comments and their analysis."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from analysis.models import AnalysisRun, Campaign, CommentAnalysis, RepresentativeQuote
from analysis.packet.charts import positions_chart
from analysis.packet.groups import compare_groups, in_words
from analysis.packet.quality import stance_rule, theme_estimates
from analysis.training import saved_metrics
from extensions import db
from forum import surveys as survey_service
from forum.charts import bar_chart
from forum.choices import CHANNEL_LABELS, ROLE_LABELS
from forum.models import Comment, CommentStatus, Consultation, School
from moderation.models import Redaction, ReviewReason
from moderation.rules import HIDE_REASONS

STANCES = ["support", "oppose", "mixed", "neutral", "unknown"]
QUOTE_LIMIT = 420
MIN_QUOTES, MAX_QUOTES = 2, 4


def label_of(mapping: dict, key: str | None) -> str:
    return str(mapping.get(key, key or "not stated"))


def verbatim_excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The comment itself, or its first whole sentences up to the limit: always an exact substring."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in (". ", "! ", "? ", "\n"))
    return text[: cut + 1] if cut > limit // 3 else text[:limit]


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


SOURCES = ("declared", "predicted", "unknown")


def positions_section(published: list[Comment], rows: dict[int, CommentAnalysis]) -> dict[str, Any]:
    """Positions by role and by school, each count split into declared and predicted."""
    by_role: dict[str, Counter] = defaultdict(Counter)
    by_school: dict[str, Counter] = defaultdict(Counter)
    sources = Counter(rows[c.id].stance_source for c in published)
    schools = {s.id: s.name for s in db.session.scalars(select(School))}
    for comment in published:
        key = (rows[comment.id].stance, rows[comment.id].stance_source)
        by_role[comment.stakeholder_role][key] += 1
        if comment.school_id:
            by_school[schools[comment.school_id]][key] += 1

    def row(key: str, label: str, counts: Counter) -> dict[str, Any]:
        return {
            "key": key,
            "label": label,
            "counts": {s: sum(counts[(s, src)] for src in SOURCES) for s in STANCES},
            # "said so" and "predicted from the text" kept apart in every table and sentence
            "declared": {s: counts[(s, "declared")] for s in STANCES},
            "predicted": {s: counts[(s, "predicted")] for s in STANCES},
            "total": sum(counts.values()),
        }

    def table(groups: dict[str, Counter], name_of) -> list[dict[str, Any]]:
        ordered = sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))
        return [row(key, name_of(key), counts) for key, counts in ordered]

    total: Counter = Counter()
    for counts in by_role.values():
        total.update(counts)
    role_rows = table(by_role, lambda key: label_of(ROLE_LABELS, key))
    school_rows = table(by_school, lambda key: key)
    everyone = row("all", "All roles", total)
    compare_groups(role_rows, everyone)
    compare_groups(school_rows, everyone)
    chart_svg, chart_alt = positions_chart(role_rows, STANCES)
    return {
        "columns": STANCES,
        "rows": role_rows,
        "total": everyone,
        "by_school": school_rows,
        "role_differences": in_words(role_rows),
        "school_differences": in_words(school_rows),
        "sources": {s: sources[s] for s in SOURCES},
        "chart_svg": chart_svg,
        "chart_alt": chart_alt,
    }


def unsafe_to_quote(comment_ids: list[int]) -> set[int]:
    """Comments a packet never quotes: an open flag or review reason, or any redaction."""
    if not comment_ids:
        return set()
    held = db.session.scalars(
        select(ReviewReason.comment_id).where(
            ReviewReason.comment_id.in_(comment_ids), ReviewReason.cleared_at.is_(None)
        )
    )
    redacted = db.session.scalars(
        select(Redaction.comment_id).where(Redaction.comment_id.in_(comment_ids))
    )
    marked = db.session.scalars(
        select(Comment.id).where(Comment.id.in_(comment_ids), Comment.redacted_text.is_not(None))
    )
    return set(held) | set(redacted) | set(marked)


def theme_sections(
    run: AnalysisRun,
    published: list[Comment],
    rows: dict[int, CommentAnalysis],
    labels: dict[str, str],
    merged: dict[str, str],
    edits: dict[str, Any],
) -> list[dict[str, Any]]:
    unsafe = unsafe_to_quote([c.id for c in published])
    by_id = {c.id: c for c in published if c.id not in unsafe}
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
        numbers_to_ids = {c.number: c.id for c in members[key] if c.id in by_id}
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
                "by_position_predicted": {
                    s: sum(
                        1
                        for c in members[key]
                        if rows[c.id].stance == s and rows[c.id].stance_source == "predicted"
                    )
                    for s in STANCES[:4]
                },
                "quotes": [_quote(by_id[i], rows[i]) for i in ids[:MAX_QUOTES]],
                "candidates": [c.number for c in members[key] if c.id in by_id],
                "estimate": _estimate(run, key, merged),
            }
        )
    return themes


def _estimate(run: AnalysisRun, key: str, merged: dict[str, str]) -> dict[str, Any] | None:
    """The run's estimated count and 95% interval for a theme, with its coded sample; none for
    a theme staff merged others into (the run measured each theme on its own)."""
    figures = ((run.metrics.get("themes") or {}).get("per_theme") or {}).get(key)
    if not isinstance(figures, dict) or any(k != key and v == key for k, v in merged.items()):
        return None
    names = ("estimate", "low", "high", "coded", "coded_positive")
    return {name: figures.get(name) for name in names} | {
        "coded_comments": (run.metrics.get("themes") or {}).get("coded_comments")
    }


def _quote(comment: Comment, analysis: CommentAnalysis) -> dict[str, Any]:
    text = verbatim_excerpt(comment.public_text)
    return {
        "number": comment.number,
        "text": text,
        "excerpt": text != comment.public_text,
        "role": label_of(ROLE_LABELS, comment.stakeholder_role),
        "position": analysis.stance,
        "position_source": analysis.stance_source,  # declared, predicted or unknown
    }


def campaign_sections(
    run: AnalysisRun, published: list[Comment], rows: dict[int, CommentAnalysis]
) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in published}
    unsafe = unsafe_to_quote(list(by_id))
    found = []
    for campaign in db.session.scalars(select(Campaign).where(Campaign.run_id == run.id)):
        in_period = [i for i in campaign.member_ids if i in by_id]
        if len(in_period) < 2 or campaign.template_comment_id not in by_id:
            continue
        template = by_id[campaign.template_comment_id]

        # The letter is printed as one sender sent it: the template, or if that is flagged,
        # held or redacted, a copy that is not, preferring one with nothing added (None when
        # every copy is unsafe to quote).
        def added(i: int) -> bool:
            return bool(i in rows and rows[i].campaign_addition)

        safe = sorted(
            (i for i in in_period if i not in unsafe), key=lambda i: (added(i), by_id[i].number)
        )
        shown = template if template.id not in unsafe else (by_id[safe[0]] if safe else None)
        people = {(by_id[i].author_id, by_id[i].author_name.casefold()) for i in in_period}
        found.append(
            {
                "key": campaign.key,
                "comments": len(in_period),
                "people": len(people),
                "template_number": (shown or template).number,
                "template_text": shown.public_text if shown is not None else None,
                # What senders added to the letter, in their own words: often the one new point.
                "additions": [
                    {"number": by_id[i].number, "text": rows[i].campaign_addition}
                    for i in sorted(in_period, key=lambda i: by_id[i].number)
                    if added(i) and i not in unsafe and (shown is None or i != shown.id)
                ],
            }
        )
    return sorted(found, key=lambda c: -c["comments"])


def tone_section(
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
        by_role[label_of(ROLE_LABELS, comment.stakeholder_role)][analysis.sentiment] += 1
        for key in {merged.get(k, k) for k in analysis.themes if merged.get(k, k) in labels}:
            by_theme[labels[key]][analysis.sentiment] += 1
    tones = ("negative", "neutral", "positive")
    return {
        "by_role": {k: {t: v[t] for t in tones} for k, v in sorted(by_role.items())},
        "by_theme": {k: {t: v[t] for t in tones} for k, v in sorted(by_theme.items())},
    }


def method_section(
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
            Counter(label_of(CHANNEL_LABELS, c.channel) for c in everything).most_common()
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
