"""The public pages: consultations, their comments, the comment form and receipts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from extensions import db, limiter
from forum import surveys as survey_service
from forum.actions import Refused, commit_or_flash
from forum.auth import safe_next
from forum.choices import POSITION_LABELS, ROLE_LABELS
from forum.exceptions import ForumError
from forum.forms import CommentForm, LanguageForm, WithdrawForm, choices, record_id
from forum.models import Comment, Consultation, ConsultationStatus, School
from forum.models.comments import FORM_ROLES
from forum.notifications import following
from forum.plan import split_plan
from forum.sanitize import render_markdown
from forum.services import comments as comment_service
from forum.services import consultations as consultation_service
from forum.submissions import form_owner, new_form_key, no_store, renew_form_key, scoped_key
from forum.thread_filters import ThreadFilters

bp = Blueprint("public", __name__)


def _comment_limit() -> str:
    return current_app.config["RATE_LIMIT_COMMENT"]


def _account_key() -> str:
    return (
        f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or "-"
    )


@bp.post("/language")
def choose_language():
    """Remember the interface language for this browser and, when signed in, for the account."""
    form = LanguageForm()
    form.locale.choices = choices(current_app.config["LANGUAGES"].items())
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.preferred_locale = form.locale.data
        db.session.commit()
    return redirect(safe_next(form.next.data, url_for("public.index")), code=303)


def visible_consultation(slug: str) -> Consultation:
    """The consultation at this address; a draft only for staff (404 for everyone else)."""
    consultation = db.one_or_404(select(Consultation).where(Consultation.slug == slug))
    is_staff = current_user.is_authenticated and current_user.has_role("staff", "admin")
    if consultation.status == ConsultationStatus.DRAFT and not is_staff:
        abort(404)
    return consultation


def build_comment_form(consultation: Consultation, formdata: object = None) -> CommentForm:
    form = CommentForm(formdata=formdata, max_chars=current_app.config["COMMENT_MAX_CHARS"])
    schools = db.session.scalars(
        select(School).where(School.district_id == consultation.district_id).order_by(School.name)
    )
    form.school_id.choices = choices(
        [("", _("No school / prefer not to say"))] + [(s.id, s.name) for s in schools]
    )
    form.section_id.choices = choices(
        [("", _("The whole plan"))]
        + [(s.id, _("Section %(label)s", label=s.label)) for s in consultation.current_sections]
    )
    if not form.idempotency_key.data:
        form.idempotency_key.data = new_form_key()
        form_owner()  # a guest's session gets its owner id with the form, before any double click
    return form


def _reply_target(consultation: Consultation, parent_id: object) -> Comment | None:
    if not isinstance(parent_id, int):
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.consultation_id != consultation.id or not parent.is_public:
        return None
    return parent


def _remember_respondent(form: CommentForm) -> None:
    """Start a signed-in person's form with the role and school of their last comment."""
    if not current_user.is_authenticated:
        return
    last = db.session.scalar(
        select(Comment)
        .where(Comment.author_id == current_user.id)
        .order_by(Comment.received_at.desc(), Comment.id.desc())
        .limit(1)
    )
    if last is None:
        return
    if last.stakeholder_role in {role.value for role in FORM_ROLES}:
        form.stakeholder_role.data = last.stakeholder_role
    if last.school_id in {choice.value for choice in form.school_id.choices}:  # this district's
        form.school_id.data = last.school_id


def render_consultation(consultation: Consultation, form: CommentForm, status: int = 200):
    filters = ThreadFilters.from_args(request.args)

    def load_thread():
        # Called by the template only when its cached copy of the thread is out of date.
        return consultation_service.public_thread(
            consultation,
            section_id=filters.section_id,
            page=filters.page,
            newest_first=filters.newest_first,
            role=filters.role,
            position=filters.position,
        )

    body_html = render_markdown(consultation.body_markdown)
    return (
        render_template(
            "forum/consultation.html",
            consultation=consultation,
            body_html=body_html,
            plan=split_plan(body_html),
            load_thread=load_thread,
            filters=filters,
            role_choices=[(role.value, ROLE_LABELS[role]) for role in FORM_ROLES],
            position_choices=list(POSITION_LABELS.items()),
            counts=consultation_service.public_counts(consultation),
            form=form,
            replying_to=_reply_target(consultation, form.parent_id.data),
            surveys=survey_service.listed_surveys(consultation),
        ),
        status,
    )


