"""Survey results: tallies, shares and role cross-tabs from the stored answers, kind by kind."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from forum.choices import ROLE_LABELS
from forum.models import (
    StakeholderRole,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from forum.surveys.kinds import kind_of
from forum.surveys.kinds.base import RoleAnswers


def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))  # type: ignore[call-overload]


def _answers_by_question(survey: Survey) -> tuple[dict[int, RoleAnswers], Counter[str]]:
    """Every stored answer as (respondent role, value), and the number of responses per role."""
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyResponse.stakeholder_role, SurveyAnswer.value)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.id)
    ).all()
    by_question: dict[int, RoleAnswers] = defaultdict(list)
    for question_id, role, value in rows:
        by_question[question_id].append((role, value))
    roles: Counter[str] = Counter(
        {
            role: count
            for role, count in db.session.execute(
                select(SurveyResponse.stakeholder_role, func.count())
                .where(SurveyResponse.survey_id == survey.id)
                .group_by(SurveyResponse.stakeholder_role)
            ).tuples()
        }
    )
    return by_question, roles


def results(survey: Survey, *, public_only: bool = False) -> dict[str, Any]:
    """Tallies, percentages and role cross-tabs for every question, from the stored answers."""
    by_question, role_totals = _answers_by_question(survey)
    roles = [r.value for r in StakeholderRole if role_totals.get(r.value)]
    questions = []
    for question in survey.questions:
        if public_only and not question.results_public:
            continue
        answers = by_question.get(question.id, [])
        questions.append(question_result(question, answers, roles))
    return {
        "survey_id": survey.id,
        "title": survey.title,
        "responses": sum(role_totals.values()),
        "roles": [{"key": r, "label": role_label(r), "responses": role_totals[r]} for r in roles],
        "questions": questions,
    }


def question_result(
    question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
) -> dict[str, Any]:
    """One question's results: who answered, the kind's own tally, and what its chart shows."""
    kind = kind_of(question)
    answered_by_role = Counter(role for role, _value in answers)
    result: dict[str, Any] = {
        "id": question.id,
        "position": question.position,
        "kind": question.kind,
        "prompt": question.prompt,
        "answered": len(answers),
        "answered_by_role": {r: answered_by_role[r] for r in roles},
    }
    result.update(kind.tally(question, answers, roles))
    chart = kind.chart(result)
    if chart is not None:
        result["chart_values"], result["chart_axis"] = chart
    return result


def chart_alt(question_result: dict[str, Any]) -> str:
    """The chart's text alternative, from the same numbers as the table."""
    parts = ", ".join(
        f"{row['label']}: {value}"
        for row, value in zip(question_result["rows"], question_result["chart_values"], strict=True)
    )
    return _(
        "%(prompt)s (%(axis)s, of %(answered)s answering) %(parts)s.",
        prompt=question_result["prompt"],
        axis=question_result["chart_axis"],
        answered=question_result["answered"],
        parts=parts,
    )


def results_visible_to_public(survey: Survey) -> bool:
    return survey.status != SurveyStatus.DRAFT and (
        not survey.hide_results_until_closed or survey.is_closed()
    )
