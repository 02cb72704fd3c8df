"""Screening at submission routes comments to review; it never rejects them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from forum.models import CommentStatus, OutboxEmail
from moderation.models import Escalation, ReviewReason
from moderation.screening import screen_text
from tests.moderation.conftest import latest_comment, post_comment


def reasons_of(comment) -> set[str]:
    return set(
        db.session.scalars(select(ReviewReason.code).where(ReviewReason.comment_id == comment.id))
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I am going to shoot up the school on Friday.", "possible_threat"),
        ("If you cut the officers I will kill the board.", "possible_threat"),
        ("Te voy a matar si votas que sí.", "possible_threat"),
        (
            "Honestly some days I want to kill myself, nobody at school listens.",
            "possible_self_harm",
        ),
        ("Call me at (916) 555-0143 to organise.", "personal_information"),
        ("Llámeme al +52 55 1234 5678 si tiene preguntas sobre el plan.", "personal_information"),
        ("Write to me at parent.organiser@example.com.", "personal_information"),
        ("We live at 4521 Riverside Boulevard near the school.", "personal_information"),
        (
            "My son's classmate Jordan Miller was handcuffed in front of everyone.",
            "personal_information",
        ),
        ("This plan is fucking ridiculous.", "obscenity"),
        ("Buy now at bit.ly/cheap-essays!", "spam_pattern"),
    ],
)
def test_screened_comments_are_held_with_the_reason_and_the_author_gets_a_receipt(
    client, consultation, text, code
):
    response = post_comment(client, consultation, text)
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"])
    assert b"after a moderator reviews it" in receipt.data
    comment = latest_comment()
    assert comment.submitted_text == text
    assert comment.status == CommentStatus.PENDING
    assert code in reasons_of(comment)


@pytest.mark.parametrize(
    "text",
    [
        "Counselors cannot stop someone who comes on campus to hurt people.",
        "When a student made a threat at our school, the officer found out whether there was a weapon at home.",
        "Cops do not belong in our schools. Fund counselors instead.",
        "The plan costs $1.4 million for 2026-2027; that is too much.",
        "Cesar Chavez High School students deserve counselors.",
        "I strongly oppose this plan; the board is making a terrible, foolish mistake.",
    ],
)
def test_ordinary_argument_is_published_at_once(client, consultation, text):
    post_comment(client, consultation, text)
    comment = latest_comment()
    assert comment.status == CommentStatus.PUBLISHED
    assert reasons_of(comment) == set()


def test_threat_is_escalated_and_notified_at_once_without_any_job_queue(
    client, consultation, threat_assessor, app
):
    app.config["THREAT_ASSESSMENT_CONTACTS"] = ["safety.office@district.example"]
    response = post_comment(
        client, consultation, "I'm going to bring a gun to the school board meeting."
    )
    assert response.status_code == 303
    comment = latest_comment()
    escalation = db.session.scalar(select(Escalation))
    assert escalation.comment_id == comment.id
    assert escalation.source == "screening"
    assert escalation.status == "open"
    mail = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.recipient)).all()
    assert [m.recipient for m in mail] == [
        "safety.office@district.example",
        "threat.team@district.example",
    ]
    assert all(m.sent_at is not None for m in mail)  # delivered in the same request
    assert "bring a gun" in mail[0].body
    assert "call 911" in mail[0].body
    assert comment.status == CommentStatus.PENDING
    assert comment.submitted_text.startswith("I'm going to bring a gun")
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "bring a gun" not in page


def test_exact_repeat_by_the_same_person_is_held_as_duplicate(
    client, participant, auth, consultation
):
    auth.login(participant.email)
    post_comment(client, consultation, "Please keep our officers on campus.")
    post_comment(client, consultation, "  please keep our OFFICERS on campus. ")
    comment = latest_comment()
    assert reasons_of(comment) == {"duplicate"}
    assert comment.status == CommentStatus.PENDING


def test_form_letters_from_different_people_stay_published_but_are_marked(client, consultation):
    letter = (
        "Dear Board Members, I am writing to urge you to keep School Resource Officers in our schools. "
        "Our officers keep students safe and respond in seconds. Please vote no."
    )
    post_comment(client, consultation, letter + " Sincerely, Ana", author_name="Ana")
    post_comment(client, consultation, letter + " Sincerely, Bo", author_name="Bo")
    comment = latest_comment()
    assert comment.status == CommentStatus.PUBLISHED
    assert reasons_of(comment) == {"near_duplicate"}


def test_pre_moderation_holds_everything_for_approval(client, app):
    from tests import factories

    consultation = factories.ConsultationFactory(moderation_mode="pre")
    db.session.commit()
    post_comment(client, consultation, "A perfectly ordinary comment.")
    comment = latest_comment()
    assert comment.status == CommentStatus.PENDING
    assert reasons_of(comment) == {"pre_moderation"}


def test_screen_text_reports_what_triggered_it():
    [finding] = screen_text("Reach me on 916.555.0143 tonight")
    assert finding.code == "personal_information"
    assert "phone number" in finding.detail


@pytest.mark.parametrize(
    "text",
    [
        "Mi esposo y yo queremos ayudar: llámenos al +52 55 1234 5678 por las tardes.",
        "Write to my cousin in Monterrey: +52 81 8123 4567.",
        "Ring me on +44 20 7946 0958 after six.",
    ],
)
def test_numbers_with_a_country_code_are_found_whatever_the_region(text):
    [finding] = screen_text(text)
    assert finding.code == "personal_information"
    assert "phone number" in finding.detail


def test_numbers_without_a_country_code_are_read_in_the_configured_region(app):
    mexican = "Llámeme al 81 1234 5678, por favor."
    assert screen_text(mexican) == []  # not a valid number in the United States
    assert screen_text(mexican, phone_region="MX")[0].code == "personal_information"
    app.config["PHONE_REGION"] = "MX"
    with app.app_context():
        assert screen_text(mexican)[0].code == "personal_information"


@pytest.mark.parametrize(
    "text",
    [
        "Nací en 1985 y tengo 3 hijos en 2 escuelas; el plan cuesta 1.400.000 dólares.",
        "Between 2024-05-01 and 2024-06-01 there were 1,250 calls.",
        "The contract is $250000000 over 10 years.",
    ],
)
def test_years_dates_and_money_are_not_phone_numbers(text):
    assert screen_text(text) == []
