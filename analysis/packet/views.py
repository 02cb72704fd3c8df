"""Staff workflow: build a draft (a background job), review and edit it, publish a version."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from analysis.jobs import build_packet
from analysis.packet import services
from analysis.packet.build import PacketError, default_period
from analysis.packet.models import Packet
from analysis.packet.render import FORMATS, render
from extensions import db
from forum.auth import role_required
from forum.forms import WithdrawForm as PostForm
from forum.models import Consultation, Role
from forum.services.consultations import get_by_slug

bp = Blueprint("packets", __name__, url_prefix="/staff/packets")
STAFF = (Role.STAFF, Role.ADMIN)


def _packet(packet_id: int) -> Packet:
    packet = db.session.get(Packet, packet_id)
    if packet is None:
        abort(404)
    return packet


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise PacketError(_("“%(value)s” is not a date (use YYYY-MM-DD).", value=value)) from None


@bp.route("/<slug>", methods=["GET", "POST"])
@role_required(*STAFF)
def index(slug: str):
    consultation: Consultation | None = get_by_slug(slug)
    if consultation is None:
        abort(404)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            packet = services.create_draft(
                consultation,
                current_user,
                start=_date(request.form.get("start")),
                end=_date(request.form.get("end")),
                prepared_by=request.form.get("prepared_by", ""),
            )
            db.session.commit()
        except PacketError as error:
            db.session.rollback()
            flash(str(error), "error")
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
    packet = _packet(packet_id)
    return render_template(
        "analysis/packet_review.html", packet=packet, content=packet.content, form=PostForm()
    )


@bp.route("/view/<int:packet_id>/edit", methods=["POST"])
@role_required(*STAFF)
def edit(packet_id: int):
    packet = _packet(packet_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        services.edit(packet, request.form.get("kind", ""), request.form.to_dict())
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
    packet = _packet(packet_id)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        services.publish(packet, current_user)
        db.session.commit()
    except PacketError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Published as version %(version)d.", version=packet.version), "success")
    return redirect(url_for(".review", packet_id=packet.id), code=303)


@bp.route("/view/<int:packet_id>/packet.<fmt>")
@role_required(*STAFF)
def download(packet_id: int, fmt: str):
    packet = _packet(packet_id)
    if fmt not in FORMATS or packet.content is None:
        abort(404)
    name = f"{packet.consultation.slug}-{'v' + str(packet.version) if packet.version else 'draft-' + str(packet.id)}.{fmt}"
    disposition = "inline" if fmt == "html" else f'attachment; filename="{name}"'
    return Response(
        render(fmt, packet.content, packet.consultation),
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": disposition},
    )
