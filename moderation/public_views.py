"""Public side of moderation: the rules, each consultation's report, and flagging."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from extensions import db, limiter
from forum.actions import Refused, commit_or_flash
from forum.models import Comment, Consultation, ConsultationStatus
from moderation import queries, services
from moderation.forms import FlagForm
from moderation.rules import FLAG_REASONS, HIDE_REASONS

bp = Blueprint("transparency", __name__)


@bp.route("/rules")
def rules():
    return render_template(
        "moderation/rules.html", hide_reasons=HIDE_REASONS, flag_reasons=FLAG_REASONS
    )


@bp.route("/consultations/<slug>/moderation-report")
def report(slug: str):
    consultation = db.one_or_404(
        select(Consultation).where(
            Consultation.slug == slug, Consultation.status != ConsultationStatus.DRAFT
        )
    )
    return render_template(
        "moderation/report.html",
        consultation=consultation,
        report=queries.transparency_report(
            consultation,
            name_moderators=current_app.config["MODERATION_REPORT_NAMES_MODERATORS"],
        ),
        hide_reasons=HIDE_REASONS,
    )


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["RATE_LIMIT_FLAG"],
    methods=["POST"],
    key_func=lambda: f"user:{current_user.get_id()}",
)
def flag(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    if not comment.is_public:
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        flagged = commit_or_flash(
            lambda: services.flag_comment(comment, current_user, form.reason.data, form.note.data)
        )
        if not isinstance(flagged, Refused):
            flash(
                _(
                    "Thank you. A moderator will look at comment %(label)s. Flags never remove a comment by themselves.",
                    label=comment.public_label,
                ),
                "success",
            )
            return redirect(
                url_for("public.consultation", slug=comment.consultation.slug)
                + f"#comment-{comment.number}",
                code=303,
            )
    return render_template(
        "moderation/flag.html", comment=comment, form=form
    ), 400 if form.errors else 200
