"""Account administration: find accounts, invite staff, change roles, block and unblock.

Every change writes one audit row in the same transaction; nothing here commits.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from forum.exceptions import ForumError
from forum.mail import queue_email
from forum.models import PasswordReset, Role, User
from forum.services.accounts import end_all_sessions, find_user_by_email, normalise_email
from forum.services.password_reset import add_link, new_token, reset_password
from forum.timeutil import now_utc
from moderation import audit
from moderation.models import AuditEntry
from moderation.services import block_state, set_block

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
INVITABLE_ROLES = (Role.STAFF, Role.MODERATOR, Role.THREAT_ASSESSOR)
PAGE_SIZE = 25
# What an invited account holds instead of a password hash: no argon2 hash starts with "!", so
# no password matches it until the invitee chooses one.
INVITED_MARK = "!invited:"

ROLE_NAMES = {
    Role.PARTICIPANT: _l("Participant"),
    Role.MODERATOR: _l("Moderator"),
    Role.STAFF: _l("Staff"),
    Role.THREAT_ASSESSOR: _l("Threat assessor"),
    Role.ADMIN: _l("Administrator"),
}


class AdminError(ForumError):
    pass


def awaiting_password(user: User) -> bool:
    """Whether the account was invited and its owner has not chosen a password yet."""
    return user.password_hash.startswith(INVITED_MARK)


def find_users(text: str | None, role: str | None, page: int) -> Pagination:
    """One page of accounts whose email or display name contains `text`, of `role` if given."""
    query = select(User).order_by(User.display_name, User.id)
    if text and text.strip():
        escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                User.email.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.role == role)
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def history(user: User) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
            .order_by(AuditEntry.id)
        )
    )


def _active_admin_ids() -> list[int]:
    """Administrators who are not blocked, locked so two admins cannot demote each other at once
    (FOR UPDATE on PostgreSQL; SQLite lets one writer at a time through anyway)."""
    now = now_utc()
    return list(
        db.session.scalars(
            select(User.id)
            .where(
                User.role == Role.ADMIN,
                or_(User.blocked_until.is_(None), User.blocked_until <= now),
            )
            .with_for_update()
        )
    )


def _check_why(note: str | None) -> str:
    if not note or not note.strip():
        raise AdminError(_("Say why, for the record."), field="note")
    return note


def _keep_an_admin(user: User, field: str) -> None:
    if user.role == Role.ADMIN and not user.is_blocked and _active_admin_ids() == [user.id]:
        raise AdminError(
            _("This is the last administrator who is not blocked: make someone else one first."),
            field=field,
        )


def invite(actor: User, email: str, display_name: str, role: str, note: str) -> User:
    """Create an account with no usable password and queue an email whose link lets its owner
    choose one (for INVITATION_LIFETIME). The caller commits, then calls `deliver_soon`."""
    _check_why(note)
    if role not in INVITABLE_ROLES:
        raise AdminError(_("Invite staff, moderators or threat assessors."), field="role")
    email = normalise_email(email)
    taken = AdminError(_("An account with this email already exists."), field="email")
    if find_user_by_email(email) is not None:
        raise taken
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=INVITED_MARK + secrets.token_urlsafe(16),
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # invited at the same moment by another admin; the caller rolls back
        raise taken from None
    token = new_token()
    add_link(user, token, INVITATION_LIFETIME)
    audit.record(
        actor,
        "invite_user",
        target_type="user",
        target_id=user.id,
        note=note,
        previous_state="none",
        new_state=role,
    )
    queue_email(
        user.email,
        "invitation",
        kind="invitation",
        locale=None,
        at_once=False,
        link=url_for("invitations.accept", token=token, _external=True),
        days=INVITATION_LIFETIME.days,
        role=ROLE_NAMES[Role(role)],
    )
    logger.info("user %s invited account %s as %s", actor.id, user.id, role)
    return user


def accept_invitation(link: PasswordReset, password: str) -> User:
    """Set the invitee's first password (spending the link); reaching it proves the address."""
    user = reset_password(link, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now_utc()
    return user


def change_role(user: User, actor: User, role: str, note: str) -> None:
    """Give `user` another role and sign out all their sessions."""
    _check_why(note)
    if role not in Role.__members__.values():
        raise AdminError(_("Choose one of the roles."), field="role")
    if role == user.role:
        raise AdminError(_("The account already has this role."), field="role")
    if role != Role.ADMIN:
        _keep_an_admin(user, "role")
    previous = user.role
    # Recorded before the change, so an admin changing their own role is recorded as an admin.
    audit.record(
        actor,
        "change_role",
        target_type="user",
        target_id=user.id,
        note=note,
        previous_state=previous,
        new_state=role,
    )
    user.role = role
    end_all_sessions(user)
    logger.info("user %s changed the role of %s from %s to %s", actor.id, user.id, previous, role)


def block(user: User, actor: User, days: int, note: str) -> None:
    """Stop `user` posting and flagging for `days` days (1 to 90)."""
    _check_why(note)
    if user.id == actor.id:
        raise AdminError(_("You cannot block your own account."))
    _keep_an_admin(user, "days")
    set_block(user, actor, days, note)
    logger.info("user %s blocked account %s for %d days", actor.id, user.id, days)


def unblock(user: User, actor: User, note: str) -> None:
    _check_why(note)
    if not user.is_blocked:
        raise AdminError(_("This account is not blocked."))
    previous = block_state(user)
    user.blocked_until = None
    audit.record(
        actor,
        "unblock_user",
        target_type="user",
        target_id=user.id,
        note=note,
        previous_state=previous,
        new_state="active",
    )
    logger.info("user %s unblocked account %s", actor.id, user.id)
