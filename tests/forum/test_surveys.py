"""Surveys through HTTP: building them, answering every kind of question, and the limits."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from extensions import db
from forum import surveys as survey_service
from forum.models import (
    Comment,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from forum.surveys import QuestionSpec
from forum.timeutil import now_utc
from tests import factories


def make_survey(consultation, **settings) -> Survey:
    survey = survey_service.create_survey(
        consultation,
        title="Safety survey",
        status=SurveyStatus.OPEN,
        hide_results_until_closed=settings.pop("hide_results_until_closed", False),
    )
    specs = [
        QuestionSpec(QuestionKind.SINGLE, "Where should officers be?", required=True,
                     options=["On campus", "Nearby", "On call"]),
        QuestionSpec(QuestionKind.MULTIPLE, "Which supports have you used?",
                     options=["Counselor", "Psychologist", "Social worker"], max_choices=2),
        QuestionSpec(QuestionKind.SCALE, "Counselors make schools safer.", required=True),
        QuestionSpec(QuestionKind.RANKING, "Rank these uses of the money.",
                     options=["Counselors", "Officers", "Training"]),
        QuestionSpec(QuestionKind.NUMBER, "How many children attend?", min_value=0, max_value=10,
                     results_public=False),
        QuestionSpec(QuestionKind.SHORT_TEXT, "In a few words, what would help?"),
        QuestionSpec(QuestionKind.LONG_TEXT, "Anything else?", help_text="Published as a comment."),
    ]  # fmt: skip
    for spec in specs:
        survey_service.add_question(survey, spec)
    db.session.commit()
    return survey


@pytest.fixture
def survey(consultation) -> Survey:
    return make_survey(consultation)


def q(survey: Survey, position: int) -> SurveyQuestion:
    return survey.questions[position - 1]


def answers_form(survey: Survey, **overrides: object) -> dict[str, object]:
    """A complete, valid response; overrides are keyed by question position ("q1") or name."""
    single, multiple, scale, ranking, number, short, long_ = survey.questions
    data: dict[str, object] = {
        "stakeholder_role": "parent",
        "school_id": "",
        "preferred_language": "en",
        "idempotency_key": "s" * 32,
        single.field_name: single.options[2]["key"],
        multiple.field_name: [multiple.options[0]["key"], multiple.options[2]["key"]],
        scale.field_name: "4",
        f"{ranking.field_name}-{ranking.options[0]['key']}": "1",
        f"{ranking.field_name}-{ranking.options[1]['key']}": "3",
        f"{ranking.field_name}-{ranking.options[2]['key']}": "2",
        number.field_name: "2",
        short.field_name: "More counselors",
        long_.field_name: "Please keep the counselors; my son finally has someone to talk to.",
    }
    for given, value in overrides.items():
        key = given
        match = re.fullmatch(r"q(\d)(-\d)?", given)
        if match:
            question = survey.questions[int(match.group(1)) - 1]
            suffix = ""
            if match.group(2):
                suffix = "-" + question.options[int(match.group(2)[1:]) - 1]["key"]
            key = question.field_name + suffix
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def url(survey: Survey) -> str:
    return f"/consultations/{survey.consultation.slug}/surveys/{survey.id}"


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (SurveyResponse, SurveyAnswer, Comment)
    )


def test_guest_answers_every_kind_and_gets_a_receipt(client, survey):
    page = client.get(url(survey))
    assert page.status_code == 200
    assert b"Where should officers be?" in page.data
    response = client.post(url(survey), data=answers_form(survey))
    assert response.status_code == 303
    [stored] = db.session.scalars(select(SurveyResponse)).all()
    assert response.headers["Location"].endswith(f"/survey-receipts/{stored.receipt_token}")
    values = {a.question.position: a.value for a in stored.answers}
    single, multiple, _scale, ranking, *_ = survey.questions
    assert values[1] == single.options[2]["key"]
    assert values[2] == [multiple.options[0]["key"], multiple.options[2]["key"]]
    assert values[3] == "4"
    assert values[4] == [ranking.options[0]["key"], ranking.options[2]["key"], ranking.options[1]["key"]]  # fmt: skip
    assert values[5] == 2
    assert values[6] == "More counselors"
    assert stored.stakeholder_role == "parent"
    assert stored.respondent_id is None

    # The long answer is a comment of channel "survey", linked to its answer, shown publicly.
    [long_answer] = [a for a in stored.answers if a.comment_id]
    comment = long_answer.comment
    assert comment.channel == "survey"
    assert comment.submitted_text == values[7]
    assert comment.declared_position is None
    assert comment.stakeholder_role == "parent"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you. Your answers are saved." in receipt
    assert "On call" in receipt
    assert "1. Counselors; 2. Training; 3. Officers" in receipt
    assert comment.public_label in receipt
    thread = client.get(f"/consultations/{survey.consultation.slug}").get_data(as_text=True)
    assert "my son finally has someone to talk to" in thread
    assert "via Survey" in thread


def test_optional_questions_may_be_skipped_and_dont_know_is_an_answer(client, survey):
    data = answers_form(
        survey, q2=None, q3="dont_know", **{"q4-1": "", "q4-2": "", "q4-3": ""}, q5="2.5", q6="",
        q7="   ",
    )  # fmt: skip
    assert client.post(url(survey), data=data).status_code == 303
    [stored] = db.session.scalars(select(SurveyResponse)).all()
    values = {a.question.position: a.value for a in stored.answers}
    assert values == {1: q(survey, 1).options[2]["key"], 3: "dont_know", 5: 2.5}
    assert counts() == (1, 3, 0)  # no comment for a blank long answer


INVALID = [
    ("required single choice left empty", {"q1": None}, 1, "Answer this question; it is required."),
    ("single choice not offered", {"q1": "o99"}, 1, "Choose one of the listed options."),
    ("too many options", {"q2": ["o1", "o2", "o3"]}, 2, "Choose at most 2 options; you chose 3."),
    ("multiple choice not offered", {"q2": ["o1", "o7"]}, 2, "Choose from the listed options."),
    ("scale point not offered", {"q3": "6"}, 3, "Choose one point on the scale"),
    ("ranks repeated", {"q4-1": "1", "q4-2": "1", "q4-3": "2"}, 4, "Use each rank once"),
    ("ranking incomplete", {"q4-1": "1", "q4-2": "", "q4-3": ""}, 4, "Give every option a rank from 1 to 3."),
    ("rank out of range", {"q4-1": "4", "q4-2": "1", "q4-3": "2"}, 4, "Give every option a rank"),
    ("number above the bound", {"q5": "11"}, 5, "Enter a number from 0 to 10."),
    ("number below the bound", {"q5": "-1"}, 5, "Enter a number from 0 to 10."),
    ("not a number", {"q5": "two"}, 5, "Enter a number, such as 3 or 2.5."),
    ("not a finite number", {"q5": "NaN"}, 5, "Enter a number, such as 3 or 2.5."),
    ("short text too long", {"q6": "x" * 201}, 6, "Answers can be at most 200 characters"),
    ("short text on two lines", {"q6": "one\ntwo"}, 6, "Write a short answer on one line."),
    ("long text over the limit", {"q7": "y" * 5001}, 7, "Answers can be at most 5,000 characters"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "overrides", "position", "message"), INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_answer_is_shown_by_its_question_and_nothing_is_stored(
    client, app, survey, case, overrides, position, message
):
    app.config["COMMENT_MAX_CHARS"] = 5000
    typed = "Something I typed and do not want to lose."
    data = answers_form(survey, **overrides)
    if position != 7:
        data[q(survey, 7).field_name] = typed
    response = client.post(url(survey), data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    question = q(survey, position)
    error = re.search(
        rf'<p class="field-error" id="{question.field_name}-error">(.*?)</p>', html, re.S
    )
    assert error, f"no error by question {position}"
    assert message in error.group(1)
    assert f'aria-describedby="{question.field_name}-error"' in html or (
        f"{question.field_name}-hint {question.field_name}-error" in html
    )
    assert 'role="alert"' in html  # the summary at the top announces the problem
    if position != 7:
        assert typed in html  # what was typed elsewhere is kept
    assert counts() == (0, 0, 0)


def test_respondent_questions_are_those_of_the_comment_form(client, survey):
    response = client.post(url(survey), data=answers_form(survey, stakeholder_role="mayor"))
    assert response.status_code == 400
    assert "Choose the role that fits you best." in response.get_data(as_text=True)
    other_school = factories.SchoolFactory()
    db.session.commit()
    response = client.post(url(survey), data=answers_form(survey, school_id=str(other_school.id)))
    assert response.status_code == 400
    assert counts() == (0, 0, 0)


def test_one_response_per_account(client, auth, participant, survey):
    auth.login(participant.email)
    first = client.post(url(survey), data=answers_form(survey, idempotency_key="a" * 32))
    second = client.post(url(survey), data=answers_form(survey, idempotency_key="b" * 32))
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    [stored] = db.session.scalars(select(SurveyResponse)).all()
    assert stored.respondent_id == participant.id
    assert counts()[0] == 1
    page = client.get(url(survey)).get_data(as_text=True)
    assert "You have already answered this survey." in page
    assert "Send answers" not in page


def test_guest_double_submit_stores_one_response(client, survey):
    first = client.post(url(survey), data=answers_form(survey))
    second = client.post(url(survey), data=answers_form(survey))
    assert second.headers["Location"] == first.headers["Location"]
    assert counts() == (1, 7, 1)
    # A different form (a new key) is a new response: guests are limited by rate, not identity.
    third = client.post(url(survey), data=answers_form(survey, idempotency_key="t" * 32))
    assert third.status_code == 303
    assert counts()[0] == 2


def test_a_reused_survey_key_never_hands_over_another_guests_receipt(app, survey):
    first, second = app.test_client(), app.test_client()
    a = first.post(url(survey), data=answers_form(survey))
    b = second.post(url(survey), data=answers_form(survey, q6="Something else entirely"))
    assert a.status_code == b.status_code == 303
    assert a.headers["Location"] != b.headers["Location"]
    assert counts()[0] == 2


def test_same_survey_key_with_different_answers_is_a_conflict(client, survey):
    first = client.post(url(survey), data=answers_form(survey))
    second = client.post(url(survey), data=answers_form(survey, q6="B's different answer"))
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert first.headers["Location"] not in html
    assert "B&#39;s different answer" in html  # what was typed is kept
    assert "was already used to send different answers" in html
    assert counts()[0] == 1
    new_key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)
    third = client.post(
        url(survey), data=answers_form(survey, q6="B's different answer", idempotency_key=new_key)
    )
    assert third.status_code == 303
    assert counts()[0] == 2


def test_survey_form_and_receipt_are_never_cached(client, survey):
    form_page = client.get(url(survey))
    receipt = client.get(client.post(url(survey), data=answers_form(survey)).headers["Location"])
    for response in (form_page, receipt):
        assert "no-store" in response.headers["Cache-Control"]


def test_guests_are_rate_limited(app_factory, survey):
    limited = app_factory(RATELIMIT_ENABLED=True, RATE_LIMIT_SURVEY="2 per minute")
    with limited.app_context():
        client = limited.test_client()
        statuses = [
            client.post(url(survey), data=answers_form(survey, idempotency_key=f"{i}" * 32)).status_code
            for i in range(3)
        ]  # fmt: skip
        db.session.remove()
    assert statuses == [303, 303, 429]


def test_guests_need_an_account_when_the_consultation_says_so(client, survey):
    survey.consultation.allow_guest_comments = False
    db.session.commit()
    response = client.post(url(survey), data=answers_form(survey))
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "to answer this survey." in html
    assert "/login?next=" in html
    assert counts() == (0, 0, 0)


def test_closed_or_draft_surveys_take_no_responses(client, survey):
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    assert client.post(url(survey), data=answers_form(survey)).status_code == 403
    survey.status = SurveyStatus.OPEN
    survey.consultation.closes_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(url(survey), data=answers_form(survey)).status_code == 403
    survey.status = SurveyStatus.DRAFT
    db.session.commit()
    assert client.get(url(survey)).status_code == 404  # drafts are not public
    assert counts() == (0, 0, 0)


@contextmanager
def write_locked(path: str) -> Iterator[None]:
    """Another connection holds SQLite's write lock meanwhile, as a busy job worker does."""
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_busy_database_gives_the_answers_back_under_the_same_form_key(
    app_factory, database_url, survey
):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    busy_app = app_factory(SQLITE_BUSY_TIMEOUT_MS=200, PROPAGATE_EXCEPTIONS=False)
    form = answers_form(survey, q6="Typed during the rush", idempotency_key="busy-key-" + "b" * 24)
    with write_locked(make_url(database_url).database or ""), busy_app.app_context():
        response = busy_app.test_client().post(url(survey), data=form)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "your answers were not saved" in html
    assert 'value="busy-key-' in html  # sending again cannot store it twice
    single, multiple, *_ = survey.questions
    assert re.search(rf'value="{single.options[2]["key"]}"\s+checked', html)
    assert re.search(rf'value="{multiple.options[2]["key"]}"\s+checked', html)
    assert re.search(r'<option value="3"\s+selected>3</option>', html)  # a rank is kept too
    assert 'value="Typed during the rush"' in html
    db.session.rollback()  # read afresh, not this test's snapshot
    assert counts() == (0, 0, 0)


