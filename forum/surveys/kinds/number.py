"""Number: one number, optionally within bounds; results give the average, median and range."""

from __future__ import annotations

import statistics
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.exceptions import ForumError
from forum.models import QuestionKind
from forum.surveys.kinds.base import QuestionType, RoleAnswers, format_number, question_kind

if TYPE_CHECKING:
    from forum.models import SurveyQuestion


def _bounds_message(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return _(
            "Enter a number from %(low)s to %(high)s.",
            low=format_number(low),
            high=format_number(high),
        )
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=format_number(low))
    return _("Enter a number of at most %(high)s.", high=format_number(high or 0))


def number_stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 2),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


@question_kind
class Number(QuestionType):
    name = QuestionKind.NUMBER.value
    label = _l("Number")
    input_template = "surveys/questions/number.html"
    results_template = "surveys/results/number.html"
    has_bounds = True

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
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

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        return format_number(float(value))

    def tally(
        self, question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
    ) -> dict[str, Any]:
        return {
            "stats": number_stats([float(v) for _role, v in answers]),
            "by_role": {
                r: number_stats([float(v) for role, v in answers if role == r]) for r in roles
            },
        }
