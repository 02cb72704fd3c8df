"""Answering surveys: each answer checked by its question's kind, then stored with the response.

Answers are checked here, not in the form, so the web form, the demo seed and any import all
obey the same rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from forum.choices import LANGUAGES
from forum.exceptions import CommentingClosed, ForumError, InvalidChoice, NotAllowed
from forum.models import (
    Consultation,
    School,
    StakeholderRole,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from forum.surveys.kinds import kind_of

logger = logging.getLogger(__name__)


class AnswersInvalid(ForumError):
    """One or more answers break their question's rules; errors maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need attention; see the messages by each question."))
        self.errors = errors


class AlreadyResponded(ForumError):
    def __init__(self, response: SurveyResponse) -> None:
        super().__init__(_("You have already answered this survey."))
        self.response = response


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not raw or all(_is_blank(item) for item in raw)
    if isinstance(raw, dict):
        return all(_is_blank(item) for item in raw.values())
    return False


def clean_answer(question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
    """Return the value to store (None for a skipped optional question) or raise ForumError."""
    if _is_blank(raw):
        if question.required:
            raise ForumError(_("Answer this question; it is required."))
        return None
    return kind_of(question).clean(question, raw, max_chars=max_chars)


def clean_answers(survey: Survey, raw_answers: dict[int, Any], *, max_chars: int) -> dict[int, Any]:
    """Check every answer; raise AnswersInvalid with a message per question that fails."""
    cleaned: dict[int, Any] = {}
    errors: dict[str, str] = {}
    known = {q.id for q in survey.questions}
    if set(raw_answers) - known:
        raise InvalidChoice(_("The form does not match this survey; reload the page."))
    for question in survey.questions:
        try:
            cleaned[question.id] = clean_answer(
                question, raw_answers.get(question.id), max_chars=max_chars
            )
        except ForumError as error:
            errors[question.field_name] = error.message
    if errors:
        raise AnswersInvalid(errors)
    return cleaned


@dataclass
class Respondent:
    """Who answers: the same role, school and language questions as the comment form."""

    stakeholder_role: str
    school_id: int | None = None
    preferred_language: str = "en"


def _check_respondent(consultation: Consultation, respondent: Respondent) -> None:
    errors: dict[str, str] = {}
    roles = [r.value for r in StakeholderRole if r is not StakeholderRole.NOT_STATED]
    if respondent.stakeholder_role not in roles:
        errors["stakeholder_role"] = _("Choose the role that fits you best.")
    if respondent.preferred_language not in LANGUAGES:
        errors["preferred_language"] = _("Choose one of the listed languages.")
    if respondent.school_id is not None:
        school = db.session.get(School, respondent.school_id)
        if school is None or school.district_id != consultation.district_id:
            errors["school_id"] = _("Choose a school from the list.")
    if errors:
        raise AnswersInvalid(errors)


def find_by_idempotency_key(key: str) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(SurveyResponse.idempotency_key == key))


def is_same_response(
    response: SurveyResponse,
    survey: Survey,
    respondent: Respondent,
    raw_answers: dict[int, Any],
    *,
    max_chars: int,
) -> bool:
    """Whether these are the answers stored under the same form key: a replay, not new answers."""
    stored_respondent = (response.stakeholder_role, response.school_id, response.preferred_language)
    if stored_respondent != (
        respondent.stakeholder_role,
        respondent.school_id,
        respondent.preferred_language,
    ):
        return False
    try:
        cleaned = clean_answers(survey, raw_answers, max_chars=max_chars)
    except ForumError:
        return False
    given = {question_id: value for question_id, value in cleaned.items() if value is not None}
    return given == {answer.question_id: answer.value for answer in response.answers}


def existing_response(survey: Survey, user: User | None) -> SurveyResponse | None:
    if user is None:
        return None
    return db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.respondent_id == user.id
        )
    )


def submit_response(
    survey: Survey,
    respondent: Respondent,
    raw_answers: dict[int, Any],
    *,
    user: User | None,
    idempotency_key: str | None,
    max_chars: int,
    received_at: Any = None,
    enforce_period: bool = True,
) -> SurveyResponse:
    """Check and store one response with its answers; long-text answers become comments.

    Everything is flushed in the caller's transaction, so a refusal stores nothing.
    """
    consultation = survey.consultation
    if enforce_period and not survey.accepts_responses():
        raise CommentingClosed(_("This survey is not accepting responses."))
    if user is not None and user.is_blocked:
        raise NotAllowed(_("Your account cannot answer surveys at the moment."))
    if user is None and not consultation.allow_guest_comments:
        raise NotAllowed(_("Sign in to answer this survey."))
    earlier = existing_response(survey, user)
    if earlier is not None:
        raise AlreadyResponded(earlier)
    errors: dict[str, str] = {}
    try:
        _check_respondent(consultation, respondent)
    except AnswersInvalid as invalid:
        errors.update(invalid.errors)
    try:
        cleaned = clean_answers(survey, raw_answers, max_chars=max_chars)
    except AnswersInvalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise AnswersInvalid(errors)

    response = SurveyResponse(
        survey_id=survey.id,
        respondent_id=user.id if user is not None else None,
        stakeholder_role=respondent.stakeholder_role,
        school_id=respondent.school_id,
        preferred_language=respondent.preferred_language,
        idempotency_key=idempotency_key,
    )
    if received_at is not None:
        response.submitted_at = received_at
    db.session.add(response)
    db.session.flush()
    for question in survey.questions:
        value = cleaned[question.id]
        if value is None:
            continue
        answer = SurveyAnswer(response_id=response.id, question_id=question.id, value=value)
        kind_of(question).after_store(
            answer, response, consultation, author=user, max_chars=max_chars
        )
        db.session.add(answer)
    db.session.flush()
    logger.debug("stored survey response %s on survey %s", response.id, survey.id)
    return response
