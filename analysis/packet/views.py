"""Staff workflow: build a draft (a background job), review and edit it, publish a version."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from analysis.packet import services
from analysis.packet.build import PacketError, default_period
from analysis.packet.forms import DraftForm, EditForm
from analysis.packet.models import Packet
from analysis.packet.render import FORMATS, render
from analysis.tasks import build_packet
from extensions import db
from forum.actions import Refused, commit_or_flash
from forum.auth import role_required
from forum.forms import CsrfForm
from forum.models import Consultation, Role

bp = Blueprint("packets", __name__, url_prefix="/staff/packets")
STAFF = (Role.STAFF, Role.ADMIN)


@bp.route("/<slug>", methods=["GET", "POST"])
@role_required(*STAFF)
def index(slug: str):
    consultation = db.one_or_404(select(Consultation).where(Consultation.slug == slug))
    form = DraftForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            flash([*form.start.errors, *form.end.errors][0], "error")  # a date that does not parse
            return redirect(url_for(".index", slug=slug), code=303)
        packet = commit_or_flash(
            lambda: services.create_draft(
                consultation,
                current_user,
                start=form.start.data,
                end=form.end.data,
                prepared_by=form.prepared_by.data,
            )
        )
        if isinstance(packet, Refused):
            return redirect(url_for(".index", slug=slug), code=303)
        build_packet(packet.id)
        return redirect(url_for(".review", packet_id=packet.id), code=303)
    packets = db.session.scalars(
        select(Packet).where(Packet.consultation_id == consultation.id).order_by(Packet.id.desc())
    ).all()
    return render_template(
        "analysis/packets.html",
        consultation=consultation,
        packets=packets,
        form=form,
        period=default_period(consultation),
    )


@bp.route("/view/<int:packet_id>")
@role_required(*STAFF)
def review(packet_id: int):
    packet = db.get_or_404(Packet, packet_id)
    return render_template(
        "analysis/packet_review.html", packet=packet, content=packet.content, form=CsrfForm()
    )


@bp.route("/view/<int:packet_id>/edit", methods=["POST"])
@role_required(*STAFF)
def edit(packet_id: int):
    packet = db.get_or_404(Packet, packet_id)
    form = EditForm()
    if not form.validate_on_submit():
        abort(400)
    # Only the fields this request carried, as the edit of its kind expects them.
    fields = {
        name: value
        for name, value in form.data.items()
        if name != "csrf_token" and value is not None
    }
    try:
        services.edit(packet, form.kind.data, fields)
        db.session.commit()
    except (PacketError, ValueError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Saved, rebuilt and checked."), "success")
    return redirect(url_for(".review", packet_id=packet.id), code=303)


@bp.route("/view/<int:packet_id>/publish", methods=["POST"])
@role_required(*STAFF)
def publish(packet_id: int):
    packet = db.get_or_404(Packet, packet_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not isinstance(commit_or_flash(lambda: services.publish(packet, current_user)), Refused):
        flash(_("Published as version %(version)d.", version=packet.version), "success")
    return redirect(url_for(".review", packet_id=packet.id), code=303)


@bp.route("/view/<int:packet_id>/packet.<fmt>")
@role_required(*STAFF)
def download(packet_id: int, fmt: str):
    packet = db.get_or_404(Packet, packet_id)
    if fmt not in FORMATS or packet.content is None:
        abort(404)
    name = f"{packet.consultation.slug}-{'v' + str(packet.version) if packet.version else 'draft-' + str(packet.id)}.{fmt}"
    disposition = "inline" if fmt == "html" else f'attachment; filename="{name}"'
    return Response(
        render(fmt, packet.content, packet.consultation),
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": disposition},
    )
