"""Staff pages for creating and editing consultations."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required
from forum.forms import ConsultationForm
from forum.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    ModerationMode,
    Role,
    Survey,
)
from forum.sanitize import render_markdown
from forum.services import consultations as consultation_service
from forum.timeutil import local_to_utc, now_utc, to_local

bp = Blueprint("staff", __name__, url_prefix="/staff")

STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def _fields(form: ConsultationForm) -> consultation_service.ConsultationFields:
    return consultation_service.ConsultationFields(
        title=form.title.data.strip(),
        slug=form.slug.data.strip().lower(),
        summary=form.summary.data,
        body_markdown=form.body_markdown.data,
        proposal=form.proposal.data.strip(),
        meeting_date=form.meeting_date.data,
        agenda_item=(form.agenda_item.data or "").strip() or None,
        opens_at=local_to_utc(form.opens_at.data),
        closes_at=local_to_utc(form.closes_at.data),
        status=form.status.data,
        allow_guest_comments=form.allow_guest_comments.data,
        moderation_mode=form.moderation_mode.data,
    )


def _save(form: ConsultationForm, consultation: Consultation | None):
    saved = commit_or_flash(
        lambda: consultation_service.save_consultation(_fields(form), consultation),
        flash_error=False,
    )
    if isinstance(saved, Refused):
        getattr(form, saved.error.field or "title").errors.append(saved.error.message)
        return None
    flash(_("Saved “%(title)s”.", title=saved.title), "success")
    return redirect(url_for(".edit", slug=saved.slug), code=303)


@bp.route("/")
@role_required(*STAFF_ROLES)
def dashboard():
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.id.desc())).all()
    totals = dict(
        db.session.execute(
            select(Comment.consultation_id, func.count()).group_by(Comment.consultation_id)
        ).all()
    )
    return render_template("staff/dashboard.html", consultations=consultations, totals=totals)


@bp.route("/consultations/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new():
    form = ConsultationForm()
    if request.method == "GET":
        start = to_local(now_utc()).replace(minute=0, second=0, microsecond=0, tzinfo=None)
        form.opens_at.data = start
        form.closes_at.data = start + timedelta(days=21)
        form.allow_guest_comments.data = True
        form.status.data = ConsultationStatus.DRAFT.value
        form.moderation_mode.data = ModerationMode.POST.value
    if form.validate_on_submit():
        response = _save(form, None)
        if response is not None:
            return response
    return render_template(
        "staff/consultation_form.html", form=form, consultation=None, preview=None
    )


@bp.route("/consultations/<slug>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit(slug: str):
    consultation = db.one_or_404(select(Consultation).where(Consultation.slug == slug))
    form = ConsultationForm(obj=consultation)
    if request.method == "GET":
        form.opens_at.data = to_local(consultation.opens_at).replace(tzinfo=None)
        form.closes_at.data = to_local(consultation.closes_at).replace(tzinfo=None)
    if form.validate_on_submit():
        response = _save(form, consultation)
        if response is not None:
            return response
    preview = render_markdown(form.body_markdown.data or "")
    return render_template(
        "staff/consultation_form.html",
        form=form,
        consultation=consultation,
        preview=preview,
        consultation_surveys=db.session.scalars(
            select(Survey).where(Survey.consultation_id == consultation.id).order_by(Survey.id)
        ).all(),
    )
