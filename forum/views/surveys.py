"""Survey pages: answering and public results, and the staff builder, results and export."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from extensions import cache, db, limiter
from forum.auth import role_required
from forum.charts import bar_chart
from forum.exceptions import ForumError
from forum.forms import MoveQuestionForm, QuestionForm, RespondentForm, SurveyForm, choices
from forum.models import (
    Consultation,
    ConsultationStatus,
    QuestionKind,
    Role,
    School,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from forum.sanitize import csv_writer
from forum.services import consultations as consultation_service
from forum.services import surveys as survey_service
from forum.submissions import form_owner, new_form_key, no_store, renew_form_key, scoped_key

bp = Blueprint("surveys", __name__)

STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def _survey_limit() -> str:
    return current_app.config["RATE_LIMIT_SURVEY"]


def _account_key() -> str:
    return (
        f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "-"
    )


def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.has_role(*STAFF_ROLES)


def _public_survey(slug: str, survey_id: int) -> Survey:
    consultation = consultation_service.get_by_slug(slug)
    survey = db.session.get(Survey, survey_id)
    if consultation is None or survey is None or survey.consultation_id != consultation.id:
        abort(404)
    hidden = consultation.status == ConsultationStatus.DRAFT or survey.status == SurveyStatus.DRAFT
    if hidden and not _is_staff():
        abort(404)
    return survey


def _respondent_form(consultation: Consultation, formdata: MultiDict | None = None):
    form = RespondentForm(formdata=formdata)
    schools = db.session.scalars(
        select(School).where(School.district_id == consultation.district_id).order_by(School.name)
    )
    form.school_id.choices = choices(
        [("", _("No school / prefer not to say"))] + [(s.id, s.name) for s in schools]
    )
    if not form.idempotency_key.data:
        form.idempotency_key.data = new_form_key()
        form_owner()  # a guest's session gets its owner id with the form, before any double click
    return form


def raw_answers(survey: Survey, formdata: MultiDict) -> dict[int, Any]:
    """Read each question's answer from the posted form, in the shape the service expects."""
    answers: dict[int, Any] = {}
    for question in survey.questions:
        name = question.field_name
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.id] = formdata.getlist(name)
        elif question.kind == QuestionKind.RANKING:
            answers[question.id] = {
                o["key"]: formdata.get(f"{name}-{o['key']}", "") for o in question.options
            }
        else:
            answers[question.id] = formdata.get(name)
    return answers


