"""Mail leaves once, in the recipient's language, over one SMTP connection per batch."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import create_app
from extensions import db
from forum.mail.delivery import deliver_pending
from forum.models import OutboxEmail
from forum.timeutil import now_utc
from jobs import queue
from moderation.models import Escalation
from tests import factories
from tests.moderation.conftest import latest_comment, post_comment
from tests.serving import free_port


class SlowRecordingSender:
    """A MAIL_BACKEND named by dotted path: records what it sends, slowly enough to overlap."""

    sent: Counter[int] = Counter()

    def __init__(self, config) -> None:
        pass

    def send(self, letters):
        time.sleep(0.2)
        for letter in letters:
            SlowRecordingSender.sent[letter.id] += 1
        return {letter.id: None for letter in letters}


@pytest.fixture
def app_overrides():
    return {"MAIL_BACKEND": "tests.moderation.test_mail:SlowRecordingSender"}


def _queue_letters(count: int) -> list[int]:
    messages = [
        OutboxEmail(recipient=f"person{i}@example.org", subject="s", body="b", kind="test")
        for i in range(count)
    ]
    db.session.add_all(messages)
    db.session.commit()
    return [m.id for m in messages]


def test_two_deliverers_at_once_send_each_message_exactly_once(app):
    ids = _queue_letters(30)
    SlowRecordingSender.sent.clear()

    def deliver() -> None:
        with app.app_context():
            deliver_pending(limit=20)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        deliver_pending()  # whatever a busy moment left over
    assert sorted(SlowRecordingSender.sent) == ids
    assert set(SlowRecordingSender.sent.values()) == {1}
    db.session.rollback()  # end this session's read, to see what the deliverers recorded
    rows = db.session.scalars(select(OutboxEmail)).all()
    assert all(m.sent_at is not None and m.claim_token is None for m in rows)


def test_a_claim_left_by_a_dead_sender_is_taken_again_later(app):
    [message_id] = _queue_letters(1)
    message = db.session.get(OutboxEmail, message_id)
    message.claim_token, message.claimed_at = "a" * 32, now_utc()  # a sender died mid-batch
    db.session.commit()
    SlowRecordingSender.sent.clear()
    assert deliver_pending() == 0  # claimed by someone else: not sent twice
    message.claimed_at = now_utc() - timedelta(minutes=11)
    db.session.commit()
    assert deliver_pending() == 1
    assert SlowRecordingSender.sent[message_id] == 1


class Inbox:
    """aiosmtpd handler: keeps each message and counts the connections that brought them."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_smtp_sends_a_batch_over_one_connection_with_text_and_html(app, consultation, smtp_server):
    controller, inbox = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        THREAT_ASSESSMENT_CONTACTS=["a@district.example", "b@district.example"],
    )
    client = app.test_client()
    post_comment(
        client,
        consultation,
        "I'm going to bring a gun to the school board meeting. <script>alert(1)</script>",
    )
    assert len(inbox.messages) == 2
    assert inbox.connections == 1
    first = inbox.messages[0]
    assert first["Subject"].startswith("Possible threat in public comment #")
    text, html = (part.get_payload(decode=True).decode() for part in first.get_payload())
    assert "<script>alert(1)</script>" in text  # plain text is the comment, verbatim
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "call 911" in text and "call 911" in html


def test_a_hidden_notice_is_written_in_the_authors_language(app, consultation):
    author = factories.UserFactory(role="participant", preferred_locale="es")
    moderator = factories.UserFactory(role="moderator")
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": author.email, "password": "correct horse battery staple"})
    post_comment(client, consultation, "Visit my shop for school supplies!")
    comment = latest_comment()
    client.post("/logout")
    client.post(
        "/login", data={"email": moderator.email, "password": "correct horse battery staple"}
    )
    client.post(
        f"/moderation/comments/{comment.id}/hide",
        data={"reason_code": "commercial_spam", "note": "advert"},
    )
    [notice] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "hidden_notice")
    ).all()
    assert notice.subject == f"Su comentario n.º {comment.number} fue ocultado"
    assert "commercial_spam" in notice.body and "registro público" in notice.body
    assert 'lang="es"' in notice.html_body


def test_an_unknown_mail_backend_stops_the_start_with_a_clear_message(database_url):
    with pytest.raises(RuntimeError, match="MAIL_BACKEND='smpt' names no email sender"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_BACKEND": "smpt"})


def test_the_sweep_reminds_the_threat_team_and_the_reminder_leaves_in_the_same_sweep(
    app, consultation, threat_assessor
):
    app.config["MAIL_BACKEND"] = "outbox"
    post_comment(app.test_client(), consultation, "I will kill everyone at the meeting.")
    escalation = db.session.scalar(select(Escalation))
    escalation.last_notified_at = now_utc() - timedelta(hours=1)
    db.session.commit()
    queue.sweep()  # what the worker's every-minute task runs
    [reminder] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.startswith("REMINDER"))
    ).all()
    assert reminder.recipient == threat_assessor.email
    assert reminder.sent_at is not None
