"""The command-line tools: creating accounts, importing comments, seeding the demo."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from extensions import db
from forum.models import (
    Comment,
    Consultation,
    District,
    QuestionKind,
    Survey,
    SurveyResponse,
    User,
)
from tests import factories


def comments() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.number)))


def test_users_create_makes_an_admin(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Clerk@District.org",
            "--role",
            "admin",
            "--password",
            "a long admin passphrase",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created clerk@district.org with role admin." in result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.display_name) == ("clerk@district.org", "admin", "Clerk")


def test_users_create_refuses_a_weak_password_and_unknown_roles(runner, app):
    weak = runner.invoke(args=["users", "create", "--email", "a@b.org", "--password", "short"])
    assert weak.exit_code != 0
    assert "at least 12 characters" in weak.output
    bad_role = runner.invoke(
        args=["users", "create", "--email", "a@b.org", "--role", "king", "--password", "x" * 20]
    )
    assert bad_role.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.fixture
def school_consultation(app):
    consultation = factories.ConsultationFactory(slug="safety")
    factories.SchoolFactory(district=consultation.district, name="Valley Oak High School")
    db.session.commit()
    return consultation


CSV_GOOD = (
    "text,name,role,school,position,language,channel,received_at\n"
    '"Keep officers, please.\nThey help.",Pat,Parent,Valley Oak High School,oppose,en,speaker_card,2026-11-02T18:30\n'
    "Más consejeros,Luz,student,,support,es,,\n"
    '=HYPERLINK("x"),,,,,,phone,2026-11-03 09:00:00+00:00\n'
)


def test_import_csv_stores_every_row_with_its_channel_and_time(
    runner, school_consultation, tmp_path
):
    path = tmp_path / "cards.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert result.exit_code == 0, result.output
    assert "Imported 3 comment(s) into safety (#1-#3)." in result.output
    first, second, third = comments()
    assert first.submitted_text == "Keep officers, please.\nThey help."
    assert (first.author_name, first.stakeholder_role, first.declared_position) == (
        "Pat",
        "parent",
        "oppose",
    )
    assert first.school.name == "Valley Oak High School"
    assert first.channel == "speaker_card"
    assert first.received_at.isoformat() == "2026-11-03T02:30:00+00:00"  # 18:30 Pacific
    assert (second.channel, second.preferred_language, second.school_id) == ("email", "es", None)
    assert third.author_name == "Name withheld"
    assert third.stakeholder_role == "not_stated"
    assert third.declared_position is None
    assert third.submitted_text == '=HYPERLINK("x")'  # stored as sent; neutralised only in exports


def test_import_twice_skips_rows_already_imported(runner, school_consultation, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text(CSV_GOOD, encoding="utf-8")
    runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    again = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert again.exit_code == 0
    assert "Imported 0 comment(s)" in again.output
    assert "Skipped 3 row(s) already imported" in again.output
    assert len(comments()) == 3


def test_identical_rows_in_one_file_are_separate_comments(runner, school_consultation, tmp_path):
    path = tmp_path / "letters.jsonl"
    letter = json.dumps({"text": "Form letter text", "channel": "letter"})
    path.write_text(f"{letter}\n{letter}\n", encoding="utf-8")
    runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert [c.submitted_text for c in comments()] == ["Form letter text", "Form letter text"]


def test_import_reports_every_bad_row_by_line_and_stores_nothing(
    runner, school_consultation, tmp_path
):
    path = tmp_path / "bad.csv"
    path.write_text(
        "text,role,position,school,received_at,language\n"
        "Fine row,parent,support,,,\n"
        "   ,parent,support,,,\n"
        "Row,mayor,support,,,\n"
        "Row,parent,maybe,,,\n"
        "Row,parent,support,Unknown School,,\n"
        "Row,parent,support,,yesterday,\n"
        "Row,parent,support,,,klingon\n"
        "Row,parent,support,,2999-01-01T00:00,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert result.exit_code != 0
    output = result.output
    assert "line 3: Write a comment before sending it." in output
    assert "line 4: unknown role 'mayor'" in output
    assert "line 5: unknown position 'maybe'" in output
    assert "line 6: unknown school 'Unknown School'" in output
    assert "line 7: received_at 'yesterday' is not an ISO 8601 date and time" in output
    assert "line 8: unknown language 'klingon'" in output
    assert "line 9: received_at '2999-01-01T00:00' is in the future" in output
    assert "line 2" not in output
    assert "7 row(s) could not be imported; nothing was stored." in output
    assert comments() == []


def test_import_jsonl_reports_invalid_json_and_types(runner, school_consultation, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "ok"}\n{"text": "broken"\n\n["not", "an", "object"]\n{"text": 5}\n{"text": "x", "color": "red"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert result.exit_code != 0
    assert "line 2: invalid JSON" in result.output
    assert "line 4: each line must be a JSON object" in result.output
    assert "line 5: 'text' must be text, not int" in result.output
    assert "line 6: unknown field(s): color" in result.output
    assert comments() == []


def test_import_refuses_nul_characters_by_line(runner, school_consultation, tmp_path):
    path = tmp_path / "nul.jsonl"
    path.write_text('{"text": "fine"}\n{"text": "a\\u0000b"}\n', encoding="utf-8")
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert result.exit_code != 0
    assert "line 2: 'text' contains a NUL character" in result.output
    assert comments() == []


def test_import_refuses_unknown_columns_other_formats_and_consultations(
    runner, school_consultation, tmp_path
):
    csv_path = tmp_path / "cols.csv"
    csv_path.write_text("text,colour\nhello,red\n", encoding="utf-8")
    result = runner.invoke(args=["comments", "import", str(csv_path), "--consultation", "safety"])
    assert "line 1: unknown column(s): colour" in result.output
    xlsx = tmp_path / "comments.xlsx"
    xlsx.write_bytes(b"PK")
    assert (
        "use a .csv or .jsonl file"
        in runner.invoke(args=["comments", "import", str(xlsx), "--consultation", "safety"]).output
    )
    missing = runner.invoke(args=["comments", "import", str(csv_path), "--consultation", "nope"])
    assert "No consultation with slug 'nope'." in missing.output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("text\nCaf\xe9\n".encode("latin-1"))
    assert (
        "not UTF-8"
        in runner.invoke(
            args=["comments", "import", str(latin1), "--consultation", "safety"]
        ).output
    )
    assert comments() == []


def test_import_accepts_comments_after_the_period_closed(runner, school_consultation, tmp_path):
    school_consultation.status = "closed"
    db.session.commit()
    path = tmp_path / "late.jsonl"
    path.write_text(
        '{"text": "Mailed before the deadline", "channel": "letter"}\n', encoding="utf-8"
    )
    result = runner.invoke(args=["comments", "import", str(path), "--consultation", "safety"])
    assert result.exit_code == 0, result.output
    assert comments()[0].channel == "letter"


@pytest.mark.slow
def test_seed_demo_creates_a_realistic_consultation_once(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    district = db.session.scalar(select(District))
    assert district.is_demo
    assert len(district.schools) >= 10
    consultation = db.session.scalar(select(Consultation))
    assert consultation.accepts_comments()
    assert len(consultation.sections) == 8
    stored = comments()
    assert 250 <= len(stored) <= 450
    assert [c.number for c in stored] == list(range(1, len(stored) + 1))
    received = [c.received_at for c in stored]
    assert received == sorted(received)  # numbers follow arrival
    roles = Counter(c.stakeholder_role for c in stored)
    assert {"parent", "student", "teacher", "school_staff", "administrator", "community"} <= set(
        roles
    )
    positions = Counter(c.declared_position for c in stored)
    assert {"support", "oppose", "mixed", "neutral", "prefer_not_to_say", None} <= set(positions)
    assert sum(1 for c in stored if c.preferred_language == "es") >= 5
    assert sum(1 for c in stored if c.parent_id is not None) >= 10
    campaign = [
        c for c in stored if "keep School Resource Officers in our schools" in c.submitted_text
    ]
    assert len(campaign) >= 20
    topics = [
        "response time",
        "counselor",
        "students of colour",
        "$1.4 million",
        "training",
        "trust",
        "threat",
    ]
    assert all(any(topic in c.submitted_text for c in stored) for topic in topics)
    survey = db.session.scalar(select(Survey))
    assert survey.accepts_responses()
    assert {q.kind for q in survey.questions} == {k.value for k in QuestionKind}
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 300
    assert len({r.stakeholder_role for r in responses}) >= 6
    survey_comments = [c for c in stored if c.channel == "survey"]
    assert 20 <= len(survey_comments) <= 80  # long answers, published as comments
    assert "already there" in runner.invoke(args=["seed-demo"]).output
    assert len(comments()) == len(stored)


@pytest.mark.slow
def test_demo_pages_say_they_are_demo_data(runner, client, app):
    runner.invoke(args=["seed-demo"])
    page = client.get("/consultations/reimagine-school-safety")
    assert b"Demo data." in page.data
    assert b"fictional" in page.data
