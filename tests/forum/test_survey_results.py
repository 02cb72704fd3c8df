"""Survey results through HTTP and the service: tallies, charts, their cache, and the export."""

from __future__ import annotations

import copy
import csv
import io
import random
import re
from types import SimpleNamespace

import flask_babel
import pytest

from extensions import db
from forum import surveys as survey_service
from forum.models import Survey, SurveyQuestion
from forum.surveys import display
from tests.forum.test_surveys import answers_form, make_survey, q, url


@pytest.fixture
def survey(consultation) -> Survey:
    return make_survey(consultation)


def random_responses(survey: Survey, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    single, multiple, scale, ranking, number, *_ = survey.questions
    for _i in range(count):
        order = [o["key"] for o in ranking.options]
        rng.shuffle(order)
        raw = {
            single.id: rng.choice(single.options)["key"],
            multiple.id: rng.sample([o["key"] for o in multiple.options], k=rng.choice([0, 1, 2])),
            scale.id: rng.choice(["1", "2", "3", "4", "5", "dont_know"]),
            ranking.id: {k: str(order.index(k) + 1) for k in order} if rng.random() < 0.8 else {},
            number.id: str(rng.randint(0, 10)) if rng.random() < 0.7 else "",
        }
        survey_service.submit_response(
            survey,
            survey_service.Respondent(rng.choice(["parent", "student", "teacher", "community"])),
            raw,
            user=None,
            idempotency_key=None,
            max_chars=5000,
        )
    db.session.commit()


# Four people answer the first five questions of `make_survey`:
# (role, where, supports, scale point, ranks as {option number: rank}, how many children).
FIXED_RESPONSES = [
    ("parent", 1, [1, 2], "5", {1: "1", 2: "2", 3: "3"}, "2"),
    ("parent", 1, [1], "4", {1: "2", 2: "1", 3: "3"}, "4"),
    ("teacher", 2, [], "dont_know", {}, ""),
    ("student", 3, [2, 3], "4", {1: "1", 2: "3", 3: "2"}, "9"),
]


def fixed_responses(survey: Survey) -> None:
    single, multiple, scale, ranking, number, *_ = survey.questions

    def key(question: SurveyQuestion, n: int) -> str:
        return question.options[n - 1]["key"]

    for role, where, supports, point, ranks, children in FIXED_RESPONSES:
        raw = {
            single.id: key(single, where),
            multiple.id: [key(multiple, n) for n in supports],
            scale.id: point,
            ranking.id: {key(ranking, n): rank for n, rank in ranks.items()},
            number.id: children,
        }
        survey_service.submit_response(
            survey,
            survey_service.Respondent(role),
            raw,
            user=None,
            idempotency_key=None,
            max_chars=5000,
        )
    db.session.commit()


def counted(rows: list[dict]) -> dict[str, tuple]:
    """Each row as label -> (count, percent, {role: (count, percent)})."""
    return {
        row["label"]: (
            row["count"],
            row["percent"],
            {role: (cell["count"], cell["percent"]) for role, cell in row["by_role"].items()},
        )
        for row in rows
    }


def test_tallies_and_role_crosstabs_of_known_answers(survey):
    fixed_responses(survey)
    summary = survey_service.results(survey)
    assert summary["responses"] == 4
    assert summary["roles"] == [
        {"key": "parent", "label": "Parent or guardian", "responses": 2},
        {"key": "student", "label": "Student", "responses": 1},
        {"key": "teacher", "label": "Teacher", "responses": 1},
    ]
    single, multiple, scale, ranking, number, short, long_ = summary["questions"]

    assert single["answered"] == 4
    assert single["answered_by_role"] == {"parent": 2, "student": 1, "teacher": 1}
    assert counted(single["rows"]) == {
        "On campus": (2, 50, {"parent": (2, 100), "student": (0, 0), "teacher": (0, 0)}),
        "Nearby": (1, 25, {"parent": (0, 0), "student": (0, 0), "teacher": (1, 100)}),
        "On call": (1, 25, {"parent": (0, 0), "student": (1, 100), "teacher": (0, 0)}),
    }
    assert not single["multiple"]
    assert (single["chart_values"], single["chart_axis"]) == ([2, 1, 1], "Respondents")

    # The teacher chose nothing, so shares are of the three who did.
    assert multiple["answered"] == 3
    assert multiple["answered_by_role"] == {"parent": 2, "student": 1, "teacher": 0}
    assert counted(multiple["rows"]) == {
        "Counselor": (2, 67, {"parent": (2, 100), "student": (0, 0), "teacher": (0, 0)}),
        "Psychologist": (2, 67, {"parent": (1, 50), "student": (1, 100), "teacher": (0, 0)}),
        "Social worker": (1, 33, {"parent": (0, 0), "student": (1, 100), "teacher": (0, 0)}),
    }
    assert multiple["multiple"]

    assert [(row["key"], row["count"], row["percent"]) for row in scale["rows"]] == [
        ("1", 0, 0), ("2", 0, 0), ("3", 0, 0), ("4", 2, 50), ("5", 1, 25), ("dont_know", 1, 25),
    ]  # fmt: skip
    assert scale["rows"][-1]["label"] == "Don't know"

    # Orders given: C-O-T, O-C-T, C-T-O; rows are sorted by average rank.
    assert ranking["answered"] == 3
    assert [
        (row["label"], row["mean_rank"], row["first"], row["percent"]) for row in ranking["rows"]
    ] == [("Counselors", 1.33, 2, 67), ("Officers", 2.0, 1, 33), ("Training", 2.67, 0, 0)]
    assert ranking["rows"][0]["by_role"] == {
        "parent": {"mean_rank": 1.5},
        "student": {"mean_rank": 1.0},
        "teacher": {"mean_rank": None},
    }
    assert (ranking["chart_values"], ranking["chart_axis"]) == (
        [2, 1, 0],
        "Respondents ranking it first",
    )

    assert number["stats"] == {"count": 3, "mean": 5.0, "median": 4.0, "min": 2.0, "max": 9.0}
    assert number["by_role"]["parent"] == {
        "count": 2, "mean": 3.0, "median": 3.0, "min": 2.0, "max": 4.0,
    }  # fmt: skip
    assert number["by_role"]["teacher"] == {
        "count": 0, "mean": None, "median": None, "min": None, "max": None,
    }  # fmt: skip
    assert "chart_values" not in number

    assert short["answered"] == long_["answered"] == 0
    assert "rows" not in short and "stats" not in long_

    alt = survey_service.chart_alt(single)
    assert alt == (
        "Where should officers be? (Respondents, of 4 answering) "
        "On campus: 2, Nearby: 1, On call: 1."
    )


def test_chart_axes_and_text_alternatives_follow_the_language(client, survey, monkeypatch):
    """Survey charts were once labelled in English on Spanish pages."""
    spanish = {
        "Respondents": "Personas",
        "%(prompt)s (%(axis)s, of %(answered)s answering) %(parts)s.": (
            "%(prompt)s (%(axis)s, de %(answered)s que respondieron) %(parts)s."
        ),
    }
    catalogue_translations = flask_babel.Domain.get_translations

    def with_these_strings(domain: flask_babel.Domain):  # whatever the catalogue says today
        translations = copy.copy(catalogue_translations(domain))
        if str(flask_babel.get_locale()) == "es":
            translations._catalog = {**translations._catalog, **spanish}
        return translations

    monkeypatch.setattr(flask_babel.Domain, "get_translations", with_these_strings)
    axes = []

    def bar_chart(labels: tuple, values: tuple, axis_label: str) -> str:
        axes.append(axis_label)
        return "<svg></svg>"

    monkeypatch.setattr(display, "bar_chart", bar_chart)
    fixed_responses(survey)
    page = client.get(f"{url(survey)}/results", headers={"Accept-Language": "es"})
    html = page.get_data(as_text=True)
    alts = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html)
    assert axes[0] == "Personas"
    assert alts[0].startswith("Where should officers be? (Personas, de 4 que respondieron) ")


