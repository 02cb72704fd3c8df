"""Forms of the staff analysis pages: they validate input and nothing else."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from forum.forms import MAX_ID


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