def _render_survey(
    survey: Survey,
    form: RespondentForm,
    *,
    answers: dict[int, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    user = current_user if current_user.is_authenticated else None
    return (
        render_template(
            "forum/survey.html",
            survey=survey,
            consultation=survey.consultation,
            form=form,
            answers=answers or {},
            errors=errors or {},
            earlier=survey_service.existing_response(survey, user),
            scale_labels=survey_service.SCALE_LABELS,
            results_public=survey_service.results_visible_to_public(survey),
        ),
        status,
    )


@bp.route("/consultations/<slug>/surveys/<int:survey_id>")
@no_store
def survey(slug: str, survey_id: int):
    survey = _public_survey(slug, survey_id)
    return _render_survey(survey, _respondent_form(survey.consultation))


def _already_sent(
    survey: Survey,
    form: RespondentForm,
    stored: SurveyResponse,
    respondent: survey_service.Respondent,
    answers: dict[int, Any],
):
    """The receipt for a replay of these very answers; a conflict for others under its key."""
    if survey_service.is_same_response(
        stored, survey, respondent, answers, max_chars=current_app.config["COMMENT_MAX_CHARS"]
    ):
        return redirect(url_for(".receipt", token=stored.receipt_token), code=303)
    renew_form_key(form.idempotency_key)
    form.form_errors.append(
        _(
            "This form was already used to send different answers, so yours were not sent. "
            "Your answers are below: check them and send them again."
        )
    )
    return _render_survey(survey, form, answers=answers, status=409)


def _refused(survey: Survey, form: RespondentForm, answers: dict[int, Any], refusal: ForumError):
    """Answer a refusal from the service: the earlier receipt, or the form with its messages."""
    if isinstance(refusal, survey_service.AlreadyResponded):
        flash(refusal.message, "info")
        return redirect(url_for(".receipt", token=refusal.response.receipt_token), code=303)
    if isinstance(refusal, survey_service.AnswersInvalid):
        for name in ("stakeholder_role", "school_id", "preferred_language"):
            if name in refusal.errors:
                getattr(form, name).errors = [refusal.errors[name]]
        form.form_errors.append(refusal.message)
        return _render_survey(survey, form, answers=answers, errors=refusal.errors, status=400)
    form.form_errors.append(refusal.message)
    return _render_survey(survey, form, answers=answers, status=403)


@bp.route("/consultations/<slug>/surveys/<int:survey_id>", methods=["POST"])
@limiter.limit(_survey_limit, key_func=_account_key)
@no_store
def respond(slug: str, survey_id: int):
    survey = _public_survey(slug, survey_id)
    form = _respondent_form(survey.consultation, formdata=request.form)
    answers = raw_answers(survey, request.form)
    if not form.validate() and {"csrf_token", "idempotency_key"} & set(form.errors):
        form.form_errors.append(_("The form expired or was incomplete; please send it again."))
        return _render_survey(survey, form, answers=answers, status=400)
    key = scoped_key("svy", form.idempotency_key.data or "")
    respondent = survey_service.Respondent(
        stakeholder_role=form.stakeholder_role.data or "",
        school_id=form.school_id.data if not form.school_id.errors else -1,
        preferred_language=form.preferred_language.data or "",
    )
    existing = survey_service.find_by_idempotency_key(key)
    if existing is not None:
        return _already_sent(survey, form, existing, respondent, answers)
    user = current_user if current_user.is_authenticated else None
    try:
        response = survey_service.submit_response(
            survey,
            respondent,
            answers,
            user=user,
            idempotency_key=key,
            max_chars=current_app.config["COMMENT_MAX_CHARS"],
        )
        receipt_token = response.receipt_token  # known before COMMIT: nothing to read after it
        db.session.commit()
    except ForumError as refusal:
        db.session.rollback()
        return _refused(survey, form, answers, refusal)
    except IntegrityError:
        # The same form arrived twice at once, or one account answered in two tabs at once.
        db.session.rollback()
        same_form = survey_service.find_by_idempotency_key(key)
        if same_form is not None:
            return _already_sent(survey, form, same_form, respondent, answers)
        stored = survey_service.existing_response(survey, user)
        if stored is None:
            raise
        return redirect(url_for(".receipt", token=stored.receipt_token), code=303)
    return redirect(url_for(".receipt", token=receipt_token), code=303)


@bp.route("/survey-receipts/<token>")
@no_store
def receipt(token: str):
    response = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.receipt_token == token)
    )
    if response is None:
        abort(404)
    return render_template(
        "forum/survey_receipt.html",
        response=response,
        survey=response.survey,
        comments=[a.comment for a in response.answers if a.comment is not None],
    )


def _cached_results(survey: Survey, *, public_only: bool) -> tuple[dict[str, Any], dict]:
    """Tallies and charts, recomputed only when a response arrives or a question changes."""
    signature = hash(
        tuple((q.id, q.prompt, q.results_public, len(q.options)) for q in survey.questions)
    )
    key = (
        f"survey-results:{survey.id}:{survey_service.response_count(survey)}:{public_only}:"
        f"{signature}:{get_locale()}"
    )
    found = cache.get(key)
    if found is None:
        summary = survey_service.results(survey, public_only=public_only)
        found = (summary, _charts(summary))
        cache.set(key, found)
    return found


def _charts(summary: dict[str, Any]) -> dict[int, tuple[str, str]]:
    charts = {}
    for question in summary["questions"]:
        if "chart_values" in question and question["answered"]:
            svg = bar_chart(
                tuple(str(row["label"]) for row in question["rows"]),
                tuple(question["chart_values"]),
                question["chart_axis"],
            )
            charts[question["id"]] = (svg, survey_service.chart_alt(question))
    return charts


@bp.route("/consultations/<slug>/surveys/<int:survey_id>/results")
def results(slug: str, survey_id: int):
    survey = _public_survey(slug, survey_id)
    summary: dict[str, Any] | None = None
    charts: dict = {}
    if survey_service.results_visible_to_public(survey):
        summary, charts = _cached_results(survey, public_only=True)
    return render_template(
        "forum/survey_results.html",
        survey=survey,
        consultation=survey.consultation,
        summary=summary,
        charts=charts,
        staff_view=False,
    )


# ---------------------------------------------------------------------------------------------
# Staff


def _staff_survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    return survey


