"""Forms of the public site: they validate input and nothing else."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from forum.choices import LANGUAGES, POSITION_LABELS, ROLE_LABELS
from forum.models import ConsultationStatus, ModerationMode, SurveyStatus
from forum.models.comments import FORM_ROLES


def strip_text(value: object) -> object:
    """Spaces around a typed or pasted value (an email address) are not part of it."""
    return value.strip() if isinstance(value, str) else value


def choices(pairs: object) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[attr-defined]


# Ids and page numbers are 32-bit integers in the database; anything larger is refused here
# rather than overflowing in the driver.
MAX_ID = 2**31 - 1


def record_id(value: object) -> int:
    """Parse a positive database id or page number; ValueError otherwise."""
    number = int(value)  # type: ignore[call-overload]
    if not 0 < number <= MAX_ID:
        raise ValueError("out of range")
    return number


def optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return record_id(value)


class NotBlank:
    """Refuse text that is empty once whitespace is ignored, keeping the text itself as typed."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        if not field.data or not field.data.strip():
            raise ValidationError(self.message)


class MaxChars:
    """Refuse text over the published limit, saying how long it is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(
                _l(
                    "Comments can be at most %(limit)s characters; this one has %(count)s.",
                    limit=f"{self.limit:,}",
                    count=f"{len(field.data):,}",
                )
            )


class RegisterForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(
        _l("Display name"),
        description=_l("Shown with your comments. Students: please do not use your full name."),
        validators=[NotBlank(_l("Choose a display name.")), Length(max=60)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("12 to 64 characters. A phrase of several words works well."),
        validators=[DataRequired()],
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The passwords differ.")),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        description=_l("The address you signed up with."),
        validators=[DataRequired(), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("12 to 64 characters. A phrase of several words works well."),
        validators=[DataRequired(), Length(max=1024)],
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class RespondentForm(FlaskForm):
    """The questions about the person, asked the same way on comments and surveys."""

    stakeholder_role = SelectField(
        _l("I am a"),
        choices=choices([("", _l("Choose one"))] + [(r.value, ROLE_LABELS[r]) for r in FORM_ROLES]),
        validators=[InputRequired(_l("Choose the role that fits you best."))],
    )
    school_id = SelectField(_l("School (optional)"), coerce=optional_int, validators=[Optional()])
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=choices(LANGUAGES.items()),
        default="en",
        validators=[InputRequired()],
    )
    idempotency_key = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])


class CommentForm(RespondentForm):
    text = TextAreaField(
        _l("Your comment"),
        validators=[NotBlank(_l("Write a comment before sending it."))],
    )
    author_name = StringField(
        _l("Name to show with your comment"),
        description=_l("Students: a first name or nickname is enough."),
        validators=[Optional(), Length(max=60)],
    )
    declared_position = RadioField(
        _l("Your position on the proposal"),
        choices=choices((p.value, label) for p, label in POSITION_LABELS.items()),
        validators=[InputRequired(_l("Choose a position, or “Prefer not to say”."))],
    )
    section_id = SelectField(_l("Comment on"), coerce=optional_int, validators=[Optional()])
    parent_id = HiddenField(filters=[optional_int])
    follow = BooleanField(
        _l(
            "Email me 48 hours before comment closes and when the summary for the board is "
            "published"
        )
    )
    follow_email = EmailField(
        _l("Email address for these updates"),
        filters=[strip_text],
        description=_l("We send a link to confirm it. Your address is never shown or shared."),
        validators=[
            Optional(),
            Email(_l("Give an email address like name@example.org.")),
            Length(max=254),
        ],
    )

    def __init__(self, *args: object, max_chars: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.text.validators = [*self.text.validators, MaxChars(max_chars)]

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        if self.follow.data and not self.follow_email.data and not current_user.is_authenticated:
            self.follow_email.errors = [_l("Give the email address to send the updates to.")]
            return False
        return valid


class CsrfForm(FlaskForm):
    """Only the CSRF token: for buttons that change state (a POST like every state change)."""


class WithdrawForm(CsrfForm):
    """Withdrawing one's own comment: a button, nothing to fill in."""


class ConsultationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[NotBlank(_l("Give a title.")), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        description=_l("Lower-case letters, digits and hyphens, e.g. school-safety-plan."),
        validators=[DataRequired(), Length(max=80)],
    )
    summary = TextAreaField(
        _l("Summary"), validators=[NotBlank(_l("Give a summary.")), Length(max=2000)]
    )
    body_markdown = TextAreaField(
        _l("Plan text (Markdown)"),
        description=_l("Each “## Heading” starts a numbered section people can comment on."),
        validators=[NotBlank(_l("Give the plan's text.")), Length(max=200_000)],
    )
    proposal = StringField(
        _l("Proposal"),
        description=_l("One sentence that positions are measured against."),
        validators=[
            NotBlank(_l("State the proposal in one sentence.")),
            Length(max=500),
        ],
    )
    meeting_date = DateField(_l("Board meeting date"), validators=[Optional()])
    agenda_item = StringField(_l("Agenda item number"), validators=[Optional(), Length(max=40)])
    opens_at = DateTimeLocalField(
        _l("Comments open"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Comments close"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    status = SelectField(
        _l("Status"),
        choices=choices(
            [
                (ConsultationStatus.DRAFT.value, _l("Draft (not public)")),
                (ConsultationStatus.OPEN.value, _l("Open")),
                (ConsultationStatus.CLOSED.value, _l("Closed")),
            ]
        ),
    )
    allow_guest_comments = BooleanField(_l("Allow comments without an account"))
    moderation_mode = SelectField(
        _l("Moderation"),
        choices=choices(
            [
                (ModerationMode.POST.value, _l("Publish at once unless screening holds it")),
                (ModerationMode.PRE.value, _l("Every comment waits for a moderator")),
            ]
        ),
    )


class SurveyForm(FlaskForm):
    title = StringField(
        _l("Survey title"), validators=[NotBlank(_l("Give the survey a title.")), Length(max=200)]
    )
    introduction = TextAreaField(
        _l("Introduction"),
        description=_l("Shown above the questions: what the survey is for and how long it takes."),
        validators=[Optional(), Length(max=5000)],
    )
    status = SelectField(
        _l("Status"),
        choices=choices(
            [
                (SurveyStatus.DRAFT.value, _l("Draft (not public)")),
                (SurveyStatus.OPEN.value, _l("Open while the consultation is open")),
                (SurveyStatus.CLOSED.value, _l("Closed")),
            ]
        ),
        default=SurveyStatus.DRAFT.value,
    )
    hide_results_until_closed = BooleanField(
        _l("Hide all results from the public until the survey closes")
    )


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"))
    prompt = TextAreaField(
        _l("Question"),
        description=_l("For an agreement scale, write a statement people agree or disagree with."),
        validators=[NotBlank(_l("Write the question.")), Length(max=500)],
    )
    help_text = TextAreaField(_l("Help text (optional)"), validators=[Optional(), Length(max=1000)])
    options = TextAreaField(
        _l("Options, one per line"),
        description=_l("For single choice, multiple choice and ranking questions."),
        validators=[Optional(), Length(max=5000)],
    )
    max_choices = IntegerField(
        _l("Most options a person may choose (multiple choice, optional)"),
        validators=[Optional(), NumberRange(min=1, max=20)],
    )
    min_value = FloatField(_l("Lowest accepted number (optional)"), validators=[Optional()])
    max_value = FloatField(_l("Highest accepted number (optional)"), validators=[Optional()])
    required = BooleanField(_l("An answer is required"))
    results_public = BooleanField(_l("Show this question's results on the public results page"))


class MoveQuestionForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class LanguageForm(FlaskForm):
    """The header's language picker: a button per language (choices set per request)."""

    locale = SelectField(choices=[])
    next = HiddenField()


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        description=_l("Shown with your comments. Students: please do not use your full name."),
        validators=[NotBlank(_l("Choose a display name.")), Length(max=60)],
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New email address"),
        description=_l("We send a link to the new address; the change happens when you follow it."),
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    current_password = PasswordField(
        _l("Your current password"), validators=[DataRequired(), Length(max=1024)]
    )


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Your current password"), validators=[DataRequired(), Length(max=1024)]
    )


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your current password"), validators=[DataRequired(), Length(max=1024)]
    )
