"""Surveys: building them, answering them, and counting the answers.

Answers are checked here, not in the form, so the web form, the demo seed and any import all
obey the same rules. Once a survey has a response its questions are locked against changes
that would make stored answers mean something else.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from forum.choices import LANGUAGES, ROLE_LABELS
from forum.exceptions import CommentingClosed, ForumError, InvalidChoice, NotAllowed
from forum.models import (
    Channel,
    Consultation,
    QuestionKind,
    School,
    StakeholderRole,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
    User,
)
from forum.models.surveys import DONT_KNOW, OPTION_KINDS, SCALE_POINTS
from forum.sanitize import csv_cell
from forum.services import comments as comment_service
from forum.timeutil import to_local

logger = logging.getLogger(__name__)

KIND_LABELS = {
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.SCALE: _l("Agreement scale (five points and “Don't know”)"),
    QuestionKind.RANKING: _l("Ranking"),
    QuestionKind.NUMBER: _l("Number"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text (published as a comment)"),
}

SCALE_LABELS = {
    "1": _l("Strongly disagree"),
    "2": _l("Disagree"),
    "3": _l("Neither agree nor disagree"),
    "4": _l("Agree"),
    "5": _l("Strongly agree"),
    DONT_KNOW: _l("Don't know"),
}

MAX_OPTIONS = 20
SHORT_TEXT_MAX = 200
GUEST_NAME = "Survey respondent"


class SurveyLocked(ForumError):
    """The survey has responses, so this change would corrupt them."""


class AnswersInvalid(ForumError):
    """One or more answers break their question's rules; errors maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some answers need attention; see the messages by each question."))
        self.errors = errors


class AlreadyResponded(ForumError):
    def __init__(self, response: SurveyResponse) -> None:
        super().__init__(_("You have already answered this survey."))
        self.response = response


# ---------------------------------------------------------------------------------------------
# Building


@dataclass
class QuestionSpec:
    """What staff enter for one question; plain values, checked by validate_spec."""

    kind: str
    prompt: str
    help_text: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)
    max_choices: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    results_public: bool = True


