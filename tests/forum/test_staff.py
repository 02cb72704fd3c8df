"""Staff create and edit consultations in the browser; nobody else can."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from forum.models import Consultation
from tests import factories
from tests.conftest import user_with_role
from tests.html_checks import assert_inert

BODY = "Intro.\n\n## Officers\n\nThree.\n\n## 2. Counselors\n\nMore. <script>alert(1)</script>\n\n[x](javascript:alert(1))"


def consultation_form(**overrides: object) -> dict[str, object]:
    data = {
        "title": "Safety plan",
        "slug": "safety-plan",
        "summary": "Fewer officers.",
        "body_markdown": BODY,
        "proposal": "Reduce officers.",
        "meeting_date": "2026-12-14",
        "agenda_item": "11.2",
        "opens_at": "2026-10-01T08:00",
        "closes_at": "2027-01-10T17:00",
        "status": "open",
        "allow_guest_comments": "y",
        "moderation_mode": "post",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in_staff(client, auth):
    staff = user_with_role("staff")
    auth.login(staff.email)
    return staff


def test_staff_create_a_consultation_with_numbered_sections(client, signed_in_staff):
    response = client.post("/staff/consultations/new", data=consultation_form())
    assert response.status_code == 303
    consultation = db.session.scalar(select(Consultation))
    assert [s.label for s in consultation.sections] == ["1. Officers", "2. Counselors"]
    assert (
        consultation.opens_at.isoformat() == "2026-10-01T15:00:00+00:00"
    )  # 08:00 Pacific daylight time
    assert consultation.agenda_item == "11.2"
    page = client.get("/consultations/safety-plan").get_data(as_text=True)
    assert '<h2 id="section-1">1. Officers</h2>' in page
    assert '<h2 id="section-2">2. Counselors</h2>' in page
    assert_inert(page)


def test_editing_keeps_sections_that_have_comments(client, signed_in_staff):
    client.post("/staff/consultations/new", data=consultation_form())
    consultation = db.session.scalar(select(Consultation))
    factories.CommentFactory(consultation=consultation, section=consultation.sections[1])
    db.session.commit()
    response = client.post(
        "/staff/consultations/safety-plan/edit",
        data=consultation_form(body_markdown="## Officers only\n\nText."),
    )
    assert response.status_code == 303
    db.session.expire_all()
    sections = {s.number: (s.title, s.retired) for s in consultation.sections}
    assert sections == {1: ("Officers only", False), 2: ("Counselors", True)}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "Bad Slug!"}, b"Use lower-case letters"),
        ({"closes_at": "2026-09-01T08:00"}, b"must close after it opens"),
        ({"title": "  "}, b"Give a title."),
        ({"status": "published"}, b"Not a valid choice"),
    ],
)
def test_bad_consultation_input_is_refused(client, signed_in_staff, overrides, message):
    response = client.post("/staff/consultations/new", data=consultation_form(**overrides))
    assert response.status_code == 200
    assert message in response.data
    assert db.session.scalar(select(Consultation)) is None


def test_slug_must_be_unique(client, signed_in_staff):
    client.post("/staff/consultations/new", data=consultation_form())
    response = client.post("/staff/consultations/new", data=consultation_form(title="Another"))
    assert b"already uses this address" in response.data


def test_staff_see_drafts_and_the_public_does_not(client, app, signed_in_staff):
    client.post("/staff/consultations/new", data=consultation_form(status="draft"))
    assert b"Draft: only staff can see this page." in client.get("/consultations/safety-plan").data
    assert b"Safety plan" in client.get("/staff/").data
    client.post("/logout")
    assert client.get("/consultations/safety-plan").status_code == 404
    assert b"Safety plan" not in client.get("/").data


@pytest.mark.parametrize("role", ["participant", "moderator", "threat_assessor"])
def test_other_roles_cannot_reach_staff_pages(client, auth, role):
    user = user_with_role(role)
    auth.login(user.email)
    assert client.get("/staff/").status_code == 403
    assert client.post("/staff/consultations/new", data=consultation_form()).status_code == 403
    assert db.session.scalar(select(Consultation)) is None


def test_anonymous_visitors_are_sent_to_sign_in(client, app):
    response = client.get("/staff/consultations/new")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
