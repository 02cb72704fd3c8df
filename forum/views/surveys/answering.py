"""Answering a survey: the form, sending a response, its receipt, and the public results."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from extensions import db, limiter
from forum import surveys as survey_service
from forum.actions import Refused, commit_or_flash
from forum.exceptions import ForumError
from forum.forms import choices
from forum.models import (
    Consultation,
    ConsultationStatus,
    School,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from forum.submissions import form_owner, new_form_key, no_store, renew_form_key, scoped_key
from forum.surveys.forms import SurveyAnswerForm
from forum.views.surveys.blueprint import STAFF_ROLES, bp, render_results


def _survey_limit() -> str:
    return current_app.config["RATE_LIMIT_SURVEY"]


def _account_key() -> str:
    return (
        f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "-"
    )


def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.has_role(*STAFF_ROLES)


def public_survey(slug: str, survey_id: int) -> Survey:
    """The survey at this address; drafts (or a draft consultation's) only for staff."""
    survey = db.one_or_404(
        select(Survey)
        .join(Consultation, Survey.consultation_id == Consultation.id)
        .where(Survey.id == survey_id, Consultation.slug == slug)
    )
    consultation = survey.consultation
    hidden = consultation.status == ConsultationStatus.DRAFT or survey.status == SurveyStatus.DRAFT
    if hidden and not _is_staff():
        abort(404)
    return survey


def answer_form(survey: Survey, formdata: MultiDict | None = None) -> SurveyAnswerForm:
    """The survey's form: who answers, then one field per question; a new key if none was sent."""
    form = SurveyAnswerForm.for_survey(survey, formdata=formdata)
    schools = db.session.scalars(
        select(School)
        .where(School.district_id == survey.consultation.district_id)
        .order_by(School.name)
    )
    form.school_id.choices = choices(
        [("", _("No school / prefer not to say"))] + [(s.id, s.name) for s in schools]
    )
    if not form.idempotency_key.data:
        form.idempotency_key.data = new_form_key()
        form_owner()  # a guest's session gets its owner id with the form, before any double click
    return form


def render_survey(
    survey: Survey,
    form: SurveyAnswerForm,
    *,
    answers: dict[int, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    """The survey page; `answers` (as sent) fill the questions in again."""
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
            kinds=survey_service.KINDS,
            results_public=survey_service.results_visible_to_public(survey),
        ),
        status,
    )


@bp.route("/consultations/<slug>/surveys/<int:survey_id>")
@no_store
def survey(slug: str, survey_id: int):
    survey = public_survey(slug, survey_id)
    return render_survey(survey, answer_form(survey))


def _already_sent(
    survey: Survey,
    form: SurveyAnswerForm,
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
    return render_survey(survey, form, answers=answers, status=409)


def _refused(survey: Survey, form: SurveyAnswerForm, answers: dict[int, Any], refusal: ForumError):
    """Answer a refusal from the service: the earlier receipt, or the form with its messages."""
    if isinstance(refusal, survey_service.AlreadyResponded):
        flash(refusal.message, "info")
        return redirect(url_for(".receipt", token=refusal.response.receipt_token), code=303)
    if isinstance(refusal, survey_service.AnswersInvalid):
        for name in ("stakeholder_role", "school_id", "preferred_language"):
            if name in refusal.errors:
                getattr(form, name).errors = [refusal.errors[name]]
        form.form_errors.append(refusal.message)
        return render_survey(survey, form, answers=answers, errors=refusal.errors, status=400)
    form.form_errors.append(refusal.message)
    return render_survey(survey, form, answers=answers, status=403)


@bp.route("/consultations/<slug>/surveys/<int:survey_id>", methods=["POST"])
@limiter.limit(_survey_limit, key_func=_account_key)
@no_store
def respond(slug: str, survey_id: int):
    survey = public_survey(slug, survey_id)
    form = answer_form(survey, formdata=request.form)
    answers = form.answers()
    if not form.validate() and {"csrf_token", "idempotency_key"} & set(form.errors):
        form.form_errors.append(_("The form expired or was incomplete; please send it again."))
        return render_survey(survey, form, answers=answers, status=400)
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

    def store() -> str:
        response = survey_service.submit_response(
            survey,
            respondent,
            answers,
            user=user,
            idempotency_key=key,
            max_chars=current_app.config["COMMENT_MAX_CHARS"],
        )
        return response.receipt_token  # known before COMMIT: nothing to read after it

    try:
        receipt_token = commit_or_flash(store, flash_error=False)
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
    if isinstance(receipt_token, Refused):
        return _refused(survey, form, answers, receipt_token.error)
    return redirect(url_for(".receipt", token=receipt_token), code=303)


@bp.route("/survey-receipts/<token>")
@no_store
def receipt(token: str):
    response = db.one_or_404(select(SurveyResponse).where(SurveyResponse.receipt_token == token))
    return render_template(
        "forum/survey_receipt.html",
        response=response,
        survey=response.survey,
        comments=[a.comment for a in response.answers if a.comment is not None],
    )


@bp.route("/consultations/<slug>/surveys/<int:survey_id>/results")
def results(slug: str, survey_id: int):
    return render_results(public_survey(slug, survey_id), staff_view=False)
