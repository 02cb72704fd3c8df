"""The open data's shapes: marshmallow schemas that serialise responses and write the OpenAPI.

Field names are part of the published interface: add fields, never rename or remove one
without a new API version. Each field's description is what the documentation page and the
data dictionary show.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields
from marshmallow.validate import OneOf

from forum.models import Channel, Position, StakeholderRole

ROLES = [role.value for role in StakeholderRole]
POSITIONS = [position.value for position in Position]
CHANNELS = [channel.value for channel in Channel]
PERIODS = ["upcoming", "open", "closed"]


def described(field_class: type[fields.Field], description: str, **options: Any) -> Any:
    """A field with its description (the documentation and data dictionary read it)."""
    return field_class(metadata={"description": description}, **options)


def or_null(field_class: type[fields.Field], description: str, **options: Any) -> Any:
    return described(field_class, description, allow_none=True, required=True, **options)


class CommentSchema(Schema):
    """One published comment: the same fields in the API, the JSON Lines and the CSV."""

    consultation = described(fields.String, "Slug of the consultation the comment is on.", required=True, attribute="consultation_slug")  # fmt: skip
    number = described(fields.Integer, "The comment's public number (#1, #2, ...) in its consultation.", required=True)  # fmt: skip
    section_number = or_null(fields.Integer, "Number of the plan section it comments on; null: the whole plan.")  # fmt: skip
    section_title = or_null(fields.String, "Title of that section; null: the whole plan.")
    parent_number = or_null(fields.Integer, "Number of the comment it replies to; null: not a reply. That comment may not be public.")  # fmt: skip
    stakeholder_role = described(fields.String, "How the author described themself.", required=True, validate=OneOf(ROLES))  # fmt: skip
    school = or_null(fields.String, "The school the author named; always null for students.")
    declared_position = or_null(fields.String, "The position the author declared; null when the channel did not ask (letters, cards).", validate=OneOf(POSITIONS))  # fmt: skip
    text = described(fields.String, "The text as shown publicly, with any moderator redactions shown as [redacted].", required=True)  # fmt: skip
    redacted = described(fields.Boolean, "Whether a moderator redacted parts of the text.", required=True)  # fmt: skip
    language = or_null(fields.String, "Language of the text (ISO 639-1): as detected, else as the author said; null when unknown.")  # fmt: skip
    channel = described(fields.String, "How the comment reached the district.", required=True, validate=OneOf(CHANNELS))  # fmt: skip
    received_at = described(fields.AwareDateTime, "When the district received it (ISO 8601, UTC).", required=True, format="iso")  # fmt: skip
    url = fields.Function(
        lambda comment: url_for(
            "public.comment_permalink",
            slug=comment.consultation_slug,
            number=comment.number,
            _external=True,
        ),
        required=True,
        metadata={"description": "The comment's public page.", "type": "string", "format": "uri"},
    )


class PageLinksSchema(Schema):
    self_ = described(fields.Url, "This page.", data_key="self", attribute="self", required=True)
    next = or_null(fields.Url, "The next page; null on the last page.")


class CommentPageSchema(Schema):
    items = described(fields.List, "Comments in number order.", cls_or_instance=fields.Nested(CommentSchema), required=True)  # fmt: skip
    links = fields.Nested(PageLinksSchema, required=True)


class SectionSchema(Schema):
    number = described(fields.Integer, "Section number in the plan.", required=True)
    title = described(fields.String, "Section title.", required=True)
    retired = described(fields.Boolean, "Dropped from the current plan text; its comments stay.", required=True)  # fmt: skip


class ConsultationSchema(Schema):
    slug = described(fields.String, "Stable identifier, used in every URL of the consultation.", required=True)  # fmt: skip
    title = described(fields.String, "Title of the plan.", required=True)
    summary = described(fields.String, "Short summary of the plan.", required=True)
    proposal = described(fields.String, "What the board is asked to decide.", required=True)
    status = described(fields.String, "Where the comment period stands.", required=True, validate=OneOf(PERIODS))  # fmt: skip
    opens_at = described(fields.AwareDateTime, "When the comment period opens (UTC).", required=True, format="iso")  # fmt: skip
    closes_at = described(fields.AwareDateTime, "When the comment period closes (UTC).", required=True, format="iso")  # fmt: skip
    meeting_date = or_null(fields.Date, "Date of the board meeting that decides.")
    agenda_item = or_null(fields.String, "That meeting's agenda item.")
    published_comments = described(fields.Integer, "How many comments are published.", required=True)  # fmt: skip
    sections = described(fields.List, "The plan's numbered sections.", cls_or_instance=fields.Nested(SectionSchema), required=True)  # fmt: skip
    links = described(fields.Dict, "URLs of the consultation's page, API resources and downloads, by name.", keys=fields.String(), values=fields.Url(), required=True)  # fmt: skip


class ConsultationListSchema(Schema):
    items = described(fields.List, "Consultations, open ones first.", cls_or_instance=fields.Nested(ConsultationSchema), required=True)  # fmt: skip


class SurveySummarySchema(Schema):
    id = described(fields.Integer, "Survey id.", required=True)
    title = described(fields.String, "Survey title.", required=True)
    status = described(fields.String, "Whether it takes answers.", required=True, validate=OneOf(["open", "closed"]))  # fmt: skip
    results_public = described(fields.Boolean, "Whether its results are public now.", required=True)  # fmt: skip
    results = or_null(fields.Url, "Its results in this API, when public.")


class SurveyListSchema(Schema):
    items = fields.List(fields.Nested(SurveySummarySchema), required=True)


class RoleCountSchema(Schema):
    key = described(fields.String, "Stakeholder role.", required=True, validate=OneOf(ROLES))
    responses = described(fields.Integer, "Responses from people in this role.", required=True)


class RoleShareSchema(Schema):
    count = fields.Integer(allow_none=True)
    percent = fields.Integer(allow_none=True)
    mean_rank = fields.Float(allow_none=True)


class ResultRowSchema(Schema):
    key = described(fields.String, "Option key.", required=True)
    label = described(fields.String, "Option label.", required=True)
    count = described(fields.Integer, "People choosing it (ranking: ranking it first).", required=True)  # fmt: skip
    percent = described(fields.Integer, "Share of those answering the question, in per cent.", required=True)  # fmt: skip
    mean_rank = fields.Float(allow_none=True, metadata={"description": "Ranking only: mean rank."})
    by_role = described(fields.Dict, "The same by stakeholder role.", keys=fields.String(), values=fields.Nested(RoleShareSchema), required=True)  # fmt: skip


class NumberStatsSchema(Schema):
    count = fields.Integer(required=True)
    mean = fields.Float(required=True, allow_none=True)
    median = fields.Float(required=True, allow_none=True)
    min = fields.Float(required=True, allow_none=True)
    max = fields.Float(required=True, allow_none=True)


class QuestionResultSchema(Schema):
    position = described(fields.Integer, "Question number in the survey.", required=True)
    kind = described(fields.String, "Question kind (single, multiple, scale, ranking, number, short_text, long_text).", required=True)  # fmt: skip
    prompt = described(fields.String, "The question.", required=True)
    answered = described(fields.Integer, "People who answered it.", required=True)
    answered_by_role = described(fields.Dict, "The same by stakeholder role.", keys=fields.String(), values=fields.Integer(), required=True)  # fmt: skip
    rows = described(fields.List, "Choice kinds: counts per option.", cls_or_instance=fields.Nested(ResultRowSchema))  # fmt: skip
    stats = fields.Nested(NumberStatsSchema, metadata={"description": "Numbers: summary statistics."})  # fmt: skip


class SurveyResultsSchema(Schema):
    id = described(fields.Integer, "Survey id.", required=True, attribute="survey_id")
    title = described(fields.String, "Survey title.", required=True)
    responses = described(fields.Integer, "Responses received.", required=True)
    roles = fields.List(fields.Nested(RoleCountSchema), required=True)
    questions = described(fields.List, "Questions whose results are public; written answers are not tallied (long ones are published as comments).", cls_or_instance=fields.Nested(QuestionResultSchema), required=True)  # fmt: skip


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details (media type application/problem+json)."""

    type = described(fields.String, "URI of the problem type, documented on the API page.", required=True)  # fmt: skip
    title = described(fields.String, "Short summary of the problem type.", required=True)
    status = described(fields.Integer, "The HTTP status code.", required=True)
    detail = described(fields.String, "What went wrong with this request.", required=True)