def parse_options(text: str) -> list[str]:
    """One option per line, blank lines ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _validate_options(spec: QuestionSpec) -> None:
    if QuestionKind(spec.kind) not in OPTION_KINDS:
        if spec.options:
            raise ForumError(_("Only choice and ranking questions have options."), field="options")
        return
    if len(spec.options) < 2:
        raise ForumError(_("Give at least two options, one per line."), field="options")
    if len(spec.options) > MAX_OPTIONS:
        raise ForumError(_("Give at most %(n)s options.", n=MAX_OPTIONS), field="options")
    if len({o.casefold() for o in spec.options}) != len(spec.options):
        raise ForumError(_("Each option must be different."), field="options")
    if any(len(o) > 200 for o in spec.options):
        raise ForumError(_("Options can be at most 200 characters."), field="options")


def _validate_limits(spec: QuestionSpec) -> None:
    kind = QuestionKind(spec.kind)
    if spec.max_choices is not None:
        if kind is not QuestionKind.MULTIPLE:
            raise ForumError(
                _("Only multiple-choice questions have a maximum."), field="max_choices"
            )
        if not 1 <= spec.max_choices <= len(spec.options):
            raise ForumError(
                _("The maximum must be between 1 and the number of options."),
                field="max_choices",
            )
    if kind is not QuestionKind.NUMBER and (
        spec.min_value is not None or spec.max_value is not None
    ):
        raise ForumError(_("Only number questions have bounds."), field="min_value")
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and spec.min_value > spec.max_value
    ):
        raise ForumError(_("The lowest value must not be above the highest."), field="min_value")


def validate_spec(spec: QuestionSpec) -> None:
    if spec.kind not in QuestionKind.__members__.values():
        raise InvalidChoice(_("Choose one of the listed question kinds."), field="kind")
    if not spec.prompt or not spec.prompt.strip():
        raise ForumError(_("Write the question."), field="prompt")
    if len(spec.prompt) > 500:
        raise ForumError(_("Questions can be at most 500 characters."), field="prompt")
    if len(spec.help_text or "") > 1000:
        raise ForumError(_("Help text can be at most 1,000 characters."), field="help_text")
    _validate_options(spec)
    _validate_limits(spec)


def listed_surveys(consultation: Consultation) -> list[Survey]:
    """The surveys the public can see on a consultation, oldest first."""
    return list(
        db.session.scalars(
            select(Survey)
            .where(Survey.consultation_id == consultation.id, Survey.status != SurveyStatus.DRAFT)
            .order_by(Survey.id)
        )
    )


def response_count(survey: Survey) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def _refuse_if_answered(survey: Survey, what: str) -> None:
    count = response_count(survey)
    if count:
        raise SurveyLocked(
            _(
                "This survey already has %(count)s response(s), so %(what)s is no longer possible: "
                "stored answers would end up under a different question or option.",
                count=count,
                what=what,
            )
        )


def create_survey(
    consultation: Consultation,
    *,
    title: str,
    introduction: str = "",
    status: str = SurveyStatus.DRAFT,
    hide_results_until_closed: bool = True,
) -> Survey:
    if not title or not title.strip():
        raise ForumError(_("Give the survey a title."), field="title")
    if status not in SurveyStatus.__members__.values():
        raise InvalidChoice(_("Choose one of the listed statuses."), field="status")
    survey = Survey(
        consultation_id=consultation.id,
        title=title.strip(),
        introduction=introduction or "",
        status=status,
        hide_results_until_closed=hide_results_until_closed,
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def update_survey(
    survey: Survey,
    *,
    title: str,
    introduction: str,
    status: str,
    hide_results_until_closed: bool,
) -> None:
    if not title or not title.strip():
        raise ForumError(_("Give the survey a title."), field="title")
    if status not in SurveyStatus.__members__.values():
        raise InvalidChoice(_("Choose one of the listed statuses."), field="status")
    if status == SurveyStatus.OPEN and not survey.questions:
        raise ForumError(_("Add at least one question before opening the survey."), field="status")
    survey.title = title.strip()
    survey.introduction = introduction or ""
    survey.status = status
    survey.hide_results_until_closed = hide_results_until_closed
    db.session.flush()


def _options(labels: list[str], start: int = 1) -> list[dict[str, str]]:
    return [{"key": f"o{start + i}", "label": label} for i, label in enumerate(labels)]


def add_question(survey: Survey, spec: QuestionSpec) -> SurveyQuestion:
    _refuse_if_answered(survey, _("adding a question"))
    validate_spec(spec)
    position = max((q.position for q in survey.questions), default=0) + 1
    question = SurveyQuestion(
        survey=survey,
        position=position,
        kind=spec.kind,
        prompt=spec.prompt.strip(),
        help_text=(spec.help_text or "").strip(),
        required=spec.required,
        options=_options(spec.options),
        max_choices=spec.max_choices,
        min_value=spec.min_value,
        max_value=spec.max_value,
        results_public=spec.results_public,
    )
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: SurveyQuestion, spec: QuestionSpec) -> None:
    """Apply staff edits; after the first response only safe changes are accepted.

    Safe: rewording the prompt and help, adding options at the end, making the question
    optional or required, and choosing whether results are public. Anything else (kind,
    removing, renaming or reordering options, the maximum or the bounds) is refused.
    """
    validate_spec(spec)
    current = [o["label"] for o in question.options]
    answered = response_count(question.survey)
    if answered:
        if spec.kind != question.kind:
            _refuse_if_answered(question.survey, _("changing the kind of question"))
        if spec.options[: len(current)] != current:
            _refuse_if_answered(question.survey, _("removing, renaming or reordering options"))
        if (spec.max_choices, spec.min_value, spec.max_value) != (
            question.max_choices,
            question.min_value,
            question.max_value,
        ):
            _refuse_if_answered(question.survey, _("changing the maximum or the bounds"))
    if spec.options[: len(current)] == current:
        options = question.options + _options(spec.options[len(current) :], len(current) + 1)
    else:
        options = _options(spec.options)
    question.kind = spec.kind
    question.prompt = spec.prompt.strip()
    question.help_text = (spec.help_text or "").strip()
    question.required = spec.required
    question.options = options
    question.max_choices = spec.max_choices
    question.min_value = spec.min_value
    question.max_value = spec.max_value
    question.results_public = spec.results_public
    db.session.flush()


def move_question(question: SurveyQuestion, step: int) -> None:
    """Swap the question with its neighbour above (-1) or below (+1)."""
    survey = question.survey
    _refuse_if_answered(survey, _("reordering questions"))
    ordered = list(survey.questions)
    index = ordered.index(question)
    target = index + step
    if not 0 <= target < len(ordered):
        return
    other = ordered[target]
    first, second = question.position, other.position
    question.position = -1  # clear the unique (survey, position) slot for the swap
    db.session.flush()
    other.position = first
    db.session.flush()
    question.position = second
    db.session.flush()
    db.session.expire(survey, ["questions"])


# ---------------------------------------------------------------------------------------------
# Answering


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


def _format_number(value: float) -> str:
    return f"{value:g}"


def _clean_single(question: SurveyQuestion, raw: Any) -> Any:
    if raw not in question.option_labels:
        raise InvalidChoice(_("Choose one of the listed options."))
    return raw


def _clean_scale(question: SurveyQuestion, raw: Any) -> Any:
    if raw not in [*SCALE_POINTS, DONT_KNOW]:
        raise InvalidChoice(_("Choose one point on the scale, or “Don't know”."))
    return raw


def _clean_multiple(question: SurveyQuestion, raw: Any) -> Any:
    keys = [o["key"] for o in question.options]
    chosen = [raw] if isinstance(raw, str) else list(raw)
    if any(item not in keys for item in chosen) or len(set(chosen)) != len(chosen):
        raise InvalidChoice(_("Choose from the listed options."))
    if question.max_choices and len(chosen) > question.max_choices:
        raise ForumError(
            _(
                "Choose at most %(max)s options; you chose %(count)s.",
                max=question.max_choices,
                count=len(chosen),
            )
        )
    return [k for k in keys if k in chosen]  # the options' order, whatever the request's


def _clean_ranking(question: SurveyQuestion, raw: Any) -> Any:
    keys = [o["key"] for o in question.options]
    if not isinstance(raw, dict):
        raise InvalidChoice(_("Give each option a rank."))
    ranks: dict[str, int] = {}
    for key in keys:
        value = str(raw.get(key) or "").strip()
        if not value.isdigit() or not 1 <= int(value) <= len(keys):
            raise ForumError(_("Give every option a rank from 1 to %(n)s.", n=len(keys)))
        ranks[key] = int(value)
    if sorted(ranks.values()) != list(range(1, len(keys) + 1)):
        raise ForumError(_("Use each rank once: 1 for your first choice, and so on."))
    return sorted(keys, key=ranks.__getitem__)


def _bounds_message(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _(
            "Enter a number from %(low)s to %(high)s.",
            low=_format_number(low),
            high=_format_number(high),
        )
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=_format_number(low))
    return _("Enter a number of at most %(high)s.", high=_format_number(high or 0))


def _clean_number(question: SurveyQuestion, raw: Any) -> Any:
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ForumError(_("Enter a number, such as 3 or 2.5.")) from None
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise ForumError(_("Enter a number, such as 3 or 2.5."))
    value = float(number)
    low, high = question.min_value, question.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        raise ForumError(_bounds_message(low, high))
    return int(value) if value.is_integer() else value


def _clean_text(question: SurveyQuestion, raw: Any, max_chars: int) -> Any:
    if not isinstance(raw, str):
        raise InvalidChoice(_("Write your answer as text."))
    short = question.kind == QuestionKind.SHORT_TEXT
    limit = SHORT_TEXT_MAX if short else max_chars
    if len(raw) > limit:
        raise ForumError(
            _(
                "Answers can be at most %(limit)s characters; this one has %(count)s.",
                limit=f"{limit:,}",
                count=f"{len(raw):,}",
            )
        )
    if short and ("\n" in raw or "\r" in raw):
        raise ForumError(_("Write a short answer on one line."))
    return raw


_CLEANERS = {
    QuestionKind.SINGLE: _clean_single,
    QuestionKind.SCALE: _clean_scale,
    QuestionKind.MULTIPLE: _clean_multiple,
    QuestionKind.RANKING: _clean_ranking,
    QuestionKind.NUMBER: _clean_number,
}


def clean_answer(question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
    """Return the value to store (None for a skipped optional question) or raise ForumError."""
    if _is_blank(raw):
        if question.required:
            raise ForumError(_("Answer this question; it is required."))
        return None
    cleaner = _CLEANERS.get(QuestionKind(question.kind))
    if cleaner is None:
        return _clean_text(question, raw, max_chars)
    return cleaner(question, raw)


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
        if question.kind == QuestionKind.LONG_TEXT:
            draft = comment_service.CommentDraft(
                text=value,
                stakeholder_role=respondent.stakeholder_role,
                declared_position=None,  # the survey does not ask; the stance model predicts it
                preferred_language=respondent.preferred_language,
                school_id=respondent.school_id,
                author_name=GUEST_NAME,
                channel=Channel.SURVEY,
                received_at=response.submitted_at,
            )
            answer.comment = comment_service.create_comment(
                consultation,
                draft,
                author=user,
                idempotency_key=None,
                max_chars=max_chars,
                enforce_period=False,
            )
        db.session.add(answer)
    db.session.flush()
    logger.debug("stored survey response %s on survey %s", response.id, survey.id)
    return response


# ---------------------------------------------------------------------------------------------
# Results


def _share(part: float, whole: float) -> int:
    return round(100 * part / whole) if whole else 0


def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))  # type: ignore[call-overload]


def _choices_for(question: SurveyQuestion) -> list[tuple[str, str]]:
    if question.kind == QuestionKind.SCALE:
        return [(k, str(v)) for k, v in SCALE_LABELS.items()]
    return [(o["key"], o["label"]) for o in question.options]


def _answers_by_question(survey: Survey) -> tuple[dict[int, list[tuple[str, Any]]], Counter]:
    """Every stored answer as (respondent role, value), and the number of responses per role."""
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyResponse.stakeholder_role, SurveyAnswer.value)
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.id)
    ).all()
    by_question: dict[int, list[tuple[str, Any]]] = defaultdict(list)
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
        questions.append(_question_result(question, answers, roles))
    return {
        "survey_id": survey.id,
        "title": survey.title,
        "responses": sum(role_totals.values()),
        "roles": [{"key": r, "label": role_label(r), "responses": role_totals[r]} for r in roles],
        "questions": questions,
    }


def _question_result(
    question: SurveyQuestion, answers: list[tuple[str, Any]], roles: list[str]
) -> dict[str, Any]:
    kind = QuestionKind(question.kind)
    answered = len(answers)
    answered_by_role = Counter(role for role, _value in answers)
    result: dict[str, Any] = {
        "id": question.id,
        "position": question.position,
        "kind": question.kind,
        "prompt": question.prompt,
        "answered": answered,
        "answered_by_role": {r: answered_by_role[r] for r in roles},
    }
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
        counts: Counter = Counter()
        cross: dict[str, Counter] = defaultdict(Counter)
        for role, value in answers:
            for key in value if isinstance(value, list) else [value]:
                counts[key] += 1
                cross[key][role] += 1
        result["rows"] = [
            {
                "key": key,
                "label": label,
                "count": counts[key],
                "percent": _share(counts[key], answered),
                "by_role": {
                    r: {
                        "count": cross[key][r],
                        "percent": _share(cross[key][r], answered_by_role[r]),
                    }
                    for r in roles
                },
            }
            for key, label in _choices_for(question)
        ]
        result["percent_of"] = "answered"
        result["multiple"] = kind is QuestionKind.MULTIPLE
        result["chart_values"] = [row["count"] for row in result["rows"]]
        result["chart_axis"] = "Respondents"
    elif kind is QuestionKind.RANKING:
        positions: dict[str, list[int]] = defaultdict(list)
        role_positions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        firsts: Counter = Counter()
        for role, order in answers:
            firsts[order[0]] += 1
            for rank, key in enumerate(order, start=1):
                positions[key].append(rank)
                role_positions[key][role].append(rank)
        rows = [
            {
                "key": key,
                "label": label,
                "mean_rank": round(statistics.fmean(positions[key]), 2) if positions[key] else None,
                "first": firsts[key],
                "count": firsts[key],
                "percent": _share(firsts[key], answered),
                "by_role": {
                    r: {
                        "mean_rank": round(statistics.fmean(role_positions[key][r]), 2)
                        if role_positions[key][r]
                        else None
                    }
                    for r in roles
                },
            }
            for key, label in _choices_for(question)
        ]
        result["rows"] = sorted(rows, key=lambda row: row["mean_rank"] or math.inf)
        result["chart_values"] = [row["first"] for row in result["rows"]]
        result["chart_axis"] = "Respondents ranking it first"
    elif kind is QuestionKind.NUMBER:
        values = [float(v) for _role, v in answers]
        result["stats"] = _number_stats(values)
        result["by_role"] = {
            r: _number_stats([float(v) for role, v in answers if role == r]) for r in roles
        }
    return result


def _number_stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 2),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def chart_alt(question_result: dict[str, Any]) -> str:
    """The chart's text alternative, from the same numbers as the table."""
    parts = ", ".join(
        f"{row['label']}: {value}"
        for row, value in zip(question_result["rows"], question_result["chart_values"], strict=True)
    )
    return f"{question_result['prompt']} ({question_result['chart_axis']}, of {question_result['answered']} answering) {parts}."