# --- Builder -----------------------------------------------------------------------------------


def test_staff_build_a_survey_with_every_kind(client, auth, staff, consultation):
    auth.login(staff.email)
    created = client.post(
        f"/staff/consultations/{consultation.slug}/surveys/new",
        data={"title": "Budget survey", "introduction": "", "hide_results_until_closed": "y"},
    )
    assert created.status_code == 303
    survey = db.session.scalar(select(Survey))
    base = f"/staff/surveys/{survey.id}"
    for kind in QuestionKind:
        data = {"kind": kind.value, "prompt": f"A {kind.value} question", "results_public": "y"}
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
            data["options"] = "First\nSecond\n\nThird\n"
        if kind is QuestionKind.MULTIPLE:
            data["max_choices"] = "2"
        if kind is QuestionKind.NUMBER:
            data |= {"min_value": "0", "max_value": "100", "required": "y"}
        assert client.post(f"{base}/questions/new", data=data).status_code == 303, kind
    db.session.expire_all()
    assert [question.kind for question in survey.questions] == [k.value for k in QuestionKind]
    assert [o["label"] for o in survey.questions[0].options] == ["First", "Second", "Third"]
    assert survey.questions[1].max_choices == 2
    assert survey.questions[4].required and survey.questions[4].max_value == 100

    opened = client.post(base, data={"title": "Budget survey", "status": "open"})
    assert opened.status_code == 303
    page = client.get(url(survey)).get_data(as_text=True)
    assert "A ranking question" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single", "prompt": "Pick", "options": "Only one"}, "Give at least two options"),
        ({"kind": "single", "prompt": "Pick", "options": "Same\nsame"}, "Each option must be different."),
        ({"kind": "number", "prompt": "How many", "min_value": "5", "max_value": "1"}, "The lowest value must not be above"),
        ({"kind": "multiple", "prompt": "Pick", "options": "A\nB", "max_choices": "3"}, "The maximum must be between 1"),
        ({"kind": "short_text", "prompt": "Say", "options": "A\nB"}, "Only choice and ranking questions have options."),
        ({"kind": "essay", "prompt": "Say"}, "Not a valid choice"),
    ],
)  # fmt: skip
def test_builder_refuses_questions_that_make_no_sense(
    client, auth, staff, consultation, data, message
):
    survey = survey_service.create_survey(consultation, title="S")
    db.session.commit()
    auth.login(staff.email)
    response = client.post(f"/staff/surveys/{survey.id}/questions/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 0


def test_questions_lock_after_the_first_response(client, auth, staff, survey):
    client.post(url(survey), data=answers_form(survey))
    auth.login(staff.email)
    single = q(survey, 1)
    edit = f"/staff/surveys/{survey.id}/questions/{single.id}"

    def save(options: str, **extra: str):
        data = {"kind": "single", "prompt": single.prompt, "options": options, "required": "y"}
        return client.post(edit, data=data | extra)

    for refused in (
        "On campus\nNearby",
        "Nearby\nOn campus\nOn call",
        "On campus\nClose by\nOn call",
    ):
        response = save(refused)
        assert response.status_code == 400, refused
        assert "already has 1 response" in response.get_data(as_text=True)
    assert save("On campus\nNearby\nOn call", kind="multiple").status_code == 400

    # Safe changes still work: reword, add an option at the end.
    assert save("On campus\nNearby\nOn call\nNot sure", prompt="Where should officers work?").status_code == 303  # fmt: skip
    db.session.expire_all()
    assert [o["key"] for o in single.options] == ["o1", "o2", "o3", "o4"]
    assert single.prompt == "Where should officers work?"

    # No new questions, no reordering.
    added = client.post(
        f"/staff/surveys/{survey.id}/questions/new", data={"kind": "short_text", "prompt": "New"}
    )
    assert added.status_code == 400
    assert "adding a question" in added.get_data(as_text=True)
    moved = client.post(f"{edit}/move", data={"direction": "down"}, follow_redirects=True)
    assert "reordering questions" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert [question.position for question in survey.questions] == list(range(1, 8))
    assert survey.questions[0].id == single.id
    page = client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert "can no longer be added, removed or reordered" in page


def test_staff_reorder_questions_before_any_response(client, auth, staff, survey):
    auth.login(staff.email)
    first, second = q(survey, 1), q(survey, 2)
    response = client.post(
        f"/staff/surveys/{survey.id}/questions/{first.id}/move", data={"direction": "down"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert [question.id for question in survey.questions[:2]] == [second.id, first.id]
