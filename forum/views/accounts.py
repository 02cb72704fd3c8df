"""Register, sign in, sign out, and a participant's own comments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from extensions import db, limiter
from forum import login_throttle as throttle
from forum.actions import Refused, commit_or_flash
from forum.auth import end_session, safe_next, start_session
from forum.forms import (
    CloseAccountForm,
    CsrfForm,
    DisplayNameForm,
    EmailChangeForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    RegisterForm,
    ResetRequestForm,
    WithdrawForm,
)
from forum.mail.delivery import deliver_soon
from forum.models import Comment
from forum.notifications.following import follows_of
from forum.notifications.forms import NotificationSettingsForm
from forum.sanitize import isolate_text
from forum.services import accounts, personal_data, registration
from forum.services import password_reset as resets
from forum.submissions import no_store

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
        done = commit_or_flash(
            lambda: registration.register(
                form.email.data, form.password.data, form.display_name.data, str(get_locale())
            ),
            flash_error=False,
        )
        if isinstance(done, Refused):
            getattr(form, done.error.field or "email").errors.append(done.error.message)
        else:
            deliver_soon()  # the same answer, and the same timing, whether or not it was new
            return redirect(url_for(".check_email"))
    return render_template("forum/register.html", form=form)


@bp.route("/register/check-email")
def check_email():
    return render_template("forum/register_sent.html")


@bp.route("/confirm-email/<token>")
def confirm_email(token: str):
    user = commit_or_flash(lambda: registration.confirm(token), flash_error=False)
    if isinstance(user, Refused):
        return render_template("forum/confirm_failed.html", message=user.error.message), 400
    flash(_("Your email address is confirmed. Thank you."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    return redirect(url_for(".login"))


@bp.route("/account/confirm-email", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["RATE_LIMIT_RESET_EMAIL"],
    key_func=lambda: f"confirm:{current_user.id}",
)
def resend_confirmation():
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not current_user.email_confirmed:
        registration.send_confirmation(current_user, current_user.email)
        db.session.commit()
        deliver_soon()
        flash(_("We sent the link again. It works for three days."), "success")
    return redirect(url_for(".my_comments"))


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
            if not user.email_confirmed:
                flash(
                    _(
                        "Your email address is not confirmed yet: follow the link we sent, or "
                        "ask for it again under My comments."
                    ),
                    "info",
                )
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


def _reset_email_key() -> str:
    return "reset:" + accounts.normalise_email(request.form.get("email") or "")


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_RESET"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATE_LIMIT_RESET_EMAIL"],
    methods=["POST"],
    key_func=_reset_email_key,
)
def request_password_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        resets.request_reset(form.email.data, str(get_locale()))
        db.session.commit()
        deliver_soon()
        # The same page whether or not the address has an account.
        return render_template("forum/reset_sent.html", email=form.email.data)
    return render_template("forum/reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@no_store
def reset_password(token: str):
    reset = resets.valid_reset(token)
    if reset is None:
        return render_template("forum/reset_expired.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = commit_or_flash(
            lambda: resets.reset_password(reset, form.password.data), flash_error=False
        )
        if isinstance(user, Refused):
            form.password.errors.append(user.error.message)
        else:
            end_session()
            flash(
                _(
                    "Your password is changed, and every session was signed out. Sign in with it now."
                ),
                "success",
            )
            return redirect(url_for(".login"), code=303)
    return render_template("forum/reset_password.html", form=form)


def _account_page(**forms):
    forms.setdefault("name_form", DisplayNameForm(display_name=current_user.display_name))
    forms.setdefault("email_form", EmailChangeForm(prefix="new-email"))
    forms.setdefault("password_form", PasswordChangeForm(prefix="new-password"))
    forms.setdefault("close_form", CloseAccountForm(prefix="close"))
    forms.setdefault("notifications_form", NotificationSettingsForm(obj=current_user))
    return render_template("forum/account.html", follows=follows_of(current_user), **forms)


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/name", methods=["POST"])
@login_required
def change_name():
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return _account_page(name_form=form), 400
    current_user.display_name = form.display_name.data.strip()
    db.session.commit()
    flash(
        _("Your display name is now %(name)s.", name=isolate_text(current_user.display_name)),
        "success",
    )
    return redirect(url_for(".account"), code=303)


@bp.route("/account/email", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["RATE_LIMIT_RESET_EMAIL"],
    key_func=lambda: f"email-change:{current_user.id}",
)
def change_email():
    form = EmailChangeForm(prefix="new-email")
    if form.validate_on_submit():
        if not accounts.check_password(current_user, form.current_password.data):
            form.current_password.errors.append(_("That is not your current password."))
        else:
            registration.request_email_change(current_user, form.email.data)
            db.session.commit()
            deliver_soon()
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you follow it.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for(".account"), code=303)
    return _account_page(email_form=form), 400


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordChangeForm(prefix="new-password")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        done = commit_or_flash(
            lambda: accounts.change_password(user, form.current_password.data, form.password.data),
            flash_error=False,
        )
        if not isinstance(done, Refused):
            start_session(user)  # this browser stays signed in; every other session ended
            flash(_("Your password is changed, and you are signed out everywhere else."), "success")
            return redirect(url_for(".account"), code=303)
        getattr(form, done.error.field or "password").errors.append(done.error.message)
    return _account_page(password_form=form), 400


@bp.route("/account/close", methods=["POST"])
@login_required
def close_account():
    form = CloseAccountForm(prefix="close")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        done = commit_or_flash(
            lambda: accounts.close_account(user, form.password.data), flash_error=False
        )
        if not isinstance(done, Refused):
            end_session()
            flash(_("Your account is closed. Your comments stay in the public record."), "info")
            return redirect(url_for("public.index"), code=303)
        form.password.errors.append(_("That is not your current password."))
    return _account_page(close_form=form), 400


@bp.route("/account/data.json")
@login_required
def my_data():
    response = jsonify(personal_data.export(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="my-sounding-board-data.json"'
    return response


@bp.route("/account/comments")
@login_required
def my_comments():
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == current_user.id).order_by(Comment.id.desc())
    ).all()
    return render_template(
        "forum/my_comments.html", comments=comments, withdraw_form=WithdrawForm()
    )
