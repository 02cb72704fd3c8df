"""Email through a durable outbox: written in the same transaction as its cause, then delivered.

Backends: "outbox" (development and tests: the table is the mailbox), "console" (log each
message) and "smtp" (deliver through MAIL_SERVER). Undelivered mail is retried by
`flask moderation sweep`.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_request_context
from sqlalchemy import select

from extensions import db
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


def _send_smtp(message: OutboxEmail) -> None:
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


def deliver_pending(limit: int = 100) -> int:
    """Send unsent outbox messages; return how many were delivered. Commits its own work."""
    backend = current_app.config["MAIL_BACKEND"]
    pending = db.session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    delivered = 0
    for message in pending:
        message.attempts += 1
        try:
            if backend == "smtp":
                _send_smtp(message)
            elif backend == "console":
                logger.warning(
                    "email to %s: %s\n%s", message.recipient, message.subject, message.body
                )
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)[:500]
            logger.warning(
                "could not send email %s to %s: %s", message.id, message.recipient, error
            )
            continue
        message.sent_at = now_utc()
        delivered += 1
    db.session.commit()
    return delivered
