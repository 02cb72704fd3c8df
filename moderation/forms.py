"""Forms of the back office and the flag form participants use."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from forum.forms import MAX_ID, NotBlank, choices, record_id
from forum.models import Role
from moderation.admin_users import INVITABLE_ROLES, ROLE_NAMES
from moderation.rules import FLAG_REASONS, HIDE_REASONS

ACTION_NAMES = ("approve", "hide", "restore", "escalate", "dismiss", "redact")


def reason_choices() -> list:
    return choices(
        [("", _l("Choose a published reason"))] + [(code, code) for code in HIDE_REASONS]
    )


class ActionForm(FlaskForm):
    """One moderation action; which fields matter depends on the action."""

    reason_code = SelectField(_l("Reason code"), choices=reason_choices(), validate_choice=False)
    phrase = StringField(_l("Exact words to redact"), validators=[Optional(), Length(max=500)])
    note = TextAreaField(_l("Note for the record"), validators=[Optional(), Length(max=2000)])
    return_to = HiddenField()  # "queue" goes back to the filtered queue; anything else, the comment


class BulkForm(FlaskForm):
    comment_ids = SelectMultipleField(_l("Comments"), coerce=record_id, validate_choice=False)
    action = SelectField(
        _l("Action for the selected comments"),
        choices=choices(
            [("approve", _l("Approve")), ("hide", _l("Hide")), ("dismiss", _l("Dismiss flags"))]
        ),
    )
    reason_code = SelectField(_l("Reason code"), choices=reason_choices(), validate_choice=False)
    note = StringField(_l("Note for the record"), validators=[Optional(), Length(max=2000)])


class BlockForm(FlaskForm):
    days = IntegerField(
        _l("Days"), default=7, validators=[InputRequired(), NumberRange(min=1, max=90)]
    )
    note = StringField(_l("Note for the record"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()  # where to go afterwards; the view accepts only a local address


class FlagForm(FlaskForm):
    reason = RadioField(
        _l("Why should a moderator look at this comment?"),
        choices=choices(FLAG_REASONS.items()),
        validators=[InputRequired(_l("Choose a reason."))],
    )
    note = StringField(
        _l("Anything the moderator should know (optional)"),
        validators=[Optional(), Length(max=500)],
    )


class EscalationForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])


# Account administration (moderation/admin_views.py): every change needs a note saying why.


def _account_roles(roles: Iterable[Role], first: tuple[str, object] | None = None) -> list:
    pairs = [(role.value, ROLE_NAMES[role]) for role in roles]
    return choices([first, *pairs] if first else pairs)


def _why(field_id: str) -> TextAreaField:
    return TextAreaField(
        _l("Why (kept in the audit log)"),
        id=field_id,
        validators=[NotBlank(_l("Say why, for the record.")), Length(max=2000)],
    )


class UserSearchForm(FlaskForm):
    """The account list's filters, read from the query string."""

    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Email or display name contains"), validators=[Optional(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=_account_roles(Role, ("", _l("Any role"))),
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(
        _l("Display name"), validators=[NotBlank(_l("Give a display name.")), Length(max=60)]
    )
    role = SelectField(
        _l("Role"),
        choices=_account_roles(INVITABLE_ROLES, ("", _l("Choose a role"))),
        validators=[InputRequired(_l("Choose a role."))],
    )
    note = _why("invite-note")


class RoleForm(FlaskForm):
    role = SelectField(_l("New role"), choices=_account_roles(Role))
    note = _why("role-note")


class AccountBlockForm(FlaskForm):
    days = IntegerField(
        _l("Days"),
        id="block-days",
        default=7,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
    )
    note = _why("block-note")


class UnblockForm(FlaskForm):
    note = _why("unblock-note")
