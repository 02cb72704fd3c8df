"""Checks run at every build: quotes are verbatim and safe, every number is recounted, records add up."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from analysis.models import AnalysisRun, CommentAnalysis
from analysis.packet.build import (
    STANCES,
    PacketError,
    Period,
    build_content,
    covered_by,
    theme_map,
)
from analysis.packet.recount import (
    check_quote_footers,
    check_sources,
    check_summary,
    compare,
    listed,
)
from extensions import db
from forum.models import Comment, CommentStatus, Consultation, SurveyAnswer, SurveyResponse


def _by_number(consultation: Consultation) -> dict[int, Comment]:
    return {
        c.number: c
        for c in db.session.scalars(
            select(Comment).where(Comment.consultation_id == consultation.id)
        )
    }


def check_quotes(content: dict[str, Any], comments: dict[int, Comment]) -> list[str]:
    problems = []

    def verify(where: str, number: int, text: str, whole: bool) -> None:
        comment = comments.get(number)
        if comment is None or comment.status != CommentStatus.PUBLISHED:
            problems.append(f"{where}: comment #{number} is not a published comment")
        elif (text != comment.public_text) if whole else (text not in comment.public_text):
            problems.append(
                f"{where}: the quote of #{number} does not match the comment character for character"
            )

    for theme in content["themes"]:
        for quote in theme["quotes"]:
            verify(f"theme “{theme['label']}”", quote["number"], quote["text"], whole=False)
    for campaign in content["campaigns"]:
        if campaign["template_text"] is not None:
            verify(
                f"campaign {campaign['key']}",
                campaign["template_number"],
                campaign["template_text"],
                whole=True,
            )
        for added in campaign.get("additions", []):
            verify(f"campaign {campaign['key']} addition", added["number"], added["text"], False)
    for entry in content["not_analysed"]:
        verify("comments not analysed", entry["number"], entry["text"], whole=True)
    for entry in content["appendix"]:
        verify("appendix A", entry["number"], entry["text"], whole=True)
    return problems


def check_numbers(
    content: dict[str, Any], consultation: Consultation, period: Period, edits: dict[str, Any]
) -> list[str]:
    """Recount from the database with plain queries and compare with every count in the packet."""
    problems = []
    start, end = period.bounds()
    in_period = (
        Comment.consultation_id == consultation.id,
        Comment.received_at >= start,
        Comment.received_at < end,
    )
    status: dict[str, int] = dict(
        db.session.execute(
            select(Comment.status, func.count()).where(*in_period).group_by(Comment.status)
        )
        .tuples()
        .all()
    )
    records = content["records"]
    expected = {
        "received": sum(status.values()),
        "published": status.get(CommentStatus.PUBLISHED, 0),
        "withdrawn": status.get(CommentStatus.WITHDRAWN, 0),
        "pending": status.get(CommentStatus.PENDING, 0),
        "hidden_total": status.get(CommentStatus.HIDDEN, 0),
    }
    for key, value in expected.items():
        if records[key] != value:
            problems.append(
                f"records summary: {key} is {records[key]} in the packet but {value} in the database"
            )
    if (
        records["received"]
        != records["published"]
        + records["hidden_total"]
        + records["withdrawn"]
        + records["pending"]
    ):
        problems.append("records summary: received ≠ published + hidden + withdrawn + pending")
    if sum(records["hidden"].values()) != records["hidden_total"]:
        problems.append("records summary: hidden by reason does not add up to hidden")

    run_id = content["header"]["analysis_run"]
    rows = db.session.execute(
        select(Comment.stakeholder_role, CommentAnalysis.stance, CommentAnalysis.themes)
        .join(CommentAnalysis, CommentAnalysis.comment_id == Comment.id)
        .where(
            *in_period, Comment.status == CommentStatus.PUBLISHED, CommentAnalysis.run_id == run_id
        )
    ).all()
    by_role = Counter((role, stance) for role, stance, _ in rows)
    for row in content["positions"]["rows"]:
        for stance in STANCES:
            if row["counts"][stance] != by_role[(row["key"], stance)]:
                problems.append(
                    f"positions: {row['label']} / {stance} is {row['counts'][stance]} in the packet "
                    f"but {by_role[(row['key'], stance)]} in the database"
                )
    if content["positions"]["total"]["total"] != len(rows):
        problems.append(
            f"positions: total is {content['positions']['total']['total']} but {len(rows)} comments were analysed"
        )
    labels, merged = theme_map(consultation, edits)
    theme_counts = Counter(
        key
        for _, _, themes in rows
        for key in {merged.get(k, k) for k in themes if merged.get(k, k) in labels}
    )
    for theme in content["themes"]:
        if theme["count"] != theme_counts[theme["key"]]:
            problems.append(
                f"theme “{theme['label']}”: {theme['count']} in the packet but {theme_counts[theme['key']]} in the database"
            )
    problems += check_survey_numbers(content.get("surveys", []))
    return problems


def check_survey_numbers(surveys: list[dict[str, Any]]) -> list[str]:
    """Recount each survey's responses and each question's answers with plain queries."""
    problems = []
    for survey in surveys:
        responses = db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey["survey_id"])
        )
        if survey["responses"] != responses:
            problems.append(
                f"survey “{survey['title']}”: {survey['responses']} responses in the packet but "
                f"{responses} in the database"
            )
        answered: dict[int, int] = dict(
            db.session.execute(
                select(SurveyAnswer.question_id, func.count())
                .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
                .where(SurveyResponse.survey_id == survey["survey_id"])
                .group_by(SurveyAnswer.question_id)
            )
            .tuples()
            .all()
        )
        for question in survey["questions"]:
            if question["answered"] != answered.get(question["id"], 0):
                problems.append(
                    f"survey question “{question['prompt']}”: {question['answered']} answers in the "
                    f"packet but {answered.get(question['id'], 0)} in the database"
                )
            adds_up = sum(row["count"] for row in question.get("rows", [])) == question["answered"]
            if question["kind"] in ("single", "scale") and not adds_up:
                problems.append(
                    f"survey question “{question['prompt']}”: the options do not add up"
                )
    return problems


def _as_stored(content: dict[str, Any]) -> Any:
    return json.loads(json.dumps(content, sort_keys=True))


def check_packet(
    content: dict[str, Any], consultation: Consultation, period: Period, edits: dict[str, Any]
) -> None:
    """Raise PacketError naming every mismatch; return quietly when the packet is grounded."""
    run = db.session.get(AnalysisRun, content["header"]["analysis_run"])
    if run is None:
        raise PacketError("The packet names an analysis run that does not exist.")
    period = covered_by(period, run)
    comments = _by_number(consultation)
    problems = check_quotes(content, comments)
    problems += check_numbers(content, consultation, period, edits)
    start, end = period.bounds()
    in_period = (
        Comment.consultation_id == consultation.id,
        Comment.received_at >= start,
        Comment.received_at < end,
    )
    problems += check_sources(content, run.id, in_period)
    problems += check_quote_footers(content, comments)
    published = set(
        db.session.scalars(
            select(Comment.number).where(*in_period, Comment.status == CommentStatus.PUBLISHED)
        )
    )
    problems += check_summary(content, published)
    # Every other slot (tone, themes by role and position, campaigns, channels, schools, the
    # unthemed count, survey tables, the run's accuracy figures): recounted and compared.
    recounted = build_content(
        consultation,
        run,
        period,
        prepared_by=content["header"]["prepared_by"],
        edits=edits,
        version=content["header"]["version"],
    )
    # Both as they are stored (JSON), so a tuple and a list, or 1 and 1.0, are not differences.
    problems += compare(_as_stored(content), _as_stored(recounted))
    if problems:
        raise PacketError("The packet failed its checks:\n- " + "\n- ".join(listed(problems)))
