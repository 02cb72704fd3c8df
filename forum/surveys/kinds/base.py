"""What every kind of survey question knows, and the registry that finds a kind by its name.

A kind is one class (Indico's survey fields are the model): it reads its answer from the
answer form, checks it, describes it as text, tallies the stored answers and says what to
chart. Decorate the class with `question_kind` and the builder, the public form, the results
and the export all offer it; nothing else needs an edit.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from wtforms import Field, StringField

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from forum.models import Consultation, SurveyAnswer, SurveyQuestion, SurveyResponse, User

# Each stored answer with the role of the person who gave it: (stakeholder role, value).
RoleAnswers = list[tuple[str, Any]]


class QuestionType:
    """One kind of question. Subclasses set `name`, `label` and the hooks their answers need."""

    name: ClassVar[str]  # stored in SurveyQuestion.kind (at most 20 characters)
    label: ClassVar[Any]  # the builder's name for the kind, usually a lazy_gettext string
    # The public form's control, rendered with `question`, `kind`, `name`, `value`, `error`
    # and `max_chars`; the results page's table, rendered with `q` (this kind's tally) and `roles`.
    input_template: ClassVar[str] = "surveys/questions/short_text.html"
    results_template: ClassVar[str] = "surveys/results/not_tallied.html"
    # Which builder settings apply: a list of options, a most-choices limit, number bounds.
    has_options: ClassVar[bool] = False
    has_maximum: ClassVar[bool] = False
    has_bounds: ClassVar[bool] = False

    # --- Answering

    def form_field(self, question: SurveyQuestion) -> UnboundField:
        """The WTForms field that reads this question's answer; the rules are in `clean`."""
        return StringField()

    def read(self, field: Field) -> Any:
        """The answer as submitted, in the shape `clean` expects (None when not sent)."""
        return field.data

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
        """Return the value to store for a non-blank answer, or raise ForumError saying why not."""
        raise NotImplementedError

    def after_store(
        self,
        answer: SurveyAnswer,
        response: SurveyResponse,
        consultation: Consultation,
        *,
        author: User | None,
        max_chars: int,
    ) -> None:
        """Act on a stored answer in the same transaction (long text publishes a comment)."""

    # --- Reading answers back

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        """The (stored key, label) pairs an answer may point at; the question's own options."""
        return [(o["key"], o["label"]) for o in question.options]

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        """An answer as a person reads it, on the receipt and in the export."""
        return str(value)

    def export_headers(self, question: SurveyQuestion) -> list[str]:
        return [f"Q{question.position}. {question.prompt}"]

    def export_cells(self, question: SurveyQuestion, answer: SurveyAnswer | None) -> list[str]:
        return ["" if answer is None else self.describe(question, answer.value)]

    # --- Results

    def tally(
        self, question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
    ) -> dict[str, Any]:
        """This kind's part of a question's results (rows or stats), from its stored answers."""
        return {}

    def chart(self, result: dict[str, Any]) -> tuple[list[int], str] | None:
        """Bar values, one per row of `result`, and the translated axis label; None: no chart."""
        return None


KindT = TypeVar("KindT", bound=type[QuestionType])

# Every kind by name, in the order the builder offers them.
KINDS: dict[str, QuestionType] = {}


def question_kind(cls: KindT) -> KindT:
    """Register a question kind (a class decorator); its name must be new."""
    name = cls.name
    if not name or len(name) > 20:
        raise ValueError(f"a question kind needs a name of 1 to 20 characters, not {name!r}")
    if name in KINDS:
        raise ValueError(f"the question kind {name!r} is already registered")
    KINDS[name] = cls()
    return cls


def unregister_kind(name: str) -> None:
    """Forget a kind (tests that register their own kind undo it with this)."""
    KINDS.pop(name, None)


def kind_of(question: SurveyQuestion) -> QuestionType:
    """The kind of a stored question."""
    try:
        return KINDS[question.kind]
    except KeyError:
        raise LookupError(f"no question kind is registered as {question.kind!r}") from None


def kind_choices() -> list[tuple[str, str]]:
    """(name, label) of every kind, for the builder's list."""
    return [(name, str(kind.label)) for name, kind in KINDS.items()]


# --- Helpers the kinds share


def format_number(value: float) -> str:
    return f"{value:g}"


def share(part: float, whole: float) -> int:
    return round(100 * part / whole) if whole else 0


def mean(values: list[int] | list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def counted_rows(
    choices: list[tuple[str, str]], answers: RoleAnswers, roles: list[str]
) -> list[dict[str, Any]]:
    """Count and share of people choosing each choice, overall and by role.

    A value is one key, or a list of keys when a person may choose several; shares are of the
    people who answered the question (overall, or in the role).
    """
    answered = len(answers)
    answered_by_role = Counter(role for role, _value in answers)
    counts: Counter[str] = Counter()
    cross: dict[str, Counter[str]] = defaultdict(Counter)
    for role, value in answers:
        for key in value if isinstance(value, list) else [value]:
            counts[key] += 1
            cross[key][role] += 1
    return [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "percent": share(counts[key], answered),
            "by_role": {
                r: {"count": cross[key][r], "percent": share(cross[key][r], answered_by_role[r])}
                for r in roles
            },
        }
        for key, label in choices
    ]
