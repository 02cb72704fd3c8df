"""A new kind of question is one class: registered, it is built, answered, tallied and described."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from extensions import db
from forum import surveys as survey_service
from forum.exceptions import ForumError
from forum.models import Survey, SurveyQuestion, SurveyResponse
from forum.surveys.kinds import KINDS, QuestionType, question_kind, unregister_kind
from forum.surveys.kinds.base import RoleAnswers, counted_rows


class Rating(QuestionType):
    """A rating from 1 to 10: defined only here, so nothing in the application knows it."""

    name = "rating"
    label = "Rating from 1 to 10"
    input_template = "surveys/questions/scale.html"  # one radio button per choice
    results_template = "surveys/results/counts.html"  # count and share of each choice

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [(str(n), str(n)) for n in range(1, 11)]

    def clean(self, question: SurveyQuestion, raw: Any, *, max_chars: int) -> Any:
        if raw not in dict(self.choices(question)):
            raise ForumError("Choose a rating from 1 to 10.")
        return int(raw)

    def describe(self, question: SurveyQuestion, value: Any) -> str:
        return f"{value} out of 10"

    def tally(
        self, question: SurveyQuestion, answers: RoleAnswers, roles: list[str]
    ) -> dict[str, Any]:
        ratings = [value for _role, value in answers]
        as_keys = [(role, str(value)) for role, value in answers]
        return {
            "rows": counted_rows(self.choices(question), as_keys, roles),
            "mean": round(sum(ratings) / len(ratings), 2) if ratings else None,
        }

    def chart(self, result: dict[str, Any]) -> tuple[list[int], str]:
        return [row["count"] for row in result["rows"]], "People"


@pytest.fixture
def rating_kind() -> Iterator[type[Rating]]:
    assert Rating.name not in KINDS
    question_kind(Rating)
    yield Rating
    unregister_kind(Rating.name)
    assert Rating.name not in KINDS  # no other test sees it


def test_a_kind_registers_once_under_a_short_name(rating_kind):
    with pytest.raises(ValueError, match="already registered"):
        question_kind(Rating)

    class Unnamed(Rating):
        name = ""

    with pytest.raises(ValueError, match="needs a name"):
        question_kind(Unnamed)


def test_a_kind_defined_in_one_class_is_built_answered_tallied_and_described(
    app, client, auth, staff, consultation, rating_kind
):
    auth.login(staff.email)
    created = client.post(
        f"/staff/consultations/{consultation.slug}/surveys/new",
        data={"title": "Safety rating", "introduction": ""},
    )
    assert created.status_code == 303
    survey = db.session.scalar(select(Survey))
    base = f"/staff/surveys/{survey.id}"
    assert "Rating from 1 to 10" in client.get(f"{base}/questions/new").get_data(as_text=True)
    added = client.post(
        f"{base}/questions/new",
        data={"kind": "rating", "prompt": "How safe is your school?", "required": "y",
              "results_public": "y"},
    )  # fmt: skip
    assert added.status_code == 303
    # Settings the kind does not have are refused, as for the built-in kinds.
    refused = client.post(
        f"{base}/questions/new",
        data={"kind": "rating", "prompt": "Again", "options": "A\nB"},
    )
    assert refused.status_code == 400
    opened = client.post(base, data={"title": "Safety rating", "status": "open"})
    assert opened.status_code == 303
    auth.logout()
    [question] = survey.questions
    assert question.kind == "rating"

    # The public form shows the kind's control, and the survey's rules apply to its answers.
    url = f"/consultations/{consultation.slug}/surveys/{survey.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'name="{question.field_name}" value="10"' in page
    about_you = {"stakeholder_role": "parent", "school_id": "", "preferred_language": "en"}
    wrong = client.post(
        url, data={**about_you, "idempotency_key": "w" * 32, question.field_name: "11"}
    )
    assert wrong.status_code == 400
    error = re.search(rf'id="{question.field_name}-error">(.*?)</p>', wrong.get_data(as_text=True), re.S)  # fmt: skip
    assert "Choose a rating from 1 to 10." in error.group(1)
    for key, role, rating in (("a", "parent", "8"), ("b", "teacher", "3"), ("c", "parent", "8")):
        sent = client.post(
            url,
            data={**about_you, "stakeholder_role": role, "idempotency_key": key * 32,
                  question.field_name: rating},
        )  # fmt: skip
        assert sent.status_code == 303
    assert [r.answers[0].value for r in db.session.scalars(select(SurveyResponse))] == [8, 3, 8]

    # Tallied by the kind...
    [result] = survey_service.results(survey)["questions"]
    assert result["mean"] == 6.33
    counts = {row["key"]: (row["count"], row["percent"]) for row in result["rows"]}
    assert counts["8"] == (2, 67) and counts["3"] == (1, 33) and counts["10"] == (0, 0)
    assert result["rows"][7]["by_role"] == {
        "parent": {"count": 2, "percent": 100},
        "teacher": {"count": 0, "percent": 0},
    }
    assert result["chart_values"] == [0, 0, 1, 0, 0, 0, 0, 2, 0, 0]
    assert result["chart_axis"] == "People"
    # ...shown with its chart and table on the results page...
    results_page = client.get(f"{url}/results").get_data(as_text=True)
    alt = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', results_page)
    assert "How safe is your school? (People, of 3 answering)" in alt.group(1)
    assert "8: 2" in alt.group(1)

    # ...and described in its own words on the receipt and in the export.
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "8 out of 10" in receipt
    auth.login(staff.email)
    export = client.get(f"{base}/responses.csv").get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(export.lstrip("\ufeff")))
    column = header.index("Q1. How safe is your school?")
    assert [row[column] for row in rows] == ["8 out of 10", "3 out of 10", "8 out of 10"]
