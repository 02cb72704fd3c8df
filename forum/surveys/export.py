"""Survey answers as text: on receipts, and in the staff's spreadsheet of every response."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from extensions import db
from forum.models import Survey, SurveyQuestion, SurveyResponse
from forum.sanitize import csv_cell
from forum.surveys.kinds import kind_of
from forum.surveys.results import role_label
from forum.timeutil import to_local


def answer_text(question: SurveyQuestion, value: Any) -> str:
    """An answer as a person reads it: option labels, ranks in order, the number or the text."""
    return kind_of(question).describe(question, value)


def csv_rows(survey: Survey) -> list[list[str]]:
    """One header row, then one row per response; every cell neutralised for spreadsheets."""
    questions = [(question, kind_of(question)) for question in survey.questions]
    header = ["response", "submitted_at", "role", "school", "language", "account"]
    for question, kind in questions:
        header.extend(kind.export_headers(question))
    rows = [header]
    responses = db.session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    )
    for response in responses:
        by_question = {a.question_id: a for a in response.answers}
        row = [
            str(response.id),
            to_local(response.submitted_at).isoformat(timespec="seconds"),
            role_label(response.stakeholder_role),
            response.school.name if response.school else "",
            response.preferred_language,
            "yes" if response.respondent_id else "no",
        ]
        for question, kind in questions:
            row.extend(kind.export_cells(question, by_question.get(question.id)))
        rows.append(row)
    return [[csv_cell(cell) for cell in row] for row in rows]
