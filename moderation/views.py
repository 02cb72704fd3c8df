"""The moderators' review queue and the actions they take from it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from extensions import db
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required, safe_next
from forum.forms import record_id
from forum.models import Comment, Consultation, Role, User
from forum.sanitize import isolate_text
from moderation import queries, services
from moderation.forms import ACTION_NAMES, ActionForm, BlockForm, BulkForm
from moderation.models import AuditEntry, Flag, Redaction, ReviewReason
from moderation.rules import HIDE_REASONS, REVIEW_REASONS

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

MODERATORS = (Role.MODERATOR, Role.ADMIN)


def queue_filters() -> dict[str, Any]:
    """The queue's filters from the query string: only these reach url_for, each checked, so
    a stray argument (`endpoint`, `_method`, `_external`, ...) can neither break nor steer a link."""
    reason = request.args.get("reason")
    filters = {
        "consultation": request.args.get("consultation", type=record_id),
        "reason": reason if reason in REVIEW_REASONS else None,
        "page": request.args.get("page", type=record_id),
    }
    return {name: value for name, value in filters.items() if value is not None}


@bp.route("/")
@role_required(*MODERATORS)
def queue():
    filters = queue_filters()
    consultation_id, reason = filters.get("consultation"), filters.get("reason")
    page = queries.review_queue(consultation_id, reason, filters.get("page", 1))
    filters.pop("page", None)
    return render_template(
        "moderation/queue.html",
        page=page,
        items=queries.queue_items(list(page.items)),
        consultations=db.session.scalars(select(Consultation).order_by(Consultation.title)).all(),
        consultation_id=consultation_id,
        reason=reason,
        filters=filters,
        review_reasons=REVIEW_REASONS,
        hide_reasons=HIDE_REASONS,
        action_form=ActionForm(),
        bulk_form=BulkForm(),
    )


@bp.route("/comments/<int:comment_id>")
@role_required(*MODERATORS)
def comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    [item] = queries.queue_items([comment])
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "comment", AuditEntry.target_id == comment.id)
        .order_by(AuditEntry.id)
    ).all()
    return render_template(
        "moderation/comment.html",
        item=item,
        all_reasons=db.session.scalars(
            select(ReviewReason).where(ReviewReason.comment_id == comment.id)
        ).all(),
        flags=db.session.scalars(select(Flag).where(Flag.comment_id == comment.id)).all(),
        redactions=db.session.scalars(
            select(Redaction).where(Redaction.comment_id == comment.id)
        ).all(),
        audit_rows=history,
        hide_reasons=HIDE_REASONS,
        action_form=ActionForm(),
        block_form=BlockForm(),
    )


def _back(comment: Comment, form: ActionForm):
    if form.return_to.data == "queue":
        return redirect(url_for(".queue", **queue_filters()), code=303)
    return redirect(url_for(".comment", comment_id=comment.id), code=303)


@bp.route("/comments/<int:comment_id>/<action>", methods=["POST"])
@role_required(*MODERATORS)
def act(comment_id: int, action: str):
    if action not in ACTION_NAMES:
        abort(404)
    comment = db.get_or_404(Comment, comment_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    note, code = form.note.data, form.reason_code.data or None

    def change() -> None:
        if action == "hide":
            services.hide(comment, current_user, code, note)
        elif action == "redact":
            services.redact(comment, current_user, form.phrase.data or "", code, note)
        else:
            services.ACTIONS[action](comment, current_user, note)

    if isinstance(commit_or_flash(change), Refused):
        return _back(comment, form)
    if action == "escalate":
        flash(
            _("Sent to the threat-assessment team. If the threat is imminent, call 911."), "error"
        )
    else:
        flash(
            _("Done: %(action)s on %(label)s.", action=action, label=comment.public_label),
            "success",
        )
    return _back(comment, form)


@bp.route("/bulk", methods=["POST"])
@role_required(*MODERATORS)
def bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(form.comment_ids.data or []))
    ).all()
    if not comments:
        flash(_("Select at least one comment."), "error")
        return redirect(url_for(".queue"), code=303)
    count = commit_or_flash(
        lambda: services.apply_bulk(
            form.action.data,
            list(comments),
            current_user,
            form.reason_code.data or None,
            form.note.data,
        ),
        flash_error=False,
    )
    if isinstance(count, Refused):
        flash(_("Nothing was changed: %(message)s", message=count.error.message), "error")
    else:
        flash(
            _("Done: %(action)s on %(count)d comments.", action=form.action.data, count=count),
            "success",
        )
    return redirect(url_for(".queue"), code=303)


@bp.route("/users/<int:user_id>/block", methods=["POST"])
@role_required(*MODERATORS)
def block(user_id: int):
    user = db.get_or_404(User, user_id)
    form = BlockForm()
    if not form.validate_on_submit():
        abort(400)
    blocked = commit_or_flash(
        lambda: services.block_user(user, current_user, form.days.data, form.note.data)
    )
    if not isinstance(blocked, Refused):
        flash(
            _(
                "%(name)s cannot post or flag until %(until)s.",
                name=isolate_text(user.display_name),
                until=user.blocked_until,
            ),
            "success",
        )
    return redirect(safe_next(form.next.data, url_for(".queue")), code=303)
