"""Delivering the outbox: claim a batch, send it with no transaction open, record what happened.

A batch is claimed before it is sent (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the claim
is one UPDATE, which takes the write lock), so the request hook and the sweep, or two workers,
never send the same message twice. A claim whose sender died is taken again after
CLAIM_EXPIRES, so mail is never stranded.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from extensions import db, retry_when_busy
from forum.mail.senders import Letter, sender_class
from forum.models import OutboxEmail
from forum.timeutil import now_utc
from jobs import queue

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
CLAIM_EXPIRES = timedelta(minutes=10)


def deliver_pending(limit: int = 100) -> int:
    """Send unsent outbox messages; return how many were delivered. Commits its own work.

    Mail is sent with no transaction open, so no database lock is held while a mail server
    answers; the outcome is then recorded, trying again while the database is busy (a threat
    notification must not wait for the next sweep).
    """
    letters = retry_when_busy(lambda: _claim(limit))
    if not letters:
        return 0
    sender = sender_class(current_app.config["MAIL_BACKEND"])(current_app.config)
    failures = sender.send(letters)
    return retry_when_busy(lambda: _record(failures))


queue.every_minute(deliver_pending, order=100)  # last, so what other steps queue leaves now


@queue.task(retries=2, retry_delay=30)
def deliver_outbox() -> int:
    return deliver_pending()


def deliver_soon() -> None:
    """Have a worker deliver the outbox, not this request: the request's timing then says nothing
    about whether it queued mail (a reset for an unknown address looks like one for a known one).
    If the queue is down, the every-minute sweep delivers it."""
    try:
        deliver_outbox()
    except Exception:
        logger.exception("could not enqueue mail delivery; the sweep will deliver it")


def _claim(limit: int) -> list[Letter]:
    token = uuid.uuid4().hex
    now = now_utc()
    due = (
        select(OutboxEmail.id)
        .where(
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.attempts < MAX_ATTEMPTS,
            or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < now - CLAIM_EXPIRES),
        )
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_(due.scalar_subquery()))
        .values(claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    letters = [
        Letter(m.id, m.recipient, m.subject, m.body, m.html_body, m.unsubscribe_url)
        for m in db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.claim_token == token).order_by(OutboxEmail.id)
        )
    ]
    db.session.commit()
    return letters


def _record(failures: dict[int, str | None]) -> int:
    delivered = 0
    for message_id, failure in failures.items():
        message = db.session.get(OutboxEmail, message_id)
        if message is None:
            continue
        message.attempts += 1
        message.claim_token, message.claimed_at = None, None
        if failure is None:
            message.sent_at = now_utc()
            delivered += 1
        else:
            message.last_error = failure
    db.session.commit()
    return delivered