def test_crosstab_by_role_small_example(survey):
    single = q(survey, 1)
    on_campus, nearby = single.options[0]["key"], single.options[1]["key"]
    people = [("parent", on_campus), ("parent", on_campus), ("parent", nearby), ("teacher", nearby)]
    for role, choice in people:
        survey_service.submit_response(
            survey,
            survey_service.Respondent(role),
            {single.id: choice, q(survey, 3).id: "3"},
            user=None,
            idempotency_key=None,
            max_chars=5000,
        )
    db.session.commit()
    result = survey_service.results(survey)["questions"][0]
    rows = {row["label"]: row for row in result["rows"]}
    assert rows["On campus"]["by_role"] == {
        "parent": {"count": 2, "percent": 67},
        "teacher": {"count": 0, "percent": 0},
    }
    assert rows["Nearby"]["by_role"]["teacher"] == {"count": 1, "percent": 100}
    assert rows["On call"]["count"] == 0
    assert result["answered_by_role"] == {"parent": 3, "teacher": 1}


def test_public_results_respect_staff_choices(client, auth, staff, consultation):
    survey = make_survey(consultation, hide_results_until_closed=True)
    random_responses(survey, 10)
    results_url = f"{url(survey)}/results"
    page = client.get(results_url).get_data(as_text=True)
    assert "Results will be published when the survey closes." in page
    assert "Where should officers be?" not in page

    survey.hide_results_until_closed = False
    db.session.commit()
    page = client.get(results_url).get_data(as_text=True)
    assert "Where should officers be?" in page
    assert "How many children attend?" not in page  # this question's results are not public
    # Each chart is an image whose text alternative carries the same numbers as the table.
    single = survey_service.results(survey)["questions"][0]
    alt = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', page).group(1)
    for row in single["rows"]:
        assert f"{row['label']}: {row['count']}" in alt

    # The results are cached, but a new response shows at once.
    assert "10 responses." in page
    random_responses(survey, 1, seed=99)
    assert "11 responses." in client.get(results_url).get_data(as_text=True)

    auth.login(staff.email)
    staff_page = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert "How many children attend?" in staff_page


