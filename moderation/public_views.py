"""Public side of moderation: the rules, each consultation's report, and flagging."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import db, limiter
from forum.exceptions import ForumError
from forum.models import Comment, ConsultationStatus
from forum.services.consultations import get_by_slug
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
    consultation = get_by_slug(slug)
    if consultation is None or consultation.status == ConsultationStatus.DRAFT:
        abort(404)
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
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.is_public:
        abort(404)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_comment(comment, current_user, form.reason.data, form.note.data)
            db.session.commit()
        except ForumError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
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
