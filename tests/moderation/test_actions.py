"""Each moderation action through HTTP: its state change and its one audit row."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, func, select

from extensions import db
from forum.models import CommentStatus, OutboxEmail, User
from moderation.models import AuditEntry, Escalation, Flag, Redaction, ReviewReason
from tests import factories
from tests.moderation.conftest import audit_rows, latest_comment, post_comment


@pytest.fixture
def published(client, consultation):
    post_comment(client, consultation, "Officers make my kids feel safe.")
    return latest_comment()


@pytest.fixture
def held(client, consultation):
    post_comment(client, consultation, "Text me at 916-555-0199 about the rally.")
    return latest_comment()


def act(client, comment, action, **data):
    return client.post(f"/moderation/comments/{comment.id}/{action}", data=data)


def test_approve_publishes_a_held_comment_and_writes_one_audit_row(client, held, as_moderator):
    assert act(client, held, "approve", note="phone number is the author's own").status_code == 303
    db.session.refresh(held)
    assert held.status == CommentStatus.PUBLISHED
    [row] = audit_rows()
    assert (row.action, row.actor_id, row.actor_role) == ("approve", as_moderator.id, "moderator")
    assert (row.target_type, row.target_id) == ("comment", held.id)
    assert (row.previous_state, row.new_state) == ("pending", "published")
    assert row.note == "phone number is the author's own"
    assert row.created_at.tzinfo is not None
    assert len(row.request_id) >= 8
    assert (
        db.session.scalar(
            select(func.count()).select_from(ReviewReason).where(ReviewReason.cleared_at.is_(None))
        )
        == 0
    )


def test_hide_needs_a_published_reason_code(client, published, as_moderator):
    for bad in ("offensive", "disrespectful", "misinformation", ""):
        response = act(client, published, "hide", reason_code=bad)
        assert response.status_code == 303
        db.session.refresh(published)
        assert published.status == CommentStatus.PUBLISHED
    assert audit_rows() == []
    page = client.get(f"/moderation/comments/{published.id}")
    assert "is not one of the published reason codes" in page.get_data(as_text=True)


def test_hide_keeps_the_text_tells_the_author_and_audits(
    client, consultation, participant, auth, moderator
):
    auth.login(participant.email)
    post_comment(client, consultation, "Visit my shop for school supplies!")
    comment = latest_comment()
    auth.logout()
    auth.login(moderator.email)
    act(client, comment, "hide", reason_code="commercial_spam", note="advert")
    db.session.refresh(comment)
    assert (comment.status, comment.hidden_reason) == ("hidden", "commercial_spam")
    assert comment.submitted_text == "Visit my shop for school supplies!"
    [row] = audit_rows()
    assert (row.action, row.reason_code, row.previous_state, row.new_state) == (
        "hide",
        "commercial_spam",
        "published",
        "hidden",
    )
    [mail] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "hidden_notice")
    ).all()
    assert mail.recipient == participant.email
    assert "commercial_spam" in mail.body and "ask for a review" in mail.body
    receipt = client.get(f"/receipts/{comment.receipt_token}").get_data(as_text=True)
    assert "commercial_spam" in receipt and "ask for a review" in receipt


def test_restore_brings_a_hidden_comment_back(client, published, as_moderator):
    act(client, published, "hide", reason_code="off_topic")
    act(client, published, "restore", note="on reflection it is on topic")
    db.session.refresh(published)
    assert (published.status, published.hidden_reason) == ("published", None)
    assert [r.action for r in audit_rows()] == ["hide", "restore"]
    assert audit_rows()[1].previous_state == "hidden"


def test_redaction_shows_redacted_publicly_and_keeps_the_original(
    client, consultation, as_moderator
):
    text = "My son's classmate Jordan Miller was handcuffed. Jordan Miller is 12."
    post_comment(client, consultation, text)
    comment = latest_comment()
    act(client, comment, "redact", phrase="Jordan Miller", reason_code="personal_information")
    act(client, comment, "approve")
    db.session.refresh(comment)
    assert comment.submitted_text == text
    assert comment.public_text == "My son's classmate [redacted] was handcuffed. [redacted] is 12."
    assert db.session.scalar(select(func.count()).select_from(Redaction)) == 2
    assert [r.action for r in audit_rows()] == ["redact", "approve"]
    client.post("/logout")
    public = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "[redacted] was handcuffed" in public
    assert "Jordan Miller" not in public


def test_redaction_of_words_not_in_the_comment_is_refused(client, published, as_moderator):
    act(client, published, "redact", phrase="Not there", reason_code="personal_information")
    assert db.session.scalar(select(func.count()).select_from(Redaction)) == 0
    assert audit_rows() == []


def test_escalate_hides_while_under_review_and_tells_the_moderator_to_call_911(
    client, published, as_moderator, threat_assessor
):
    response = client.post(
        f"/moderation/comments/{published.id}/escalate",
        data={"note": "worrying"},
        follow_redirects=True,
    )
    assert b"If the threat is imminent, call 911." in response.data
    db.session.refresh(published)
    assert published.status == CommentStatus.PENDING
    escalation = db.session.scalar(select(Escalation))
    assert (escalation.source, escalation.status) == ("moderator", "open")
    assert (
        db.session.scalar(select(OutboxEmail.recipient).where(OutboxEmail.kind == "escalation"))
        == threat_assessor.email
    )
    [row] = audit_rows()
    assert (row.action, row.previous_state, row.new_state) == ("escalate", "published", "pending")
    approve = act(client, published, "approve")
    assert approve.status_code == 303
    db.session.refresh(published)
    assert published.status == CommentStatus.PENDING  # not until the threat team closes it


def test_dismiss_flags_clears_reasons_without_changing_visibility(
    client, published, participant, auth, moderator
):
    auth.login(participant.email)
    client.post(f"/comments/{published.id}/flag", data={"reason": "off_topic"})
    auth.logout()
    auth.login(moderator.email)
    act(client, published, "dismiss")
    db.session.refresh(published)
    assert published.status == CommentStatus.PUBLISHED
    [row] = audit_rows()
    assert (row.action, row.previous_state, row.new_state) == (
        "dismiss_flags",
        "published",
        "published",
    )
    assert b"Nothing is waiting for review." in client.get("/moderation/").data


def test_block_user_stops_posting(client, consultation, participant, auth, moderator):
    auth.login(moderator.email)
    response = client.post(
        f"/moderation/users/{participant.id}/block", data={"days": "3", "note": "repeated spam"}
    )
    assert response.status_code == 303
    [row] = audit_rows()
    assert (row.action, row.target_type, row.target_id) == ("block_user", "user", participant.id)
    auth.logout()
    auth.login(participant.email)
    response = post_comment(client, consultation, "Trying again")
    assert response.status_code == 403
    assert b"cannot post comments" in response.data


def test_staff_accounts_cannot_be_blocked(client, as_moderator, staff):
    client.post(f"/moderation/users/{staff.id}/block", data={"days": "3"})
    db.session.refresh(staff)
    assert staff.blocked_until is None
    assert audit_rows() == []


def test_bulk_hide_of_a_duplicate_group_writes_one_row_per_comment(
    client, consultation, participant, auth, moderator
):
    auth.login(participant.email)
    for _ in range(3):
        post_comment(client, consultation, "Same words again and again.")
    auth.logout()
    auth.login(moderator.email)
    from forum.models import Comment

    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    ids = [str(c.id) for c in comments]
    response = client.post(
        "/moderation/bulk",
        data={"comment_ids": ids[1:], "action": "hide", "reason_code": "duplicate"},
    )
    assert response.status_code == 303
    statuses = [db.session.get(Comment, c.id).status for c in comments]
    assert statuses == ["published", "hidden", "hidden"]
    assert [(r.action, r.target_id) for r in audit_rows()] == [
        ("hide", comments[1].id),
        ("hide", comments[2].id),
    ]


def test_bulk_with_an_unlisted_code_changes_nothing(client, consultation, as_moderator):
    post_comment(client, consultation, "One")
    post_comment(client, consultation, "Two")
    from forum.models import Comment

    ids = [str(i) for i in db.session.scalars(select(Comment.id))]
    client.post(
        "/moderation/bulk", data={"comment_ids": ids, "action": "hide", "reason_code": "rude"}
    )
    assert set(db.session.scalars(select(Comment.status))) == {"published"}
    assert audit_rows() == []


def test_if_the_audit_row_cannot_be_written_the_action_does_not_happen(client, held, as_moderator):
    def refuse(mapper, connection, target):
        raise RuntimeError("audit storage unavailable")

    event.listen(AuditEntry, "before_insert", refuse)
    try:
        with pytest.raises(RuntimeError, match="audit storage unavailable"):
            act(client, held, "approve")
    finally:
        event.remove(AuditEntry, "before_insert", refuse)
    db.session.rollback()
    db.session.refresh(held)
    assert held.status == CommentStatus.PENDING
    assert audit_rows() == []


def test_actions_need_csrf_when_it_is_on(app, client, held, as_moderator):
    app.config["WTF_CSRF_ENABLED"] = True
    assert act(client, held, "approve").status_code == 400
    db.session.refresh(held)
    assert held.status == CommentStatus.PENDING
    assert audit_rows() == []


def test_actions_need_a_post(client, held, as_moderator):
    assert client.get(f"/moderation/comments/{held.id}/approve").status_code == 405


def test_queue_orders_threats_first_and_filters(client, consultation, as_moderator):
    post_comment(client, consultation, "Text me at 916-555-0199 about it.")
    post_comment(client, consultation, "I'm going to shoot the principal.")
    other = factories.ConsultationFactory(title="Bell schedule")
    db.session.commit()
    post_comment(client, other, "Buy now, cheap essays!")
    page = client.get("/moderation/").get_data(as_text=True)
    assert page.index("shoot the principal") < page.index("916-555-0199")
    assert "If the threat is imminent, call 911." in page
    assert "Possible threat of violence" in page
    filtered = client.get(f"/moderation/?consultation={other.id}").get_data(as_text=True)
    assert "cheap essays" in filtered and "916-555-0199" not in filtered
    by_reason = client.get("/moderation/?reason=personal_information").get_data(as_text=True)
    assert "916-555-0199" in by_reason and "shoot the principal" not in by_reason


def test_ten_flags_leave_a_lawful_comment_published(client, published, auth):
    for index in range(10):
        user = factories.UserFactory()
        db.session.commit()
        auth.login(user.email)
        reason = "threat" if index == 0 else "off_topic"
        assert (
            client.post(f"/comments/{published.id}/flag", data={"reason": reason}).status_code
            == 303
        )
        auth.logout()
    db.session.refresh(published)
    assert published.status == CommentStatus.PUBLISHED
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 10
    assert (
        b"Officers make my kids feel safe."
        in client.get(f"/consultations/{published.consultation.slug}").data
    )


def test_a_participant_flags_once(client, published, participant, auth):
    auth.login(participant.email)
    client.post(f"/comments/{published.id}/flag", data={"reason": "off_topic"})
    second = client.post(
        f"/comments/{published.id}/flag", data={"reason": "obscenity"}, follow_redirects=True
    )
    assert b"already flagged" in second.data
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_flag_with_an_unlisted_reason_is_refused(client, published, participant, auth):
    auth.login(participant.email)
    response = client.post(f"/comments/{published.id}/flag", data={"reason": "i_disagree"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_flagging_needs_an_account(client, published):
    response = client.post(f"/comments/{published.id}/flag", data={"reason": "off_topic"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_users_are_not_changed_by_moderation_of_others(client, held, as_moderator):
    before = db.session.scalar(select(func.count()).select_from(User))
    act(client, held, "approve")
    assert db.session.scalar(select(func.count()).select_from(User)) == before


# Query arguments a scanner adds to queue addresses: they used to reach url_for and give 500s.
HOSTILE_QUERIES = [
    "endpoint=x",
    "_method=FOO",
    "_external=1&_scheme=javascript",
    "_anchor=x%22%3E",
    "values=1&page=2&page=x",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_queue_ignores_query_arguments_it_does_not_know(client, consultation, as_moderator, query):
    for index in range(30):  # more than one page, so the pager links are built
        factories.CommentFactory(
            consultation=consultation, status=CommentStatus.PENDING, submitted_text=f"Held {index}"
        )
    db.session.commit()
    response = client.get(f"/moderation/?reason=&consultation={consultation.id}&{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    pager = html.split('aria-label="Pages of the queue"', 1)[1].split("</nav>", 1)[0]
    links = [urlsplit(unescape(link)) for link in re.findall(r'href="([^"]+)"', pager)]
    assert links
    for link in links:  # same-site paths carrying the queue's own filters and nothing else
        assert (link.scheme, link.netloc, link.path, link.fragment) == ("", "", "/moderation/", "")
        assert parse_qs(link.query)["consultation"] == [str(consultation.id)]
        assert set(parse_qs(link.query)) == {"consultation", "page"}


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_an_action_from_the_queue_with_odd_query_arguments_answers_with_the_queue(
    client, held, as_moderator, query
):
    response = client.post(
        f"/moderation/comments/{held.id}/dismiss?{query}", data={"return_to": "queue"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/moderation/")
    assert "javascript" not in response.headers["Location"]
    assert [row.action for row in audit_rows()] == ["dismiss_flags"]
