"""Kinds whose answer is picked from a list: single choice, multiple choice, agreement scale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field

from forum.exceptions import ForumError, InvalidChoice
from forum.models import QuestionKind
from forum.surveys.kinds.base import QuestionType, RoleAnswers, counted_rows, question_kind

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from forum.models import SurveyQuestion

# The agreement scale's stored values, in order; "dont_know" is kept apart from the five points.
SCALE_POINTS = ["1", "2", "3", "4", "5"]
DONT_KNOW = "dont_know"

SCALE_LABELS = {
    "1": _l("Strongly disagree"),
    "2": _l("Disagree"),
    "3": _l("Neither agree nor disagree"),
    "4": _l("Agree"),
    "5": _l("Strongly agree"),
    DONT_KNOW: _l("Don't know"),
}


class AnswerList(Field):
    """Every value sent under the field's name (a group of checkboxes), as sent."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = list(valuelist)


class CountedChoice(QuestionType):
    """Answers are keys of fixed choices; results count the people choosing each one.

    A subclass says what the choices are (`choices`) and which it accepts (`clean`); the
    results table, the chart and the text of an answer come from here.
    """

    results_template = "surveys/results/counts.html"
    multiple: ClassVar[bool] = False  # a person may choose several, so shares add up past 100

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        return dict(self.choices(question)).get(value, value)

    def tally(
        self, question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
    ) -> dict[str, Any]:
        return {
            "rows": counted_rows(self.choices(question), answers, roles),
            "percent_of": "answered",
            "multiple": self.multiple,
        }

    def chart(self, result: dict[str, Any]) -> tuple[list[int], str]:
        return [row["count"] for row in result["rows"]], _("Respondents")


@question_kind
class SingleChoice(CountedChoice):
    name = QuestionKind.SINGLE.value
    label = _l("Single choice")
    input_template = "surveys/questions/single.html"
    has_options = True

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
        if raw not in question.option_labels:
            raise InvalidChoice(_("Choose one of the listed options."))
        return raw


@question_kind
class MultipleChoice(CountedChoice):
    name = QuestionKind.MULTIPLE.value
    label = _l("Multiple choice")
    input_template = "surveys/questions/multiple.html"
    has_options = True
    has_maximum = True
    multiple = True

    def form_field(self, question: SurveyQuestion) -> UnboundField:
        return AnswerList()

    def read(self, field: Field) -> Any:
        return list(field.data or [])

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        labels = dict(self.choices(question))
        return "; ".join(labels.get(k, k) for k in value)

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
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


@question_kind
class AgreementScale(CountedChoice):
    """Five points of agreement with a statement, and "Don't know"."""

    name = QuestionKind.SCALE.value
    label = _l("Agreement scale (five points and “Don't know”)")
    input_template = "surveys/questions/scale.html"

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in SCALE_LABELS.items()]

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
        if raw not in [*SCALE_POINTS, DONT_KNOW]:
            raise InvalidChoice(_("Choose one point on the scale, or “Don't know”."))
        return raw
