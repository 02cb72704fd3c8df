"""Forms of the staff analysis pages: they validate input and nothing else."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from forum.forms import MAX_ID


def stripped(value: str | None) -> str | None:
    """Drop the spaces around a key: keys are identifiers, not text kept as typed."""
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of real checkboxes (the page lays them out itself)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CodingForm(FlaskForm):
    """Staff's codes for one comment: which active themes it raises (choices set per page)."""

    comment_id = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)]
    )
    themes = CheckboxesField(_l("Which themes does this comment raise?"), choices=[])
    save = SubmitField(_l("Save and next"))
    skip = SubmitField(_l("Skip"))


class ThemeForm(FlaskForm):
    """A codebook theme, new or edited; the codebook service checks each value and says why."""

    key = StringField(_l("Key"), default="", filters=[stripped])
    label = StringField(_l("Label"), default="")
    description = TextAreaField(_l("Description"), default="")
    active = BooleanField(_l("In use"))


DISCOVERED_ACTIONS = ("name", "merge", "promote")


class DiscoveredThemeForm(FlaskForm):
    """One decision on a discovered theme: name it, merge it into a codebook theme, promote it."""

    action = HiddenField(validators=[AnyOf(DISCOVERED_ACTIONS)])
    name = StringField(_l("Name"), default="")
    theme_key = StringField(_l("Merge into"))
    key = StringField(_l("New codebook key"), default="", filters=[stripped])


class CommentThemesForm(FlaskForm):
    """Staff's word on one comment's themes: ticked keys apply, the rest of the codebook not."""

    themes = CheckboxesField(choices=[], validate_choice=False)