class IndexSchema(Schema):
    name = described(fields.String, "The publishing district.", required=True)
    version = described(fields.String, "API version.", required=True)
    licence = described(fields.String, "Terms the data is published under.", required=True)
    licence_url = or_null(fields.Url, "Where the licence is published.")
    links = described(fields.Dict, "Entry points: consultations, OpenAPI document, documentation, data dictionary.", keys=fields.String(), values=fields.Url(), required=True)  # fmt: skip


class FieldDescriptionSchema(Schema):
    name = described(fields.String, "Field (JSON key and CSV column) name.", required=True)
    type = described(fields.String, "JSON type.", required=True)
    nullable = described(fields.Boolean, "Whether the value may be null (an empty CSV cell).", required=True)  # fmt: skip
    allowed_values = or_null(fields.List, "The values it may take, when fixed.", cls_or_instance=fields.String())  # fmt: skip
    description = described(fields.String, "What it means.", required=True)


class DataDictionarySchema(Schema):
    licence = described(fields.String, "Terms the data is published under.", required=True)
    notes = described(fields.List, "How to read the downloads.", cls_or_instance=fields.String(), required=True)  # fmt: skip
    fields_ = described(fields.List, "Each field of a comment, in CSV column order.", cls_or_instance=fields.Nested(FieldDescriptionSchema), data_key="fields", attribute="fields", required=True)  # fmt: skip
