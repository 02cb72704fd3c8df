"""Escalations, visible only to the threat-assessment role; every view is recorded."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select

from extensions import db
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required
from forum.models import Role
from moderation import escalations
from moderation.forms import EscalationForm
from moderation.models import Escalation

bp = Blueprint("threats", __name__, url_prefix="/threats")


@bp.route("/")
@role_required(Role.THREAT_ASSESSOR)
def index():
    order = case({"open": 0, "acknowledged": 1}, value=Escalation.status, else_=2)
    rows = db.session.scalars(
        select(Escalation).order_by(order, Escalation.created_at.desc())
    ).all()
    return render_template("moderation/threats.html", escalations=rows)


@bp.route("/<int:escalation_id>")
@role_required(Role.THREAT_ASSESSOR)
def detail(escalation_id: int):
    escalation = db.get_or_404(Escalation, escalation_id)
    escalations.record_disclosure(escalation, current_user)
    db.session.commit()
    return render_template("moderation/threat.html", escalation=escalation, form=EscalationForm())


@bp.route("/<int:escalation_id>/<action>", methods=["POST"])
@role_required(Role.THREAT_ASSESSOR)
def act(escalation_id: int, action: str):
    escalation = db.get_or_404(Escalation, escalation_id)
    form = EscalationForm()
    if action not in ("acknowledge", "close") or not form.validate_on_submit():
        abort(400 if action in ("acknowledge", "close") else 404)

    def change() -> None:
        if action == "acknowledge":
            escalations.acknowledge(escalation, current_user, form.note.data)
        else:
            escalations.close(escalation, current_user, form.note.data or "")

    if not isinstance(commit_or_flash(change), Refused):
        flash(
            _("Escalation %(id)d is %(status)s.", id=escalation.id, status=escalation.status),
            "success",
        )
    return redirect(url_for(".detail", escalation_id=escalation.id), code=303)
