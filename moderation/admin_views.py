"""Account administration for administrators, and the public page where an invitee sets a password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from extensions import db, limiter
from forum.actions import Refused, commit_or_flash
from forum.auth import end_session, role_required
from forum.exceptions import ForumError
from forum.forms import NewPasswordForm
from forum.mail.delivery import deliver_soon
from forum.models import Role, User
from forum.sanitize import isolate_text
from forum.services.password_reset import valid_reset
from forum.submissions import no_store
from moderation import admin_users
from moderation.forms import AccountBlockForm, InviteForm, RoleForm, UnblockForm, UserSearchForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
invitations_bp = Blueprint("invitations", __name__)

# Invitations send email: a stolen admin session should not become a mail cannon.
RATE_LIMIT_INVITE = "30 per hour"


def _invite_limit() -> str:
    return current_app.config.get("RATE_LIMIT_INVITE", RATE_LIMIT_INVITE)


def _invite_key() -> str:
    return f"invite:user:{getattr(current_user, 'id', None)}"


def _refusal_on(form: FlaskForm, error: ForumError) -> None:
    """Show a refused change's message on its field, or above the form if it names none."""
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        form.form_errors.append(error.message)


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    form = UserSearchForm(formdata=request.args)
    if not form.validate():  # a hand-edited address: ignore what is not valid
        for name in form.errors:
            form[name].data = None
    filters = {"q": form.q.data or None, "role": form.role.data or None}
    page = admin_users.find_users(filters["q"], filters["role"], form.page.data or 1)
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        filters={name: value for name, value in filters.items() if value},
        invited={user.id for user in page.items if admin_users.awaiting_password(user)},
        role_names=admin_users.ROLE_NAMES,
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required(Role.ADMIN)
@limiter.limit(_invite_limit, methods=["POST"], key_func=_invite_key)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        user = commit_or_flash(
            lambda: admin_users.invite(
                current_user,
                form.email.data,
                form.display_name.data,
                form.role.data,
                form.note.data,
            ),
            flash_error=False,
        )
        if not isinstance(user, Refused):
            deliver_soon()
            flash(
                _(
                    "Invitation sent to %(email)s. The link works for %(days)d days.",
                    email=user.email,
                    days=admin_users.INVITATION_LIFETIME.days,
                ),
                "success",
            )
            return redirect(url_for(".user", user_id=user.id), code=303)
        _refusal_on(form, user.error)
    return render_template(
        "admin/invite.html", form=form, days=admin_users.INVITATION_LIFETIME.days
    ), 400 if form.errors else 200


def _user_page(user: User, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    """The account's page; the form that was sent (with its errors) replaces its blank twin."""
    blank: dict[str, Any] = {
        "role_form": RoleForm(formdata=None, role=user.role),
        "block_form": AccountBlockForm(formdata=None),
        "unblock_form": UnblockForm(formdata=None),
    }
    return render_template(
        "admin/user.html",
        user=user,
        invited=admin_users.awaiting_password(user),
        history=admin_users.history(user),
        role_names=admin_users.ROLE_NAMES,
        **(blank | forms),
    ), status


@bp.route("/users/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    return _user_page(db.get_or_404(User, user_id))


def _change(
    user: User,
    form: FlaskForm,
    form_name: str,
    change: Callable[[], None],
    done: Callable[[], str],
):
    """Validate, apply `change` and commit, then go back to the account; or show why not."""
    if form.validate_on_submit():
        result = commit_or_flash(change, flash_error=False)
        if not isinstance(result, Refused):
            flash(done(), "success")
            return redirect(url_for(".user", user_id=user.id), code=303)
        _refusal_on(form, result.error)
    return _user_page(user, 400, **{form_name: form})


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    return _change(
        user,
        form,
        "role_form",
        lambda: admin_users.change_role(user, current_user, form.role.data, form.note.data),
        lambda: _(
            "%(name)s is now %(role)s; every session of the account was signed out.",
            name=isolate_text(user.display_name),
            role=admin_users.ROLE_NAMES[Role(user.role)],
        ),
    )


@bp.route("/users/<int:user_id>/block", methods=["POST"])
@role_required(Role.ADMIN)
def block(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AccountBlockForm()
    return _change(
        user,
        form,
        "block_form",
        lambda: admin_users.block(user, current_user, form.days.data, form.note.data),
        lambda: _(
            "%(name)s cannot post or flag for %(days)d days.",
            name=isolate_text(user.display_name),
            days=form.days.data,
        ),
    )


@bp.route("/users/<int:user_id>/unblock", methods=["POST"])
@role_required(Role.ADMIN)
def unblock(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UnblockForm()
    return _change(
        user,
        form,
        "unblock_form",
        lambda: admin_users.unblock(user, current_user, form.note.data),
        lambda: _("%(name)s is no longer blocked.", name=isolate_text(user.display_name)),
    )


@invitations_bp.route("/invitations/<token>", methods=["GET", "POST"])
@no_store
def accept(token: str):
    link = valid_reset(token)
    if link is None:
        return render_template(
            "admin/invitation_expired.html", days=admin_users.INVITATION_LIFETIME.days
        ), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = commit_or_flash(
            lambda: admin_users.accept_invitation(link, form.password.data), flash_error=False
        )
        if not isinstance(user, Refused):
            end_session()  # whoever was signed in on this browser; the invitee signs in next
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("accounts.login"), code=303)
        form.password.errors.append(user.error.message)
    return render_template("admin/invitation.html", form=form), 400 if form.errors else 200
