"""Ranking: a person puts every option in order; results give each option's average rank."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, FormField, StringField

from forum.exceptions import ForumError, InvalidChoice
from forum.models import QuestionKind
from forum.surveys.kinds.base import QuestionType, RoleAnswers, mean, question_kind, share

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from forum.models import SurveyQuestion


@question_kind
class Ranking(QuestionType):
    name = QuestionKind.RANKING.value
    label = _l("Ranking")
    input_template = "surveys/questions/ranking.html"
    results_template = "surveys/results/ranking.html"
    has_options = True

    def form_field(self, question: SurveyQuestion) -> UnboundField:
        # One rank per option, posted as "<question field>-<option key>".
        ranks = type("RankForm", (Form,), {o["key"]: StringField() for o in question.options})
        return FormField(ranks, separator="-")

    def read(self, field: Field) -> Any:
        return {key: "" if rank is None else rank for key, rank in field.data.items()}

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
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

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        labels = dict(self.choices(question))
        return "; ".join(f"{i}. {labels.get(k, k)}" for i, k in enumerate(value, start=1))

    def tally(
        self, question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
    ) -> dict[str, Any]:
        positions: dict[str, list[int]] = defaultdict(list)
        role_positions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        firsts: Counter[str] = Counter()
        for role, order in answers:
            firsts[order[0]] += 1
            for rank, key in enumerate(order, start=1):
                positions[key].append(rank)
                role_positions[key][role].append(rank)
        rows = [
            {
                "key": key,
                "label": label,
                "mean_rank": mean(positions[key]),
                "first": firsts[key],
                "count": firsts[key],
                "percent": share(firsts[key], len(answers)),
                "by_role": {r: {"mean_rank": mean(role_positions[key][r])} for r in roles},
            }
            for key, label in self.choices(question)
        ]
        return {"rows": sorted(rows, key=lambda row: row["mean_rank"] or math.inf)}

    def chart(self, result: dict[str, Any]) -> tuple[list[int], str]:
        return [row["first"] for row in result["rows"]], _("Respondents ranking it first")
