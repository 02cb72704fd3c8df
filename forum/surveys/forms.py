"""The answer form: the respondent questions, and one field per survey question from its kind."""

from __future__ import annotations

from typing import Any

from forum.forms import RespondentForm
from forum.models import Survey, SurveyQuestion
from forum.surveys.kinds import kind_of


class SurveyAnswerForm(RespondentForm):
    """Reads each answer as sent; the survey's rules (in `answering`) decide whether it stands."""

    questions: list[SurveyQuestion] = []

    @classmethod
    def for_survey(cls, survey: Survey, **kwargs: Any) -> SurveyAnswerForm:
        """A form for this survey's questions (each question's field is named `q<id>`)."""
        questions = list(survey.questions)
        fields = {q.field_name: kind_of(q).form_field(q) for q in questions}
        form_class = type("SurveyAnswerForm", (cls,), {"questions": questions, **fields})
        return form_class(**kwargs)

    def answers(self) -> dict[int, Any]:
        """Each question's answer, by question id, in the shape its kind checks."""
        return {q.id: kind_of(q).read(self[q.field_name]) for q in self.questions}