def test_results_are_cached_under_a_key_every_process_computes_alike(app, survey):
    """The key once came from `hash()`, which differs between processes; a shared cache missed."""
    questions = [
        SimpleNamespace(id=1, position=1, kind="single", prompt="¿Dónde?", results_public=True,
                        options=[{"key": "o1", "label": "A"}, {"key": "o2", "label": "B"}]),
        SimpleNamespace(id=2, position=2, kind="number", prompt="How many?",
                        results_public=False, options=[]),
    ]  # fmt: skip
    assert display.questions_digest(questions) == (
        "c466954176b53b03c71dbbebfc58ec30d450f1b1768a058213806603592b332d"
    )
    with app.test_request_context():
        key = display.results_cache_key(survey, public_only=True)
        assert key == display.results_cache_key(survey, public_only=True)
        digest = display.questions_digest(survey.questions)
        assert key == f"survey-results:{survey.id}:0:True:{digest}:{flask_babel.get_locale()}"
        q(survey, 2).options = [*q(survey, 2).options, {"key": "o4", "label": "Nurse"}]
        assert display.results_cache_key(survey, public_only=True) != key


def test_csv_export_has_one_neutralised_row_per_response(client, auth, staff, survey):
    client.post(url(survey), data=answers_form(survey, q6='=HYPERLINK("http://x.example")'))
    client.post(
        url(survey),
        data=answers_form(survey, idempotency_key="u" * 32, stakeholder_role="student", q7="@SUM(1)"),
    )  # fmt: skip
    auth.login(staff.email)
    response = client.get(f"/staff/surveys/{survey.id}/responses.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, *body = rows
    assert len(body) == 2
    assert header[:3] == ["response", "submitted_at", "role"]
    assert "Q1. Where should officers be?" in header
    first, second = body
    column = header.index("Q6. In a few words, what would help?")
    assert first[column] == '\'=HYPERLINK("http://x.example")'
    assert first[header.index("Q1. Where should officers be?")] == "On call"
    assert first[header.index("Q4. Rank these uses of the money.")] == "1. Counselors; 2. Training; 3. Officers"  # fmt: skip
    assert second[header.index("Q7. Anything else?")] == "'@SUM(1)"
    assert second[header.index("Q7 comment number")].startswith("#")
    assert second[2] == "Student"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
