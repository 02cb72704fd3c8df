"""The public moderation report's counts, published through the open-data API (forum.api)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from forum.api import ConsultationResource
from forum.models import Consultation
from moderation.queries import transparency_report


class ActionCountSchema(Schema):
    action = fields.String(required=True, metadata={"description": "What was done (approve, hide, redact, restore, escalate, ...)."})  # fmt: skip
    reason_code = fields.String(required=True, allow_none=True, metadata={"description": "The published reason code, if any."})  # fmt: skip
    count = fields.Integer(required=True)


class ModeratorCountSchema(Schema):
    name = fields.String(required=True)
    role = fields.String(required=True)
    count = fields.Integer(required=True)


class ModerationReportSchema(Schema):
    """Every comment received, by where it stands, and the moderation actions taken."""

    received = fields.Integer(required=True, metadata={"description": "Comments received: published + hidden + withdrawn + pending."})  # fmt: skip
    published = fields.Integer(required=True)
    hidden = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True, metadata={"description": "Withdrawn by their authors."})  # fmt: skip
    pending = fields.Integer(required=True, metadata={"description": "Waiting for a moderator."})  # fmt: skip
    hidden_by_reason = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "Hidden comments by published reason code (see /rules)."})  # fmt: skip
    actions = fields.List(fields.Nested(ActionCountSchema), required=True)
    actions_by_role = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "Actions by the role of whoever took them (system: automatic screening)."})  # fmt: skip
    actions_by_moderator = fields.List(fields.Nested(ModeratorCountSchema), required=True, allow_none=True, metadata={"description": "By person, only where the district publishes moderators' names; else null."})  # fmt: skip


def report_counts(consultation: Consultation) -> dict[str, Any]:
    """The same counts as the public report page (moderation/public_views.py)."""
    report = transparency_report(
        consultation, name_moderators=current_app.config["MODERATION_REPORT_NAMES_MODERATORS"]
    )
    by_person = report.actions_by_person
    return {
        "received": report.received,
        "published": report.published,
        "hidden": report.hidden,
        "withdrawn": report.withdrawn,
        "pending": report.pending,
        "hidden_by_reason": report.hidden_by_reason,
        "actions": [
            {"action": action, "reason_code": code or None, "count": count}
            for (action, code), count in sorted(report.actions_by_reason.items())
        ],
        "actions_by_role": dict(report.actions_by_role),
        "actions_by_moderator": None
        if by_person is None
        else [
            {"name": name, "role": role, "count": count}
            for (name, role), count in sorted(by_person.items())
        ],
    }


MODERATION_REPORT = ConsultationResource(
    name="moderation-report",
    schema=ModerationReportSchema,
    load=report_counts,
    summary="The public moderation report's counts.",
    tags=("moderation",),
)
