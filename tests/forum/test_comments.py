"""Posting, showing, replying to and withdrawing comments through HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from forum.models import Comment, CommentStatus
from forum.timeutil import now_utc
from tests import factories
from tests.html_checks import active_content, assert_inert


def comment_form(**overrides: object) -> dict[str, object]:
    data = {
        "text": "Counselors help more than officers.",
        "author_name": "Ana",
        "stakeholder_role": "parent",
        "declared_position": "support",
        "preferred_language": "en",
        "school_id": "",
        "section_id": "",
        "idempotency_key": "k" * 32,
    }
    data.update(overrides)
    return data


def stored_comments() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def stored_receipt_url() -> str:
    return f"/receipts/{stored_comments()[0].receipt_token}"


def post(client, consultation, **overrides):
    return client.post(
        f"/consultations/{consultation.slug}/comments", data=comment_form(**overrides)
    )


def test_guest_comment_is_stored_and_receipt_shown_after_commit(client, consultation):
    response = post(client, consultation)
    assert response.status_code == 303
    [comment] = stored_comments()
    assert response.headers["Location"].endswith(f"/receipts/{comment.receipt_token}")
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert b"Your comment is #1" in receipt.data
    assert b"It is published" in receipt.data
    assert comment.author_name == "Ana"
    assert comment.author_id is None
    page = client.get(f"/consultations/{consultation.slug}")
    assert b"Counselors help more than officers." in page.data


def test_text_is_stored_byte_for_byte_and_shown_escaped(client, consultation):
    text = "  Línea uno\r\n\r\n<b>bold?</b> مرحبا بالعالم 你好 🙂\u200b end  "
    assert post(client, consultation, text=text).status_code == 303
    [comment] = stored_comments()
    assert comment.submitted_text == text
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page
    assert "<b>bold?</b>" not in page
    assert "مرحبا بالعالم" in page


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>click</a>",
    "java\u200bscript:alert(1)",
    "<button formaction=javascript:alert(1)>go</button>",
    '"><iframe src="https://evil.example">',
    # The two cases bleach 6.4.0 fixed: an invisible character inside a scheme, and formaction.
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
]

PLAN_LINKS = [
    "[x](java\u200bscript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](java%E2%80%8Bscript:alert(1))",
    "[x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">raw html</a>',
    '<button formaction="javascript:alert(1)">go</button>',
]


@pytest.mark.parametrize("link", PLAN_LINKS)
def test_plan_text_links_only_to_web_mail_or_this_site(client, link):
    consultation = factories.ConsultationFactory(
        body_markdown=f"Intro [plan](https://example.org/plan) and {link}.\n\n## Safety\n\nText."
    )
    db.session.commit()
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert_inert(page)
    body = page.split('class="plan-body"', 1)[1].split("</div>", 1)[0]
    assert '<a href="https://example.org/plan">plan</a>' in body
    assert active_content(body).tags <= {"p", "a", "h2"}
    assert body.count("<a ") == 1


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_comments_renders_inert(client, consultation, payload):
    assert post(client, consultation, text=f"Before {payload} after").status_code == 303
    for url in (f"/consultations/{consultation.slug}", stored_receipt_url()):
        page = client.get(url).get_data(as_text=True)
        assert_inert(page)
        comment_html = page.split('class="comment-text"', 1)[1].split("</div>", 1)[0]
        assert active_content(comment_html).tags <= {"p", "br", "a"}
        assert "Before" in comment_html and "after" in comment_html


def test_links_are_clickable_but_nofollow_ugc(client, consultation):
    post(client, consultation, text="Data at https://example.org/report?a=1&b=2 please read")
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert '<a href="https://example.org/report?a=1&amp;b=2" rel="nofollow ugc noopener">' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, b"Write a comment before sending it."),
        ({"text": " \r\n\t "}, b"Write a comment before sending it."),
        ({"text": "x" * 5001}, b"at most 5,000 characters; this one has 5,001"),
        ({"stakeholder_role": "mayor"}, b"Not a valid choice"),
        ({"declared_position": "maybe"}, b"Not a valid choice"),
        ({"preferred_language": "xx"}, b"Not a valid choice"),
        ({"school_id": "99999"}, b"Not a valid choice"),
        ({"author_name": ""}, b"Give a name to show with your comment."),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client, consultation, overrides, message
):
    response = post(client, consultation, **overrides)
    assert response.status_code == 400
    assert message in response.data
    assert stored_comments() == []


def test_form_keeps_typed_text_after_a_validation_error(client, consultation):
    response = post(client, consultation, stakeholder_role="", text="Keep me please")
    assert response.status_code == 400
    assert b"Keep me please" in response.data
    assert b'aria-invalid="true"' in response.data


def test_exactly_the_limit_is_accepted(client, consultation):
    assert post(client, consultation, text="é" * 5000).status_code == 303
    assert len(stored_comments()[0].submitted_text) == 5000


def test_closed_consultation_refuses_comments_and_says_so(client, app):
    consultation = factories.ConsultationFactory(
        opens_at=now_utc() - timedelta(days=10), closes_at=now_utc() - timedelta(minutes=1)
    )
    db.session.commit()
    page = client.get(f"/consultations/{consultation.slug}")
    assert b"Comment period closed" in page.data
    assert b"Send comment" not in page.data
    response = post(client, consultation)
    assert response.status_code == 403
    assert b"not accepting comments" in response.data
    assert stored_comments() == []


def test_draft_consultation_is_hidden_from_the_public(client, app):
    consultation = factories.ConsultationFactory(status="draft")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.slug}").status_code == 404
    assert post(client, consultation).status_code == 404
    assert stored_comments() == []


def test_guests_must_sign_in_when_the_consultation_requires_accounts(
    client, app, participant, auth
):
    consultation = factories.ConsultationFactory(allow_guest_comments=False)
    db.session.commit()
    assert (
        b"to comment on this consultation" in client.get(f"/consultations/{consultation.slug}").data
    )
    assert post(client, consultation).status_code == 403
    assert stored_comments() == []
    auth.login(participant.email)
    assert post(client, consultation).status_code == 303
    [comment] = stored_comments()
    assert comment.author_id == participant.id
    assert comment.author_name == participant.display_name


def test_signed_in_comment_shows_display_name_not_email(client, consultation, participant, auth):
    auth.login(participant.email)
    post(client, consultation, author_name="Someone else")
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert participant.display_name in page
    assert participant.email not in page
    assert "Someone else" not in page


def test_student_school_is_not_shown_publicly(client, consultation):
    school = factories.SchoolFactory(district=consultation.district, name="Hidden Valley High")
    db.session.commit()
    post(client, consultation, stakeholder_role="student", school_id=str(school.id))
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "Hidden Valley High" in page  # as a choice on the form...
    assert page.count("Hidden Valley High") == 1  # ...but not beside the student's comment
    assert stored_comments()[0].school_id == school.id


def test_comment_on_a_section(client, consultation):
    section = consultation.sections[1]
    post(client, consultation, section_id=str(section.id))
    assert stored_comments()[0].section_id == section.id
    page = client.get(f"/consultations/{consultation.slug}?section={section.id}")
    assert b"On section 2. Counselors" in page.data


def test_section_from_another_consultation_is_refused(client, consultation):
    other = factories.ConsultationFactory()
    db.session.commit()
    response = post(client, consultation, section_id=str(other.sections[0].id))
    assert response.status_code == 400
    assert stored_comments() == []


def test_public_numbers_count_up_per_consultation(client, consultation):
    other = factories.ConsultationFactory()
    db.session.commit()
    for index in range(3):
        post(client, consultation, idempotency_key=f"key-{index}".ljust(20, "x"))
    post(client, other, idempotency_key="other-key".ljust(20, "x"))
    numbers = {(c.consultation_id, c.number) for c in stored_comments()}
    assert numbers == {
        (consultation.id, 1),
        (consultation.id, 2),
        (consultation.id, 3),
        (other.id, 1),
    }


def test_double_submit_stores_one_comment_and_shows_the_same_receipt(client, consultation):
    first = post(client, consultation)
    second = post(client, consultation)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(stored_comments()) == 1


def test_a_reused_form_key_in_another_session_never_hands_over_the_receipt(app, consultation):
    first, second = app.test_client(), app.test_client()
    key = "shared-key-" + "k" * 24
    a = post(first, consultation, text="Guest A's comment.", idempotency_key=key)
    b = post(second, consultation, text="Someone else's comment.", idempotency_key=key)
    assert a.status_code == b.status_code == 303
    assert a.headers["Location"] != b.headers["Location"]
    comment_a, comment_b = stored_comments()
    assert comment_b.submitted_text == "Someone else's comment."  # stored, not dropped
    assert comment_a.receipt_token not in b.headers["Location"]
    # The second session cannot withdraw A's comment: it never learnt A's receipt.
    second.post(b.headers["Location"] + "/withdraw")
    db.session.refresh(comment_a)
    assert comment_a.status == CommentStatus.PUBLISHED


def test_same_key_with_different_text_is_a_conflict_not_the_earlier_receipt(client, consultation):
    """A shared kiosk: the next person presses Back, writes something else and sends it."""
    key = "kiosk-key-" + "k" * 24
    first = post(client, consultation, text="Guest A's comment.", idempotency_key=key)
    [comment_a] = stored_comments()
    second = post(client, consultation, text="Guest B's own words.", idempotency_key=key)
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert comment_a.receipt_token not in html
    assert first.headers["Location"] not in html
    assert "Guest B&#39;s own words." in html  # what B typed is kept in the form
    assert "was already used to send a different comment" in html
    assert len(stored_comments()) == 1
    new_key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)
    assert new_key != key
    resent = post(client, consultation, text="Guest B's own words.", idempotency_key=new_key)
    assert resent.status_code == 303
    assert [c.submitted_text for c in stored_comments()] == [
        "Guest A's comment.",
        "Guest B's own words.",
    ]


def test_the_form_and_receipts_are_never_cached(client, consultation):
    form_page = client.get(f"/consultations/{consultation.slug}")
    receipt = client.get(post(client, consultation).headers["Location"])
    for response in (form_page, receipt):
        assert "no-store" in response.headers["Cache-Control"]


def test_names_are_isolated_so_right_to_left_overrides_stay_inside_them(client, consultation):
    name = "\u202eAna"  # RIGHT-TO-LEFT OVERRIDE, then a name
    post(client, consultation, author_name=name)
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert f"<bdi>{name}</bdi>" in page
    [comment] = stored_comments()
    assert comment.author_name == name  # stored as sent


def test_replies_are_one_level_deep(client, consultation):
    post(client, consultation, text="Top level", idempotency_key="a" * 20)
    top = stored_comments()[0]
    post(client, consultation, text="A reply", parent_id=str(top.id), idempotency_key="b" * 20)
    reply = stored_comments()[1]
    post(
        client,
        consultation,
        text="Reply to reply",
        parent_id=str(reply.id),
        idempotency_key="c" * 20,
    )
    nested = stored_comments()[2]
    assert reply.parent_id == top.id
    assert nested.parent_id == top.id  # joins the first thread, never three deep
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert page.index("Top level") < page.index("A reply") < page.index("Reply to reply")
    assert 'aria-label="Replies to #1"' in page


def test_reply_to_a_comment_elsewhere_is_refused(client, consultation):
    other_comment = factories.CommentFactory()
    db.session.commit()
    response = post(client, consultation, parent_id=str(other_comment.id))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_extra_fields_cannot_set_protected_columns(client, consultation, participant):
    post(
        client,
        consultation,
        status="hidden",
        author_id=str(participant.id),
        number="999",
        channel="email",
        receipt_token="chosen",
    )
    [comment] = stored_comments()
    assert comment.status == CommentStatus.PUBLISHED
    assert comment.author_id is None
    assert comment.number == 1
    assert comment.channel == "web"
    assert comment.receipt_token != "chosen"


def test_pre_moderated_comment_waits_and_receipt_says_so(client, app):
    consultation = factories.ConsultationFactory(moderation_mode="pre")
    db.session.commit()
    response = post(client, consultation)
    assert b"after a moderator reviews it" in client.get(response.headers["Location"]).data
    assert stored_comments()[0].status == CommentStatus.PENDING
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "Counselors help more than officers." not in page


def test_guest_withdraws_from_the_receipt_and_the_record_stays(client, consultation):
    receipt_url = post(client, consultation).headers["Location"]
    response = client.post(receipt_url + "/withdraw")
    assert response.status_code == 303
    assert b"is withdrawn" in client.get(receipt_url).data
    [comment] = stored_comments()
    assert comment.status == CommentStatus.WITHDRAWN
    assert comment.withdrawn_at is not None
    assert comment.submitted_text == "Counselors help more than officers."
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "Counselors help more than officers." not in page


def test_author_withdraws_by_id_but_nobody_else_can(client, app, consultation, participant, auth):
    auth.login(participant.email)
    post(client, consultation)
    [comment] = stored_comments()
    auth.logout()
    intruder = factories.UserFactory()
    db.session.commit()
    auth.login(intruder.email)
    assert client.post(f"/comments/{comment.id}/withdraw").status_code == 403
    db.session.refresh(comment)
    assert comment.status == CommentStatus.PUBLISHED
    auth.logout()
    assert client.post(f"/comments/{comment.id}/withdraw").status_code == 403
    auth.login(participant.email)
    assert b"#1" in client.get("/account/comments").data
    assert client.post(f"/comments/{comment.id}/withdraw").status_code == 303
    db.session.refresh(comment)
    assert comment.status == CommentStatus.WITHDRAWN


def test_withdrawn_comment_with_replies_leaves_a_placeholder(client, consultation):
    receipt_url = post(client, consultation, text="Parent text", idempotency_key="p" * 20).headers[
        "Location"
    ]
    top = stored_comments()[0]
    post(client, consultation, text="Reply text", parent_id=str(top.id), idempotency_key="r" * 20)
    client.post(receipt_url + "/withdraw")
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "Parent text" not in page
    assert "This comment was withdrawn by its author." in page
    assert "Reply text" in page


def test_comment_permalink(client, consultation):
    post(client, consultation)
    response = client.get(f"/consultations/{consultation.slug}/comments/1")
    assert response.status_code == 200
    assert b"Counselors help more than officers." in response.data
    assert client.get(f"/consultations/{consultation.slug}/comments/2").status_code == 404


def test_comments_are_paged(client, consultation):
    for _ in range(55):
        factories.CommentFactory(consultation=consultation, submitted_text="Same words")
    db.session.commit()
    first = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert first.count('class="comment"') == 50
    assert "Page 1 of 2" in first
    second = client.get(f"/consultations/{consultation.slug}?page=2").get_data(as_text=True)
    assert second.count('class="comment"') == 5


def test_ids_too_large_for_the_database_are_refused_not_500(
    client, auth, participant, consultation
):
    huge = "9223372036854775808"
    response = post(client, consultation, parent_id=huge, section_id=huge)
    assert response.status_code == 400
    assert stored_comments() == []
    page = client.get(
        f"/consultations/{consultation.slug}?section={huge}&reply_to={huge}&page={huge}"
    )
    assert page.status_code == 200
    auth.login(participant.email)
    assert client.get(f"/comments/{huge}/flag").status_code == 404
