"""Register, sign in, sign out, and a participant's own comments."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from extensions import db, limiter
from forum import login_throttle as throttle
from forum.actions import Refused, commit_or_flash
from forum.auth import end_session, safe_next, start_session
from forum.forms import LoginForm, RegisterForm, WithdrawForm
from forum.models import Comment
from forum.sanitize import isolate_text
from forum.services import accounts

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["RATE_LIMIT_LOGIN"]


def _account_limit() -> str:
    return current_app.config["RATE_LIMIT_LOGIN_ACCOUNT"]


def _device_limit() -> str:
    return current_app.config["RATE_LIMIT_LOGIN_DEVICE"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_REGISTER"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = commit_or_flash(
            lambda: accounts.create_user(
                form.email.data, form.password.data, form.display_name.data
            ),
            flash_error=False,
        )
        if isinstance(user, Refused):
            getattr(form, user.error.field or "email").errors.append(user.error.message)
        else:
            start_session(user)
            flash(
                _(
                    "Welcome, %(name)s. Your account is ready.",
                    name=isolate_text(user.display_name),
                ),
                "success",
            )
            return redirect(safe_next(request.args.get("next"), url_for("public.index")))
    return render_template("forum/register.html", form=form)


# Every attempt per address; failed ones per account from unknown browsers, and per browser
# from one that signed in to the account before (forum/login_throttle.py).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _account_limit,
    methods=["POST"],
    key_func=throttle.account_key,
    exempt_when=throttle.known_device,
    deduct_when=throttle.sign_in_failed,
)
@limiter.limit(
    _device_limit,
    methods=["POST"],
    key_func=throttle.device_key,
    exempt_when=throttle.unknown_device,
    deduct_when=throttle.sign_in_failed,
)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure()
            form.password.errors.append(_("That email and password do not match an account."))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Signed in as %(name)s.", name=isolate_text(user.display_name)), "success")
            response = redirect(safe_next(form.next.data, url_for("public.index")))
            throttle.remember_device(response, user)
            return response
    return render_template("forum/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        accounts.end_all_sessions(current_user)
        db.session.commit()
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/account/comments")
@login_required
def my_comments():
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == current_user.id).order_by(Comment.id.desc())
    ).all()
    return render_template(
        "forum/my_comments.html", comments=comments, withdraw_form=WithdrawForm()
    )
