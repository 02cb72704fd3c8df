"""Forms of the board-packet pages: they validate input and nothing else."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class IsoDateField(StringField):
    """A date typed as YYYY-MM-DD; left empty, no date."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0]:
            return
        try:
            self.data = date.fromisoformat(valuelist[0])
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date (use YYYY-MM-DD).", value=valuelist[0])
            ) from None


class DraftForm(FlaskForm):
    """A new draft: its comment period (the consultation's own when left empty) and byline."""

    start = IsoDateField()
    end = IsoDateField()
    prepared_by = StringField(default="")


class EditForm(FlaskForm):
    """One staff edit to a draft: `kind` names it and the packet service reads the rest."""

    kind = HiddenField(default="")
    summary = TextAreaField()
    theme = HiddenField()
    label = StringField()
    into = StringField()
    number = HiddenField()
    replacement = StringField()