def results_visible_to_public(survey: Survey) -> bool:
    return survey.status != SurveyStatus.DRAFT and (
        not survey.hide_results_until_closed or survey.is_closed()
    )


# ---------------------------------------------------------------------------------------------
# Export


def _answer_cell(question: SurveyQuestion, answer: SurveyAnswer | None) -> str:
    return "" if answer is None else answer_text(question, answer.value)


def answer_text(question: SurveyQuestion, value: Any) -> str:
    """An answer as a person reads it: option labels, ranks in order, the number or the text."""
    labels = dict(_choices_for(question))
    kind = QuestionKind(question.kind)
    if kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
        return labels.get(value, value)
    if kind is QuestionKind.MULTIPLE:
        return "; ".join(labels.get(k, k) for k in value)
    if kind is QuestionKind.RANKING:
        return "; ".join(f"{i}. {labels.get(k, k)}" for i, k in enumerate(value, start=1))
    if kind is QuestionKind.NUMBER:
        return _format_number(float(value))
    return str(value)


def csv_rows(survey: Survey) -> list[list[str]]:
    """One header row, then one row per response; every cell neutralised for spreadsheets."""
    questions = list(survey.questions)
    header = ["response", "submitted_at", "role", "school", "language", "account"]
    for question in questions:
        header.append(f"Q{question.position}. {question.prompt}")
        if question.kind == QuestionKind.LONG_TEXT:
            header.append(f"Q{question.position} comment number")
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
        for question in questions:
            answer = by_question.get(question.id)
            row.append(_answer_cell(question, answer))
            if question.kind == QuestionKind.LONG_TEXT:
                row.append(
                    f"#{answer.comment.number}" if answer is not None and answer.comment else ""
                )
        rows.append(row)
    return [[csv_cell(cell) for cell in row] for row in rows]
