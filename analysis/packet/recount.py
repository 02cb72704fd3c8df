"""The checks that bind every number to its statistic: the whole content is recounted from the
database and compared slot by slot, the summary's tokens are refilled, quotes are safe to print."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from analysis.models import CommentAnalysis
from analysis.packet.sections import SOURCES, STANCES, label_of, unsafe_to_quote
from analysis.packet.statistics import fill, text_problems
from extensions import db
from forum.choices import ROLE_LABELS
from forum.models import Comment, CommentStatus

MAX_LISTED = 25  # a check names at most this many differences; the rest are counted


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "…"


def compare(stated: Any, recounted: Any, path: str = "") -> list[str]:
    """Every slot of the packet against the same slot recounted from the database."""
    if isinstance(stated, dict) and isinstance(recounted, dict):
        problems = []
        for key in sorted(set(stated) | set(recounted), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in recounted:
                problems.append(f"{where}: in the packet but not in the recount")
            elif key not in stated:
                problems.append(f"{where}: missing from the packet")
            else:
                problems += compare(stated[key], recounted[key], where)
        return problems
    if isinstance(stated, list) and isinstance(recounted, list):
        if len(stated) != len(recounted):
            return [f"{path}: {len(stated)} entries in the packet but {len(recounted)} recounted"]
        problems = []
        for index, (a, b) in enumerate(zip(stated, recounted, strict=True)):
            problems += compare(a, b, f"{path}[{index}]")
        return problems
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (stated, recounted)
    )
    if (not numbers and type(stated) is not type(recounted)) or stated != recounted:
        return [f"{path}: {_show(stated)} in the packet but {_show(recounted)} in the database"]
    return []


def check_summary(content: dict[str, Any], comment_numbers: set[int]) -> list[str]:
    """Each paragraph must be its template filled with the recounted statistics."""
    stats, templates = content.get("statistics", {}), content.get("summary_templates", [])
    problems = []
    for template in templates:
        problems += text_problems(template, stats, comment_numbers)
    if len(templates) != len(content["summary"]):
        problems.append("summary: the paragraphs do not match their templates")
    for template, paragraph in zip(templates, content["summary"], strict=False):
        if fill(template, stats) != paragraph:
            problems += text_problems(paragraph, {}, comment_numbers) or [
                f"summary: “{paragraph[:60]}…” is not what its statistics say"
            ]
    return problems


def check_sources(content: dict[str, Any], run_id: int, in_period: tuple) -> list[str]:
    """Declared and predicted counts per role, recounted with one plain query."""
    rows = db.session.execute(
        select(Comment.stakeholder_role, CommentAnalysis.stance, CommentAnalysis.stance_source)
        .join(CommentAnalysis, CommentAnalysis.comment_id == Comment.id)
        .where(
            *in_period, Comment.status == CommentStatus.PUBLISHED, CommentAnalysis.run_id == run_id
        )
    ).all()
    counted: Counter[tuple[str, str, str]] = Counter(tuple(r) for r in rows)
    problems = []
    for row in content["positions"]["rows"]:
        for source in SOURCES[:2]:
            for stance in STANCES:
                stated, actual = row[source][stance], counted[(row["key"], stance, source)]
                if stated != actual:
                    problems.append(
                        f"positions: {row['label']} / {stance} {source} is {stated} in the packet "
                        f"but {actual} in the database"
                    )
    return problems


def check_quote_footers(content: dict[str, Any], comments: dict[int, Comment]) -> list[str]:
    """No quote from a comment under review, flagged or redacted; each footer matches it."""
    run_id = content["header"]["analysis_run"]
    quoted = [(t["label"], q) for t in content["themes"] for q in t["quotes"]]
    ids = {comments[q["number"]].id for _, q in quoted if q["number"] in comments}
    additions = [a["number"] for c in content["campaigns"] for a in c.get("additions", [])]
    letters = [c["template_number"] for c in content["campaigns"] if c["template_text"] is not None]
    ids |= {comments[n].id for n in additions + letters if n in comments}
    unsafe = unsafe_to_quote(sorted(ids))
    analyses = {
        a.comment_id: a
        for a in db.session.scalars(
            select(CommentAnalysis).where(
                CommentAnalysis.run_id == run_id, CommentAnalysis.comment_id.in_(ids)
            )
        )
    }
    problems = [
        f"campaign {what} #{n}: the comment is under review, flagged or redacted"
        for what, numbers in (("addition", additions), ("letter", letters))
        for n in numbers
        if n in comments and comments[n].id in unsafe
    ]
    for label, quote in quoted:
        comment = comments.get(quote["number"])
        if comment is None:
            continue  # check_quotes names it
        if comment.id in unsafe:
            problems.append(
                f"theme “{label}”: #{quote['number']} is under review, flagged or redacted"
            )
        analysis = analyses.get(comment.id)
        footer = (
            label_of(ROLE_LABELS, comment.stakeholder_role),
            analysis.stance if analysis else None,
            analysis.stance_source if analysis else None,
        )
        if (quote["role"], quote["position"], quote.get("position_source")) != footer:
            problems.append(
                f"theme “{label}”: the footer of #{quote['number']} says {quote['role']}, "
                f"{quote['position']} ({quote.get('position_source')}) but the comment is "
                f"{footer[0]}, {footer[1]} ({footer[2]})"
            )
    return problems


def listed(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED:
        return problems
    return [*problems[:MAX_LISTED], f"and {len(problems) - MAX_LISTED} more differences"]