def _spec(form: QuestionForm) -> survey_service.QuestionSpec:
    return survey_service.QuestionSpec(
        kind=form.kind.data,
        prompt=form.prompt.data or "",
        help_text=form.help_text.data or "",
        required=form.required.data,
        options=survey_service.parse_options(form.options.data or ""),
        max_choices=form.max_choices.data,
        min_value=form.min_value.data,
        max_value=form.max_value.data,
        results_public=form.results_public.data,
    )


def _question_form(question: SurveyQuestion | None = None) -> QuestionForm:
    form = QuestionForm(obj=question if request.method == "GET" else None)
    form.kind.choices = choices((k.value, label) for k, label in survey_service.KIND_LABELS.items())
    if request.method == "GET":
        if question is not None:
            form.options.data = "\n".join(o["label"] for o in question.options)
        else:
            form.results_public.data = True
    return form


@bp.route("/staff/consultations/<slug>/surveys/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_survey(slug: str):
    consultation = consultation_service.get_by_slug(slug)
    if consultation is None:
        abort(404)
    form = SurveyForm()
    if request.method == "GET":
        form.hide_results_until_closed.data = True
    if form.validate_on_submit():
        try:
            survey = survey_service.create_survey(
                consultation,
                title=form.title.data,
                introduction=form.introduction.data or "",
                status=SurveyStatus.DRAFT,
                hide_results_until_closed=form.hide_results_until_closed.data,
            )
            db.session.commit()
        except ForumError as error:
            db.session.rollback()
            form.title.errors = [*form.title.errors, error.message]
        else:
            flash(_("Survey created. Add its questions, then open it."), "success")
            return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)
    return render_template(
        "staff/survey_edit.html", form=form, survey=None, consultation=consultation
    )


@bp.route("/staff/surveys/<int:survey_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_survey(survey_id: int):
    survey = _staff_survey(survey_id)
    form = SurveyForm(obj=survey)
    if form.validate_on_submit():
        try:
            survey_service.update_survey(
                survey,
                title=form.title.data,
                introduction=form.introduction.data or "",
                status=form.status.data,
                hide_results_until_closed=form.hide_results_until_closed.data,
            )
            db.session.commit()
        except ForumError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(error.message)
        else:
            flash(_("Saved the survey."), "success")
            return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)
    return render_template(
        "staff/survey_edit.html",
        form=form,
        survey=survey,
        consultation=survey.consultation,
        responses=survey_service.response_count(survey),
        kind_labels=survey_service.KIND_LABELS,
        move_form=MoveQuestionForm(),
    )


def _save_question(form: QuestionForm, survey: Survey, question: SurveyQuestion | None):
    try:
        if question is None:
            survey_service.add_question(survey, _spec(form))
        else:
            survey_service.update_question(question, _spec(form))
        db.session.commit()
    except ForumError as error:
        db.session.rollback()
        target = getattr(form, error.field, None) if error.field else None
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return None
    flash(_("Saved the question."), "success")
    return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)


def _question_page(survey: Survey, question: SurveyQuestion | None):
    form = _question_form(question)
    if form.validate_on_submit():
        saved = _save_question(form, survey, question)
        if saved is not None:
            return saved
    return render_template(
        "staff/survey_question.html",
        form=form,
        survey=survey,
        question=question,
        responses=survey_service.response_count(survey),
    ), (400 if form.errors else 200)


@bp.route("/staff/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_question(survey_id: int):
    return _question_page(_staff_survey(survey_id), None)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_question(survey_id: int, question_id: int):
    survey = _staff_survey(survey_id)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return _question_page(survey, question)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@role_required(*STAFF_ROLES)
def move_question(survey_id: int, question_id: int):
    survey = _staff_survey(survey_id)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    form = MoveQuestionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        survey_service.move_question(question, -1 if form.direction.data == "up" else 1)
        db.session.commit()
    except ForumError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)


@bp.route("/staff/surveys/<int:survey_id>/results")
@role_required(*STAFF_ROLES)
def staff_results(survey_id: int):
    survey = _staff_survey(survey_id)
    summary, charts = _cached_results(survey, public_only=False)
    return render_template(
        "forum/survey_results.html",
        survey=survey,
        consultation=survey.consultation,
        summary=summary,
        charts=charts,
        staff_view=True,
    )


@bp.route("/staff/surveys/<int:survey_id>/responses.csv")
@role_required(*STAFF_ROLES)
def export(survey_id: int):
    survey = _staff_survey(survey_id)
    buffer = io.StringIO()
    csv_writer(buffer).writerows(survey_service.csv_rows(survey))
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=survey-{survey.id}-responses.csv"},
    )
