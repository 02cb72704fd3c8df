"""The staff side of surveys: building them question by question, their results and export."""

from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from forum import surveys as survey_service
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required
from forum.forms import MoveQuestionForm, QuestionForm, SurveyForm, choices
from forum.models import Consultation, Survey, SurveyQuestion, SurveyStatus
from forum.sanitize import csv_writer
from forum.views.surveys.blueprint import STAFF_ROLES, bp, render_results


def _survey_question(survey_id: int, question_id: int) -> SurveyQuestion:
    return db.one_or_404(
        select(SurveyQuestion).where(
            SurveyQuestion.id == question_id, SurveyQuestion.survey_id == survey_id
        )
    )


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
    form.kind.choices = choices(survey_service.kind_choices())
    if request.method == "GET":
        if question is not None:
            form.options.data = "\n".join(o["label"] for o in question.options)
        else:
            form.results_public.data = True
    return form


@bp.route("/staff/consultations/<slug>/surveys/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_survey(slug: str):
    consultation = db.one_or_404(select(Consultation).where(Consultation.slug == slug))
    form = SurveyForm()
    if request.method == "GET":
        form.hide_results_until_closed.data = True
    if form.validate_on_submit():
        survey = commit_or_flash(
            lambda: survey_service.create_survey(
                consultation,
                title=form.title.data,
                introduction=form.introduction.data or "",
                status=SurveyStatus.DRAFT,
                hide_results_until_closed=form.hide_results_until_closed.data,
            ),
            flash_error=False,
        )
        if isinstance(survey, Refused):
            form.title.errors = [*form.title.errors, survey.error.message]
        else:
            flash(_("Survey created. Add its questions, then open it."), "success")
            return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)
    return render_template(
        "staff/survey_edit.html", form=form, survey=None, consultation=consultation
    )


@bp.route("/staff/surveys/<int:survey_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_survey(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = SurveyForm(obj=survey)
    if form.validate_on_submit():
        saved = commit_or_flash(
            lambda: survey_service.update_survey(
                survey,
                title=form.title.data,
                introduction=form.introduction.data or "",
                status=form.status.data,
                hide_results_until_closed=form.hide_results_until_closed.data,
            ),
            flash_error=False,
        )
        if isinstance(saved, Refused):
            getattr(form, saved.error.field or "title").errors.append(saved.error.message)
        else:
            flash(_("Saved the survey."), "success")
            return redirect(url_for(".edit_survey", survey_id=survey.id), code=303)
    return render_template(
        "staff/survey_edit.html",
        form=form,
        survey=survey,
        consultation=survey.consultation,
        responses=survey_service.response_count(survey),
        kind_labels=dict(survey_service.kind_choices()),
        move_form=MoveQuestionForm(),
    )


def _save_question(form: QuestionForm, survey: Survey, question: SurveyQuestion | None):
    spec = _spec(form)

    def save() -> None:
        if question is None:
            survey_service.add_question(survey, spec)
        else:
            survey_service.update_question(question, spec)

    saved = commit_or_flash(save, flash_error=False)
    if isinstance(saved, Refused):
        error = saved.error
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
    return _question_page(db.get_or_404(Survey, survey_id), None)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_question(survey_id: int, question_id: int):
    question = _survey_question(survey_id, question_id)
    return _question_page(question.survey, question)


@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@role_required(*STAFF_ROLES)
def move_question(survey_id: int, question_id: int):
    question = _survey_question(survey_id, question_id)
    form = MoveQuestionForm()
    if not form.validate_on_submit():
        abort(400)
    step = -1 if form.direction.data == "up" else 1
    commit_or_flash(lambda: survey_service.move_question(question, step))
    return redirect(url_for(".edit_survey", survey_id=survey_id), code=303)


@bp.route("/staff/surveys/<int:survey_id>/results")
@role_required(*STAFF_ROLES)
def staff_results(survey_id: int):
    return render_results(db.get_or_404(Survey, survey_id), staff_view=True)


@bp.route("/staff/surveys/<int:survey_id>/responses.csv")
@role_required(*STAFF_ROLES)
def export(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    buffer = io.StringIO()
    csv_writer(buffer).writerows(survey_service.csv_rows(survey))
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=survey-{survey.id}-responses.csv"},
    )
