"""Queueing notifications into the outbox, each once, in its reader's language.

Replies and closing reminders are found by the every-minute sweep (so a reply counts from the
moment it is public, whether it was published at once or approved later); a published packet
notifies as it is published. Delivery is the outbox's: the sweep sends what is queued here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, literal, or_, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.routing import BuildError

from extensions import db
from forum.mail import queue_email
from forum.models import Comment, CommentStatus, Consultation, Follow, OutboxEmail, User
from forum.notifications.links import absolute_url, unsubscribe_url
from forum.timeutil import now_utc
from jobs import queue

logger = logging.getLogger(__name__)

# A reply published (or approved) longer ago than this is old news: it is not announced.
REPLY_HORIZON = timedelta(days=30)
CLOSING_NOTICE = timedelta(hours=48)


@dataclass(frozen=True)
class Reader:
    """Someone a follow notification goes to: where, in which language, and how to stop it."""

    follow_id: int
    email: str
    locale: str | None


def readers_of(consultation: Consultation) -> list[Reader]:
    """Confirmed followers: guests who confirmed, and open, confirmed accounts that want mail."""
    readers = []
    follows = db.session.scalars(
        select(Follow)
        .where(Follow.consultation_id == consultation.id, Follow.confirmed_at.is_not(None))
        .options(selectinload(Follow.user))  # one query for every follower's account
        .order_by(Follow.id)
    )
    for follow in follows:
        user = follow.user
        if user is None and follow.email:
            readers.append(Reader(follow.id, follow.email, follow.locale))
        elif (
            user is not None
            and user.closed_at is None
            and user.email_confirmed_at is not None
            and user.notify_followed
        ):
            readers.append(Reader(follow.id, user.email, user.preferred_locale))
    return readers


def _tell_followers(consultation: Consultation, template: str, key: str, **context: Any) -> int:
    queued = 0
    for reader in readers_of(consultation):
        message = queue_email(
            reader.email,
            template,
            kind=template,
            locale=reader.locale,
            at_once=False,
            unsubscribe_url=unsubscribe_url("follow", reader.follow_id),
            dedupe_key=f"{key}:{reader.follow_id}",
            consultation=consultation,
            page=absolute_url("public.consultation", slug=consultation.slug),
            **context,
        )
        queued += message is not None
    return queued


def send_reply_notices(now: datetime | None = None) -> int:
    """Tell each comment's author (an account that wants it) about every public reply, once."""
    now = now or now_utc()
    parent = aliased(Comment)
    already = exists().where(OutboxEmail.dedupe_key == literal("reply:") + cast(Comment.id, String))
    replies = db.session.scalars(
        select(Comment)
        .join(parent, Comment.parent_id == parent.id)
        .join(User, parent.author_id == User.id)
        .where(
            Comment.status == CommentStatus.PUBLISHED,
            Comment.created_at >= now - REPLY_HORIZON,
            or_(Comment.author_id.is_(None), Comment.author_id != parent.author_id),
            User.notify_replies.is_(True),
            User.email_confirmed_at.is_not(None),
            User.closed_at.is_(None),
            ~already,
        )
        .options(
            selectinload(Comment.parent).selectinload(Comment.author),
            selectinload(Comment.consultation),
        )
        .order_by(Comment.id)
    ).all()
    queued = 0
    for reply in replies:
        author = reply.parent.author if reply.parent is not None else None
        if author is None:  # the query joined both; this only satisfies the type checker
            continue
        message = queue_email(
            author.email,
            "reply_notice",
            kind="reply_notice",
            locale=author.preferred_locale,
            at_once=False,
            unsubscribe_url=unsubscribe_url("replies", author.id),
            dedupe_key=f"reply:{reply.id}",
            reply=reply,
            parent=reply.parent,
            consultation=reply.consultation,
            link=absolute_url(
                "public.comment_permalink", slug=reply.consultation.slug, number=reply.number
            ),
        )
        queued += message is not None
    return queued


def send_closing_notices(now: datetime | None = None) -> int:
    """Followers of each consultation closing within 48 hours hear so, once per consultation."""
    now = now or now_utc()
    closing = db.session.scalars(
        select(Consultation).where(
            Consultation.closes_at > now, Consultation.closes_at <= now + CLOSING_NOTICE
        )
    )
    queued = 0
    for consultation in closing:
        if consultation.accepts_comments(now):
            queued += _tell_followers(consultation, "closing_soon", f"closing:{consultation.id}")
    return queued


@queue.every_minute(order=50)  # before delivery (100), so what is queued here leaves now
def send_due_notifications() -> int:
    queued = send_reply_notices() + send_closing_notices()
    db.session.commit()
    if queued:
        logger.info("queued %s notification(s)", queued)
    return queued


def on_packet_published(sender: object, packet: Any) -> None:
    """Followers hear that the board packet is out (inside the publishing transaction)."""
    consultation = packet.consultation
    try:  # the public "What we heard" page, where the analysis package serves one
        report = absolute_url("heard.version", slug=consultation.slug, version=packet.version)
    except BuildError:
        report = absolute_url("public.consultation", slug=consultation.slug)
    queued = _tell_followers(
        consultation,
        "packet_published",
        f"packet:{packet.id}",
        version=packet.version,
        report=report,
    )
    logger.info("queued %s packet notice(s) for packet %s", queued, packet.id)
