"""Property-based tests: hostile input on every form and the import command.

Hypothesis sends arbitrary Unicode, control characters (NUL included), huge fields, several
values for one field, numbers where text is expected and fields nobody asked for. Whatever
arrives, the app answers without a server error, and a refused request stores nothing.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from extensions import db
from forum import surveys as survey_service
from forum.models import Comment
from tests import factories
from tests.conftest import PASSWORD

CHARACTERS = st.characters(exclude_categories=("Cs",))  # no lone surrogates: not encodable
TRICKY = [
    "", " ", "\x00", "a\x00b", "\r\n", "\t", "None", "null", "-1", "0", "1e309", "NaN",
    "2026-13-45", "99999999999999999999", "<script>alert(1)</script>", "\u202egnp.exe",
    "مرحبا بالعالم", "🙂" * 20, "support", "parent", "o1", "1", "en", "=cmd|' /C calc'!A0",
]  # fmt: skip
VALUE = st.one_of(
    st.text(CHARACTERS, max_size=80),
    st.sampled_from(TRICKY),
    st.builds(lambda ch, n: ch * n, CHARACTERS, st.integers(1_000, 300_000)),
    st.lists(st.text(CHARACTERS, max_size=12), min_size=2, max_size=3),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def form_data(baseline: dict[str, object]):
    """A valid form with some fields made hostile, and perhaps fields nobody asked for.

    Starting from a valid form lets hostile values reach the service and the database instead
    of stopping at the first missing field.
    """
    fields = st.fixed_dictionaries(
        {name: st.one_of(st.just(value), VALUE) for name, value in baseline.items()}
    )
    extra = st.dictionaries(
        st.sampled_from(["status", "role", "author_id", "number", "id", "is_blocked"]),
        VALUE,
        max_size=2,
    )
    key = st.uuids().map(lambda u: f"fuzz-{u.hex}")

    def build(chosen: dict, more: dict, fresh_key: str) -> dict:
        data = {**more, **chosen}
        if data.get("idempotency_key") == "KEY":
            data["idempotency_key"] = fresh_key  # a new form each time, unless made hostile
        return data

    return st.builds(build, fields, extra, key)


@pytest.fixture
def world(app):
    consultation = factories.ConsultationFactory(slug="plan")
    comment = factories.CommentFactory(consultation=consultation)
    survey = survey_service.create_survey(consultation, title="Survey", status="open")
    for spec in (
        survey_service.QuestionSpec("single", "Pick", required=True, options=["A", "B"]),
        survey_service.QuestionSpec(
            "multiple", "Pick some", options=["A", "B", "C"], max_choices=2
        ),
        survey_service.QuestionSpec("ranking", "Rank", options=["A", "B"]),
        survey_service.QuestionSpec("number", "How many", min_value=0, max_value=9),
        survey_service.QuestionSpec("long_text", "Anything else?"),
    ):
        survey_service.add_question(survey, spec)
    users = {
        role: factories.UserFactory(role=role) for role in ("participant", "moderator", "staff")
    }
    db.session.commit()
    return {"consultation": consultation, "comment": comment, "survey": survey, "users": users}


OPENS = "2026-12-01T08:00"
CLOSES = "2026-12-20T17:00"
# (role that signs in, URL from the world, a valid submission of the form)
FORMS = {
    "comment": (None, lambda w: "/consultations/plan/comments", {
        "text": "Counselors first.", "author_name": "Ana", "stakeholder_role": "parent",
        "declared_position": "support", "preferred_language": "en", "school_id": "",
        "section_id": "", "parent_id": "", "idempotency_key": "KEY"}),
    "survey": (None, lambda w: f"/consultations/plan/surveys/{w['survey'].id}", {}),
    "register": (None, lambda w: "/register", {
        "email": "new.person@example.org", "display_name": "New person",
        "password": PASSWORD, "confirm": PASSWORD}),
    "login": (None, lambda w: "/login", {"email": "nobody@example.org", "password": "x", "next": "/"}),
    "flag": ("participant", lambda w: f"/comments/{w['comment'].id}/flag", {
        "reason": "threat", "note": "Please look."}),
    "consultation": ("staff", lambda w: "/staff/consultations/new", {
        "title": "Budget plan", "slug": "budget-plan", "summary": "A summary.",
        "body_markdown": "Intro.\n\n## One\n\nText.", "proposal": "Adopt the budget.",
        "meeting_date": "2027-01-10", "agenda_item": "4.1", "opens_at": OPENS,
        "closes_at": CLOSES, "status": "draft", "allow_guest_comments": "y",
        "moderation_mode": "post"}),
    "survey builder": ("staff", lambda w: f"/staff/surveys/{w['survey'].id}/questions/new", {
        "kind": "multiple", "prompt": "Which?", "help_text": "", "options": "A\nB\nC",
        "max_choices": "2", "min_value": "", "max_value": "", "required": "y",
        "results_public": "y"}),
    "survey settings": ("staff", lambda w: f"/staff/surveys/{w['survey'].id}", {
        "title": "Survey", "introduction": "", "status": "open",
        "hide_results_until_closed": "y"}),
    "moderation hide": ("moderator", lambda w: f"/moderation/comments/{w['comment'].id}/hide", {
        "reason_code": "off_topic", "phrase": "", "note": "Not about the plan."}),
    "moderation redact": ("moderator", lambda w: f"/moderation/comments/{w['comment'].id}/redact", {
        "reason_code": "personal_information", "phrase": "support", "note": ""}),
    "moderation bulk": ("moderator", lambda w: "/moderation/bulk", {
        "comment_ids": "0", "action": "hide", "reason_code": "duplicate",
        "note": ""}),
    "theme codebook": ("staff", lambda w: "/staff/analysis/plan/themes", {
        "key": "cost", "label": "Cost", "description": "Money and budget.", "active": "y"}),
}  # fmt: skip


def survey_baseline(survey) -> dict[str, object]:
    single, multiple, ranking, number, long_text = survey.questions
    return {
        "stakeholder_role": "parent", "school_id": "", "preferred_language": "en",
        "idempotency_key": "KEY",
        single.field_name: single.options[0]["key"],
        multiple.field_name: [multiple.options[0]["key"]],
        f"{ranking.field_name}-{ranking.options[0]['key']}": "1",
        f"{ranking.field_name}-{ranking.options[1]['key']}": "2",
        number.field_name: "3",
        long_text.field_name: "More counselors, please.",
    }  # fmt: skip


@pytest.mark.parametrize("name", list(FORMS))
def test_hostile_form_input_never_500s_and_a_refusal_stores_nothing(client, world, name):
    role, url_of, baseline = FORMS[name]
    if role is not None:
        response = client.post(
            "/login", data={"email": world["users"][role].email, "password": PASSWORD}
        )
        assert response.status_code == 302
    url = url_of(world)
    if name == "survey":
        baseline = survey_baseline(world["survey"])
    if name == "moderation bulk":
        baseline = {**baseline, "comment_ids": str(world["comment"].id)}

    @FUZZ
    @given(data=form_data(baseline))
    def check(data: dict[str, object]) -> None:
        before = row_counts()
        response = client.post(url, data=data)
        assert response.status_code < 500, (name, data)
        if response.status_code in (302, 303):
            # Follow the redirect as a browser would, which shows (and clears) any flash
            # message; otherwise they pile up in the session cookie over many examples.
            assert client.get(response.headers["Location"]).status_code < 500
        else:
            db.session.rollback()
            assert row_counts() == before, (name, response.status_code, data)
        if 400 <= response.status_code < 500 and response.status_code != 404:
            assert response.mimetype == "text/html"
            assert len(response.get_data(as_text=True)) > 200  # a page that says what went wrong

    check()


CSV_COLUMNS = ["text", "name", "role", "school", "position", "language", "channel", "received_at"]


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@FUZZ
@given(
    columns=st.lists(
        st.one_of(st.sampled_from(CSV_COLUMNS), st.text(CHARACTERS, max_size=8)),
        min_size=1,
        max_size=6,
    ),
    cells=st.lists(st.lists(VALUE.filter(lambda v: isinstance(v, str) and len(v) < 10_000), max_size=7), max_size=5),
)  # fmt: skip
def test_hostile_csv_import_stores_all_or_nothing(runner, world, tmp_path_factory, columns, cells):
    path = tmp_path_factory.mktemp("fuzz") / "comments.csv"
    lines = [",".join(_csv_cell(c) for c in columns)]
    lines += [",".join(_csv_cell(c) for c in row) for row in cells]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _import_is_all_or_nothing(runner, path, expected=len(cells))


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(CHARACTERS, max_size=40)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)  # fmt: skip


@FUZZ
@given(
    rows=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(CSV_COLUMNS), JSON_VALUE, max_size=6),
            JSON_VALUE,
            st.text(CHARACTERS, max_size=30),  # not JSON at all
        ),
        min_size=1,
        max_size=5,
    )
)
def test_hostile_jsonl_import_stores_all_or_nothing(runner, world, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "comments.jsonl"
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")
    _import_is_all_or_nothing(runner, path, expected=None)


def _import_is_all_or_nothing(runner, path, expected: int | None) -> None:
    before = db.session.scalar(select(func.count()).select_from(Comment))
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "plan"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    db.session.rollback()
    after = db.session.scalar(select(func.count()).select_from(Comment))
    if result.exit_code != 0:
        assert after == before, result.output
        assert "line " in result.output or "Error" in result.output
    elif expected is not None:
        assert after - before <= expected
