"""Forms of the back office and the flag form participants use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forum.forms import choices
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
    comment_ids = SelectMultipleField(_l("Comments"), coerce=int, validate_choice=False)
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