@bp.route("/healthz")
def health():
    """For load balancers and process managers: 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database did not answer")
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/")
def index():
    return render_template(
        "forum/index.html", consultations=consultation_service.listed_consultations()
    )


@bp.route("/consultations/<slug>")
@no_store
def consultation(slug: str):
    consultation = visible_consultation(slug)
    form = build_comment_form(consultation)
    _remember_respondent(form)
    if request.args.get("section", type=record_id):
        form.section_id.data = request.args.get("section", type=record_id)
    form.parent_id.data = request.args.get("reply_to", type=record_id)
    return render_consultation(consultation, form)


def _already_sent(consultation: Consultation, form: CommentForm, stored: Comment):
    """The receipt for a replay of this very comment; a conflict for other text under its key."""
    if stored.submitted_text == form.text.data:
        return redirect(url_for(".receipt", token=stored.receipt_token), code=303)
    renew_form_key(form.idempotency_key)
    form.form_errors.append(
        _(
            "This form was already used to send a different comment, so yours was not sent. "
            "Your text is below: check it and send it again."
        )
    )
    return render_consultation(consultation, form, status=409)


def _refused(consultation: Consultation, form: CommentForm, error: ForumError):
    """The form again with the rule's message on its field (400), or above it when none (403)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return render_consultation(consultation, form, status=400 if field else 403)


@bp.route("/consultations/<slug>/comments", methods=["POST"])
@limiter.limit(_comment_limit, key_func=_account_key)
@no_store
def post_comment(slug: str):
    consultation = visible_consultation(slug)
    form = build_comment_form(consultation, formdata=request.form)
    if not form.validate():
        return render_consultation(consultation, form, status=400)
    key = scoped_key("web", form.idempotency_key.data)
    existing = comment_service.find_by_idempotency_key(key)
    if existing is not None:
        return _already_sent(consultation, form, existing)
    draft = comment_service.CommentDraft(
        text=form.text.data,
        stakeholder_role=form.stakeholder_role.data,
        declared_position=form.declared_position.data,
        preferred_language=form.preferred_language.data,
        school_id=form.school_id.data,
        section_id=form.section_id.data,
        parent_id=form.parent_id.data,
        author_name=form.author_name.data or "",
    )
    author = current_user if current_user.is_authenticated else None

    def store() -> str:
        comment = comment_service.create_comment(
            consultation,
            draft,
            author=author,
            idempotency_key=key,
            max_chars=current_app.config["COMMENT_MAX_CHARS"],
        )
        if form.follow.data:
            if author is not None:
                following.follow_as_account(consultation, author)
            else:
                following.follow_as_guest(consultation, form.follow_email.data)
        return comment.receipt_token  # known before COMMIT: nothing to read after it

    try:
        receipt_token = commit_or_flash(store, flash_error=False)
    except IntegrityError:
        # The same form arrived twice at once: the other request stored it; show its receipt.
        db.session.rollback()
        stored = comment_service.find_by_idempotency_key(key)
        if stored is None:
            raise
        return _already_sent(consultation, form, stored)
    if isinstance(receipt_token, Refused):
        return _refused(consultation, form, receipt_token.error)
    return redirect(url_for(".receipt", token=receipt_token), code=303)


@bp.route("/receipts/<token>")
@no_store
def receipt(token: str):
    comment = db.one_or_404(select(Comment).where(Comment.receipt_token == token))
    return render_template("forum/receipt.html", comment=comment, withdraw_form=WithdrawForm())


@bp.route("/receipts/<token>/withdraw", methods=["POST"])
def withdraw_by_receipt(token: str):
    comment = db.one_or_404(select(Comment).where(Comment.receipt_token == token))
    return _withdraw(comment, receipt_token=token)


@bp.route("/comments/<int:comment_id>/withdraw", methods=["POST"])
def withdraw(comment_id: int):
    return _withdraw(db.get_or_404(Comment, comment_id), receipt_token=None)


def _withdraw(comment: Comment, receipt_token: str | None):
    if not WithdrawForm().validate_on_submit():
        abort(400)
    user = current_user if current_user.is_authenticated else None
    if not comment_service.can_withdraw(comment, user, receipt_token):
        abort(403)
    withdrawn = commit_or_flash(
        lambda: comment_service.withdraw_comment(comment, user, receipt_token)
    )
    if not isinstance(withdrawn, Refused):
        flash(
            _(
                "Comment %(label)s is withdrawn. It no longer appears on the public page; "
                "the district keeps the record.",
                label=comment.public_label,
            ),
            "success",
        )
    return redirect(url_for(".receipt", token=comment.receipt_token), code=303)


@bp.route("/consultations/<slug>/comments/<int:number>")
def comment_permalink(slug: str, number: int):
    consultation = visible_consultation(slug)
    comment = db.one_or_404(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.number == number)
    )
    return render_template("forum/comment.html", consultation=consultation, comment=comment)
