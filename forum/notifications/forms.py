"""Forms for following consultations and choosing which emails to receive."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from forum.forms import strip_text


class GuestFollowForm(FlaskForm):
    """A guest follows by email: the address confirms it before any notification is sent."""

    email = EmailField(
        _l("Your email address"),
        filters=[strip_text],
        description=_l("We send a link to confirm it. Your address is never shown or shared."),
        validators=[
            DataRequired(_l("Give the email address to send the updates to.")),
            Email(_l("Give an email address like name@example.org.")),
            Length(max=254),
        ],
    )


class NotificationSettingsForm(FlaskForm):
    notify_replies = BooleanField(_l("Someone replies to one of my comments"))
    notify_followed = BooleanField(
        _l(
            "News of consultations I follow: 48 hours before comment closes, and when the "
            "summary for the board is published"
        )
    )
    notify_moderation = BooleanField(_l("A moderator takes one of my comments off the page"))


class UnfollowForm(FlaskForm):
    return_to = HiddenField(validators=[Optional(), AnyOf(["page", "account"])])
