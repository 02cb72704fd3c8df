"""Building surveys: their settings and questions, locked once answers would change meaning.

Once a survey has a response its questions are locked against changes that would make stored
answers mean something else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from forum.exceptions import ForumError, InvalidChoice
from forum.models import Consultation, Survey, SurveyQuestion, SurveyResponse, SurveyStatus
from forum.surveys.kinds import KINDS

MAX_OPTIONS = 20


class SurveyLocked(ForumError):
    """The survey has responses, so this change would corrupt them."""


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
    if not KINDS[spec.kind].has_options:
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
    kind = KINDS[spec.kind]
    if spec.max_choices is not None:
        if not kind.has_maximum:
            raise ForumError(
                _("Only multiple-choice questions have a maximum."), field="max_choices"
            )
        if not 1 <= spec.max_choices <= len(spec.options):
            raise ForumError(
                _("The maximum must be between 1 and the number of options."),
                field="max_choices",
            )
    if not kind.has_bounds and (spec.min_value is not None or spec.max_value is not None):
        raise ForumError(_("Only number questions have bounds."), field="min_value")
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and spec.min_value > spec.max_value
    ):
        raise ForumError(_("The lowest value must not be above the highest."), field="min_value")


def validate_spec(spec: QuestionSpec) -> None:
    if spec.kind not in KINDS:
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
