"""Self-registration that never says who has an account, and email confirmation by signed link.

Registering an address that already has an account gives the same answer as a new one; its
owner is emailed that someone tried. A new account starts unconfirmed: it may sign in, comment
and answer surveys as a guest may, and its owner confirms the address by following a signed link
that expires after CONFIRM_MAX_AGE.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from extensions import db
from forum.exceptions import ForumError, WeakPassword
from forum.mail import queue_email
from forum.models import Role, User
from forum.services.accounts import (
    create_user,
    find_user_by_email,
    hash_password,
    normalise_email,
    password_problem,
)
from forum.timeutil import now_utc

CONFIRM_MAX_AGE = timedelta(days=3)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm-email")


def register(email: str, password: str, display_name: str, locale: str | None) -> None:
    """Create an unconfirmed participant and email the link, or tell an existing owner; the
    caller commits and calls `deliver_soon` either way. Raises WeakPassword only."""
    email = normalise_email(email)
    problem = password_problem(password, email)
    if problem:
        raise WeakPassword(problem, field="password")
    owner = find_user_by_email(email)
    if owner is not None:
        hash_password(password)  # the same work as creating the account
        _tell_owner(owner, locale)
        return
    user = create_user(email, password, display_name, Role.PARTICIPANT, confirmed=False)
    user.preferred_locale = locale
    send_confirmation(user, email)


def send_confirmation(user: User, email: str, *, change: bool = False) -> None:
    """Email `email` a link that confirms it as this account's address; with `change`, following
    it replaces the account's present address (and only that one: an older link stops working)."""
    claim = {"user": user.id, "email": normalise_email(email)}
    if change:
        claim["from"] = user.email
    token = _serializer().dumps(claim)
    queue_email(
        email,
        "confirm_email",
        kind="confirm_email",
        locale=user.preferred_locale,
        at_once=False,
        link=url_for("accounts.confirm_email", token=token, _external=True),
        days=CONFIRM_MAX_AGE.days,
    )


def confirm(token: str) -> User:
    """Confirm the address the link was sent to; raises ForumError when the link is forged,
    expired, or for an address the account no longer has."""
    invalid = _("This confirmation link has expired or is not valid. Ask for a new one.")
    try:
        claim = _serializer().loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except BadSignature:
        raise ForumError(invalid) from None
    user = db.session.get(User, claim.get("user")) if isinstance(claim, dict) else None
    if user is None:
        raise ForumError(invalid)
    email = claim.get("email", "")
    if "from" in claim:  # a change of address, good while the account still has the old one
        if user.email != claim["from"]:
            raise ForumError(invalid)
        if find_user_by_email(email) is not None:
            raise ForumError(_("Another account uses this email address now."))
        user.email, user.email_confirmed_at = email, now_utc()
        return user
    if user.email != email:
        raise ForumError(invalid)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now_utc()
    return user


def request_email_change(user: User, email: str) -> None:
    """Send the link to the new address; if another account has it, tell that account's owner
    instead, so the answer never says whether an address is in use."""
    owner = find_user_by_email(email)
    if owner is not None:
        if owner.id != user.id:
            _tell_owner(owner, None)
        return
    send_confirmation(user, email, change=True)


def _tell_owner(owner: User, locale: str | None) -> None:
    queue_email(
        owner.email,
        "registration_attempt",
        kind="registration_attempt",
        locale=owner.preferred_locale or locale,
        at_once=False,
        reset_link=url_for("accounts.request_password_reset", _external=True),
    )
