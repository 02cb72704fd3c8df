"""Following a consultation: an account follows at once; a guest confirms the address first."""

from __future__ import annotations

import logging

from flask_babel import get_locale
from sqlalchemy import select

from extensions import db
from forum.mail import queue_email
from forum.models import Consultation, Follow, User
from forum.notifications.links import absolute_url, follow_confirmation_token
from forum.timeutil import now_utc

logger = logging.getLogger(__name__)


def follow_of(consultation: Consultation, user: User | None) -> Follow | None:
    """The signed-in person's follow of this consultation, if any (None for guests)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Follow).where(Follow.consultation_id == consultation.id, Follow.user_id == user.id)
    )


def follow_as_account(consultation: Consultation, user: User) -> Follow:
    """Follow now; mail starts once the account's address is confirmed. The caller commits."""
    existing = follow_of(consultation, user)
    if existing is not None:
        return existing
    follow = Follow(consultation_id=consultation.id, user_id=user.id, confirmed_at=now_utc())
    db.session.add(follow)
    db.session.flush()
    logger.info("account %s follows consultation %s", user.id, consultation.id)
    return follow


def follow_as_guest(consultation: Consultation, email: str) -> None:
    """Send the address a link that confirms the follow; the same outcome for any address.

    An address that already follows (confirmed) gets nothing more; an unconfirmed one gets the
    link again. The caller commits, then the mail leaves.
    """
    address = email.strip().lower()
    follow = db.session.scalar(
        select(Follow).where(Follow.consultation_id == consultation.id, Follow.email == address)
    )
    if follow is not None and follow.confirmed_at is not None:
        return
    if follow is None:
        follow = Follow(consultation_id=consultation.id, email=address, locale=str(get_locale()))
        db.session.add(follow)
        db.session.flush()
    queue_email(
        address,
        "follow_confirmation",
        kind="follow_confirmation",
        locale=follow.locale,
        consultation=consultation,
        link=absolute_url(
            "notifications.confirm_follow", token=follow_confirmation_token(follow.id)
        ),
    )


def confirm_guest_follow(follow_id: int) -> Follow | None:
    """Mark the guest's follow confirmed (again is harmless); None if it was since stopped."""
    follow = db.session.get(Follow, follow_id)
    if follow is None:
        return None
    if follow.confirmed_at is None:
        follow.confirmed_at = now_utc()
        logger.info(
            "guest follow %s of consultation %s confirmed", follow.id, follow.consultation_id
        )
    return follow


def stop_following(follow: Follow) -> None:
    """Forget the follow (it is not part of the public record). The caller commits."""
    db.session.delete(follow)


def follows_of(user: User) -> list[Follow]:
    return list(
        db.session.scalars(
            select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at)
        )
    )


def personal_data(user: User) -> dict[str, object]:
    """For "download my data": the notification choices and the consultations followed."""
    return {
        "notifications": {
            "replies": user.notify_replies,
            "followed_consultations": user.notify_followed,
            "moderation": user.notify_moderation,
        },
        "following": [
            {"consultation": f.consultation.slug, "since": f.created_at.isoformat()}
            for f in follows_of(user)
        ],
    }
