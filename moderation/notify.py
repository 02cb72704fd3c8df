"""Email through a durable outbox: written in the same transaction as its cause, then delivered.

Backends: "outbox" (development and tests: the table is the mailbox), "console" (log each
message) and "smtp" (deliver through MAIL_SERVER). Undelivered mail is retried by
`flask moderation sweep`.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, g, has_request_context
from sqlalchemy import select

from extensions import db, retry_when_busy
from forum.models import Role, User
from forum.timeutil import now_utc
from moderation.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def queue_email(recipient: str, subject: str, body: str, kind: str) -> OutboxEmail:
    """Add a message to the outbox; it is sent after the surrounding transaction commits."""
    message = OutboxEmail(recipient=recipient, subject=subject, body=body, kind=kind)
    db.session.add(message)
    if has_request_context():
        g.outbox_has_mail = True
    return message


def threat_contacts() -> list[str]:
    """The configured threat-assessment contacts plus every threat_assessor account."""
    configured = [a.strip() for a in current_app.config["THREAT_ASSESSMENT_CONTACTS"] if a.strip()]
    accounts = db.session.scalars(select(User.email).where(User.role == Role.THREAT_ASSESSOR))
    return sorted(set(configured) | set(accounts))


@dataclass(frozen=True)
class _Letter:
    id: int
    recipient: str
    subject: str
    body: str


def _send_smtp(message: _Letter) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _send(message: _Letter) -> str | None:
    """Send one message; return why it failed, or None."""
    backend = current_app.config["MAIL_BACKEND"]
    try:
        if backend == "smtp":
            _send_smtp(message)
        elif backend == "console":
            logger.warning("email to %s: %s\n%s", message.recipient, message.subject, message.body)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("could not send email %s to %s: %s", message.id, message.recipient, error)
        return str(error)[:500]
    return None


def deliver_pending(limit: int = 100) -> int:
    """Send unsent outbox messages; return how many were delivered. Commits its own work.

    Mail is sent with no transaction open, so no database lock is held while a mail server
    answers; the outcome is then recorded, trying again while the database is busy (a threat
    notification must not wait for the next sweep).
    """
    letters = [
        _Letter(m.id, m.recipient, m.subject, m.body)
        for m in db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    ]
    db.session.commit()
    if not letters:
        return 0
    failures = {letter.id: _send(letter) for letter in letters}
    return retry_when_busy(lambda: _record(failures))


def _record(failures: dict[int, str | None]) -> int:
    delivered = 0
    for message_id, failure in failures.items():
        message = db.session.get(OutboxEmail, message_id)
        if message is None:
            continue
        message.attempts += 1
        if failure is None:
            message.sent_at = now_utc()
            delivered += 1
        else:
            message.last_error = failure
    db.session.commit()
    return delivered
