"""Following consultations, confirming a guest's follow, unsubscribing, notification settings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from extensions import csrf, db, limiter
from forum.forms import CsrfForm
from forum.models import Consultation, Follow, User
from forum.notifications import following
from forum.notifications.forms import GuestFollowForm, NotificationSettingsForm, UnfollowForm
from forum.notifications.links import (
    LinkExpired,
    read_follow_confirmation_token,
    read_unsubscribe_token,
)
from forum.services import accounts

bp = Blueprint("notifications", __name__)


def _followable(slug: str) -> Consultation:
    consultation = db.one_or_404(select(Consultation).where(Consultation.slug == slug))
    if consultation.period_state() == "draft":
        abort(404)
    return consultation


def _follow_email_key() -> str:
    """The address a guest's confirmation goes to (an account's own follows: the account)."""
    if current_user.is_authenticated:
        return f"follow-account:{current_user.id}"
    return "follow:" + accounts.normalise_email(request.form.get("email") or "")


@bp.route("/consultations/<slug>/follow", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_FOLLOW"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_FOLLOW_EMAIL"], key_func=_follow_email_key)
def follow(slug: str):
    consultation = _followable(slug)
    back = url_for("public.consultation", slug=slug) + "#follow"
    if current_user.is_authenticated:
        if not CsrfForm().validate_on_submit():
            abort(400)
        following.follow_as_account(consultation, current_user)
        db.session.commit()
        flash(_("You follow this consultation."), "success")
        if not current_user.email_confirmed:
            flash(
                _("Emails start once you confirm your address: use the link we sent you."),
                "info",
            )
        return redirect(back, code=303)
    form = GuestFollowForm()
    if not form.validate_on_submit():
        return render_template("forum/follow.html", consultation=consultation, form=form), 400
    following.follow_as_guest(consultation, form.email.data)
    db.session.commit()
    return render_template("forum/follow_sent.html", consultation=consultation)


@bp.route("/consultations/<slug>/unfollow", methods=["POST"])
@login_required
def unfollow(slug: str):
    consultation = _followable(slug)
    form = UnfollowForm()
    if not form.validate_on_submit():
        abort(400)
    existing = following.follow_of(consultation, current_user)
    if existing is not None:
        following.stop_following(existing)
        db.session.commit()
    flash(_("You no longer follow this consultation."), "success")
    if form.return_to.data == "account":
        return redirect(url_for("accounts.account") + "#following-heading", code=303)
    return redirect(url_for("public.consultation", slug=slug) + "#follow", code=303)


@bp.route("/follow/confirm/<token>")
def confirm_follow(token: str):
    try:
        follow_id = read_follow_confirmation_token(token)
    except LinkExpired:
        return render_template("forum/follow_link_failed.html", expired=True), 410
    confirmed = following.confirm_guest_follow(follow_id) if follow_id is not None else None
    if confirmed is None:
        return render_template("forum/follow_link_failed.html", expired=False), 404
    db.session.commit()
    return render_template("forum/follow_confirmed.html", consultation=confirmed.consultation)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click", with no form token
def unsubscribe(token: str):
    """GET asks (so a link scanner stops nothing); POST stops the mail, with no sign-in."""
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    kind, record_id = found
    subject = db.session.get(Follow if kind == "follow" else User, record_id)
    # Read before the follow is deleted: the page names the consultation afterwards too.
    title = subject.consultation.title if isinstance(subject, Follow) else None
    page = {"kind": kind, "subject": subject, "title": title}
    if request.method == "GET":
        return render_template("forum/unsubscribe.html", done=False, **page)
    if isinstance(subject, Follow):
        following.stop_following(subject)
    elif isinstance(subject, User):
        setattr(subject, "notify_replies" if kind == "replies" else "notify_moderation", False)
    db.session.commit()
    return render_template("forum/unsubscribe.html", done=True, **page)


@bp.route("/account/notifications", methods=["POST"])
@login_required
def settings():
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    form.populate_obj(current_user)
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("accounts.account") + "#notifications-heading", code=303)
