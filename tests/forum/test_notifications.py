"""Notifications through HTTP and the outbox: following, replies, closing reminders, unsubscribing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from extensions import db
from forum.mail.senders import Letter, SMTPSender
from forum.models import Comment, CommentStatus, Follow, OutboxEmail
from forum.notifications import sending
from forum.notifications.links import FOLLOW_CONFIRMATION_AGE
from forum.timeutil import now_utc
from tests import factories
from tests.forum.test_comments import comment_form


def outbox(kind: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)
        )
    )


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def link_in(message: OutboxEmail, pattern: str) -> str:
    return path_of(re.search(rf"https?://\S+{pattern}\S+", message.body).group(0))


def reply_over_http(client, consultation, parent: Comment, key: str = "r" * 32, **overrides):
    data = comment_form(
        text="I disagree: officers keep the doors safe.",
        author_name="Bo",
        parent_id=str(parent.id),
        idempotency_key=key,
        **overrides,
    )
    return client.post(f"/consultations/{consultation.slug}/comments", data=data)


@pytest.fixture
def my_comment(consultation, participant):
    comment = factories.CommentFactory(
        consultation=consultation, author=participant, author_name=participant.display_name
    )
    db.session.commit()
    return comment


def test_a_reply_to_my_comment_is_announced_once_in_my_language(
    client, consultation, participant, my_comment
):
    participant.preferred_locale = "es"
    db.session.commit()
    assert reply_over_http(client, consultation, my_comment).status_code == 303
    assert sending.send_due_notifications() == 1
    assert sending.send_due_notifications() == 0  # the next sweep finds it already sent
    [notice] = outbox("reply_notice")
    assert notice.recipient == participant.email
    assert "respondió" in notice.subject and "#1" in notice.subject
    assert "officers keep the doors safe" in notice.body
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == my_comment.id))
    assert path_of(re.search(r"https?://\S+/comments/\d+", notice.body).group(0)) == (
        f"/consultations/{consultation.slug}/comments/{reply.number}"
    )
    assert notice.unsubscribe_url and "/unsubscribe/" in notice.unsubscribe_url
    assert notice.unsubscribe_url in notice.body and notice.unsubscribe_url in notice.html_body


def test_my_own_reply_and_a_held_reply_are_not_announced_until_public(
    client, auth, consultation, participant, my_comment
):
    auth.login(participant.email)
    assert reply_over_http(client, consultation, my_comment).status_code == 303
    auth.logout()
    consultation.moderation_mode = "pre"
    db.session.commit()
    assert reply_over_http(client, consultation, my_comment, key="s" * 32).status_code == 303
    assert sending.send_due_notifications() == 0  # mine, and one still waiting for review
    held = db.session.scalar(select(Comment).where(Comment.status == CommentStatus.PENDING))
    moderator = factories.UserFactory(role="moderator")
    db.session.commit()
    auth.login(moderator.email)
    assert client.post(f"/moderation/comments/{held.id}/approve").status_code == 303
    assert sending.send_due_notifications() == 1
    assert [m.recipient for m in outbox("reply_notice")] == [participant.email]


def test_one_click_unsubscribe_needs_no_sign_in_and_stops_reply_notices(
    client, consultation, participant, my_comment
):
    reply_over_http(client, consultation, my_comment)
    sending.send_due_notifications()
    [notice] = outbox("reply_notice")
    unsubscribe = path_of(notice.unsubscribe_url)
    asked = client.get(unsubscribe)
    assert asked.status_code == 200 and "Unsubscribe" in asked.get_data(as_text=True)
    db.session.refresh(participant)
    assert participant.notify_replies  # a link scanner's GET changes nothing
    # RFC 8058: the mail program POSTs this body, with no cookie and no form token.
    done = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    db.session.refresh(participant)
    assert not participant.notify_replies
    reply_over_http(client, consultation, my_comment, key="t" * 32)
    assert sending.send_due_notifications() == 0
    assert client.post(unsubscribe[:-3] + "xyz").status_code == 404  # a forged token


def test_notification_emails_carry_the_rfc_8058_headers():
    sender = SMTPSender(
        {
            "MAIL_SERVER": "localhost",
            "MAIL_PORT": 25,
            "MAIL_USE_TLS": False,
            "MAIL_USERNAME": "",
            "MAIL_PASSWORD": "",
            "MAIL_FROM": "board@example.org",
        }
    )
    url = "https://comment.example.org/unsubscribe/abc"
    message = sender.message(Letter(1, "ana@example.org", "Hi", "Body", None, url))
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = sender.message(Letter(2, "ana@example.org", "Reset", "Body"))
    assert plain["List-Unsubscribe"] is None  # account mail (a reset link) has none


def test_a_guest_follows_by_confirming_the_address_then_hears_of_the_closing_once(
    client, consultation
):
    sent = client.post(
        f"/consultations/{consultation.slug}/follow", data={"email": " Ana@Example.org "}
    )
    assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    [confirmation] = outbox("follow_confirmation")
    assert confirmation.recipient == "ana@example.org"
    consultation.closes_at = now_utc() + timedelta(hours=30)
    db.session.commit()
    assert sending.send_closing_notices() == 0  # not confirmed yet
    confirmed = client.get(link_in(confirmation, "/follow/confirm/"))
    assert confirmed.status_code == 200 and "You follow this consultation" in confirmed.get_data(
        as_text=True
    )
    assert sending.send_due_notifications() == 1
    assert sending.send_due_notifications() == 0
    [closing] = outbox("closing_soon")
    assert closing.recipient == "ana@example.org" and consultation.title in closing.subject
    assert "/unsubscribe/" in closing.unsubscribe_url
    client.post(path_of(closing.unsubscribe_url))
    assert db.session.scalars(select(Follow)).all() == []


def test_no_closing_notice_more_than_48_hours_ahead_or_after_the_close(client, consultation):
    follow = Follow(
        consultation_id=consultation.id, email="ana@example.org", confirmed_at=now_utc()
    )
    db.session.add(follow)
    consultation.closes_at = now_utc() + timedelta(hours=49)
    db.session.commit()
    assert sending.send_closing_notices() == 0
    assert sending.send_closing_notices(now=now_utc() + timedelta(hours=50)) == 0  # closed
    assert sending.send_closing_notices(now=now_utc() + timedelta(hours=2)) == 1


def test_follow_links_that_are_forged_or_expired_are_refused(client, consultation, monkeypatch):
    client.post(f"/consultations/{consultation.slug}/follow", data={"email": "ana@example.org"})
    [confirmation] = outbox("follow_confirmation")
    link = link_in(confirmation, "/follow/confirm/")
    assert client.get(link[:-4] + "abcd").status_code == 404
    later = now_utc() + FOLLOW_CONFIRMATION_AGE + timedelta(minutes=1)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(later.timestamp()))
    expired = client.get(link)
    assert expired.status_code == 410 and "three days" in expired.get_data(as_text=True)
    assert db.session.scalar(select(Follow)).confirmed_at is None


def test_a_guest_follow_needs_a_real_address(client, consultation):
    refused = client.post(f"/consultations/{consultation.slug}/follow", data={"email": "nope"})
    assert refused.status_code == 400
    assert "Give an email address like name@example.org." in refused.get_data(as_text=True)
    assert db.session.scalars(select(Follow)).all() == [] and outbox("follow_confirmation") == []


def test_the_comment_form_checkbox_follows_for_an_account_and_asks_a_guest_for_an_address(
    client, auth, consultation, participant
):
    guest = client.post(
        f"/consultations/{consultation.slug}/comments", data=comment_form(follow="y")
    )
    assert guest.status_code == 400
    assert "Give the email address to send the updates to." in guest.get_data(as_text=True)
    assert db.session.scalars(select(Comment)).all() == []  # nothing partial is stored
    stored = client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(follow="y", follow_email="ana@example.org"),
    )
    assert stored.status_code == 303
    assert [m.recipient for m in outbox("follow_confirmation")] == ["ana@example.org"]
    auth.login(participant.email)
    client.post(
        f"/consultations/{consultation.slug}/comments",
        data=comment_form(follow="y", idempotency_key="m" * 32),
    )
    [mine] = db.session.scalars(select(Follow).where(Follow.user_id == participant.id)).all()
    assert mine.confirmed_at is not None
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    assert "You follow this consultation." in page and "Stop following" in page


def test_an_unconfirmed_account_follows_but_hears_nothing_until_it_confirms(
    client, auth, consultation, participant
):
    participant.email_confirmed_at = None
    consultation.closes_at = now_utc() + timedelta(hours=20)
    db.session.commit()
    auth.login(participant.email)
    followed = client.post(f"/consultations/{consultation.slug}/follow", follow_redirects=True)
    assert "Emails start once you confirm your address" in followed.get_data(as_text=True)
    assert sending.send_closing_notices() == 0
    participant.email_confirmed_at = now_utc()
    db.session.commit()
    assert sending.send_closing_notices() == 1


def test_my_account_lists_follows_and_saves_notification_choices(
    client, auth, consultation, participant, my_comment
):
    auth.login(participant.email)
    client.post(f"/consultations/{consultation.slug}/follow")
    page = client.get("/account").get_data(as_text=True)
    assert "Consultations I follow" in page and consultation.title in page
    saved = client.post(
        "/account/notifications", data={"notify_followed": "y", "notify_moderation": "y"}
    )
    assert saved.status_code == 303
    db.session.refresh(participant)
    assert (participant.notify_replies, participant.notify_followed) == (False, True)
    auth.logout()
    reply_over_http(client, consultation, my_comment)
    assert sending.send_reply_notices() == 0
    auth.login(participant.email)
    data = client.get("/account/data.json").get_json()
    assert data["following"] == [
        {"consultation": consultation.slug, "since": data["following"][0]["since"]}
    ]
    assert data["notifications"]["replies"] is False
    stopped = client.post(
        f"/consultations/{consultation.slug}/unfollow", data={"return_to": "account"}
    )
    assert stopped.status_code == 303 and stopped.location.endswith("/account#following-heading")
    assert db.session.scalars(select(Follow)).all() == []


def test_a_hidden_comment_notice_has_an_unsubscribe_link_that_is_honoured(
    client, auth, consultation, participant, my_comment
):
    moderator = factories.UserFactory(role="moderator")
    second = factories.CommentFactory(consultation=consultation, author=participant)
    db.session.commit()
    auth.login(moderator.email)
    client.post(f"/moderation/comments/{my_comment.id}/hide", data={"reason_code": "off_topic"})
    [notice] = outbox("hidden_notice")
    assert notice.unsubscribe_url and notice.unsubscribe_url in notice.body
    client.post(path_of(notice.unsubscribe_url))
    client.post(f"/moderation/comments/{second.id}/hide", data={"reason_code": "off_topic"})
    assert len(outbox("hidden_notice")) == 1


def test_the_sweep_command_queues_and_delivers_notifications_where_no_worker_runs(
    client, runner, consultation, participant, my_comment
):
    reply_over_http(client, consultation, my_comment)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "send_due_notifications" in result.output and "deliver_pending" in result.output
    [notice] = outbox("reply_notice")
    db.session.refresh(notice)
    assert notice.sent_at is not None
