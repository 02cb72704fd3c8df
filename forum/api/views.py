"""The API's views, and the table of endpoints that both routes them and documents them.

The JSON is in English whatever the request's language, so that every client gets the same
bytes (one ETag, cacheable); the documentation page follows the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from marshmallow import Schema

from extensions import db
from forum.api import downloads, openapi, records
from forum.api.http import json_response, problem
from forum.api.query import PARAMETERS, BadParameter, CommentQuery
from forum.api.schemas import (
    CommentPageSchema,
    CommentSchema,
    ConsultationListSchema,
    ConsultationSchema,
    DataDictionarySchema,
    IndexSchema,
    SurveyListSchema,
    SurveyResultsSchema,
)
from forum.models import Comment
from forum.public_comments import published_comments

VERSION = "1.0"


@dataclass(frozen=True)
class Endpoint:
    """One GET route: its rule, its view, and what the OpenAPI document says about it."""

    rule: str  # below /api/v1
    name: str
    view: Callable[..., Any]
    summary: str
    response: type[Schema] | None  # what a 200 holds; None: a download or a page
    media_type: str = "application/json"
    query: tuple[str, ...] = ()  # parameters from forum.api.query.PARAMETERS
    errors: tuple[int, ...] = (404, 429)
    tags: tuple[str, ...] = field(default=("consultations",))


def index():
    return IndexSchema().dump(
        {
            "name": current_app.config["DISTRICT_NAME"],
            "version": VERSION,
            "licence": current_app.config["OPEN_DATA_LICENCE"],
            "licence_url": current_app.config["OPEN_DATA_LICENCE_URL"] or None,
            "links": {
                "consultations": url_for("api.consultations", _external=True),
                "openapi": url_for("api.openapi_document", _external=True),
                "docs": url_for("api.docs", _external=True),
                "data_dictionary": url_for("api.data_dictionary", _external=True),
            },
        }
    )


def consultations():
    items = records.consultation_records(records.listed_consultations())
    return ConsultationListSchema().dump({"items": items})


def consultation(slug: str):
    [record] = records.consultation_records([records.public_consultation(slug)])
    return ConsultationSchema().dump(record)


def comments(slug: str):
    found = records.public_consultation(slug)
    try:
        query = CommentQuery.from_args(request.args)
    except BadParameter as error:
        return problem(400, str(error))
    rows = db.session.scalars(query.apply(published_comments(found.id))).all()
    page, more = rows[: query.limit], len(rows) > query.limit

    def link(after: int | None = None) -> str:
        arguments = query.arguments(after)
        return url_for("api.comments", slug=slug, _external=True, **arguments)

    next_link = link(page[-1].number) if more else None
    response = json_response(
        CommentPageSchema().dump(
            {
                "items": records.public_views(page),
                "links": {"self": link(), "next": next_link},
            }
        )
    )
    if next_link:
        response.headers["Link"] = f'<{next_link}>; rel="next"'
    return response


def comment(slug: str, number: int):
    found = records.public_consultation(slug)
    row = db.one_or_404(
        published_comments(found.id).where(Comment.number == number),
        description="No published comment has this number.",
    )
    [record] = records.comment_records([row])
    return record


def surveys(slug: str):
    return SurveyListSchema().dump({"items": records.public_surveys(records.public_consultation(slug))})  # fmt: skip


def survey_results(slug: str, survey_id: int):
    found = records.public_consultation(slug)
    return SurveyResultsSchema().dump(records.public_results(found, survey_id))


def comments_csv(slug: str) -> Response:
    return downloads.csv_download(records.public_consultation(slug))


def comments_jsonl(slug: str) -> Response:
    return downloads.jsonl_download(records.public_consultation(slug))


def data_dictionary():
    return downloads.data_dictionary(openapi.document(endpoints()))


def openapi_document():
    return json_response(openapi.document(endpoints()))


def docs():
    document = openapi.document(endpoints())
    return render_template(
        "api/docs.html",
        document=document,
        dictionary=downloads.data_dictionary(document),
        example=(records.listed_consultations() or [None])[0],
    )


def resource_endpoint(resource: records.ConsultationResource) -> Endpoint:
    """The route of a resource another package plugged in (see ConsultationResource)."""
    schema = resource.schema()

    def view(slug: str):
        return schema.dump(resource.load(records.public_consultation(slug)))

    view.__name__ = resource.endpoint
    rule = f"/consultations/<slug>/{resource.name}"
    return Endpoint(rule, resource.endpoint, view, resource.summary, resource.schema, tags=resource.tags)  # fmt: skip


def endpoints(resources: list[records.ConsultationResource] | None = None) -> list[Endpoint]:
    """Every endpoint of this app's API: the table below and the resources plugged in."""
    plugged = records.registered_resources() if resources is None else resources
    return ENDPOINTS + [resource_endpoint(resource) for resource in plugged]


LISTING = tuple(PARAMETERS)
ENDPOINTS = [
    Endpoint(
        "/", "index", index, "Entry points, version and licence.", IndexSchema, tags=("about",)
    ),
    Endpoint(
        "/consultations",
        "consultations",
        consultations,
        "Consultations open or closed for comment (never drafts).",
        ConsultationListSchema,
        errors=(429,),
    ),
    Endpoint(
        "/consultations/<slug>",
        "consultation",
        consultation,
        "One consultation: sections, dates, meeting, links.",
        ConsultationSchema,
    ),
    Endpoint(
        "/consultations/<slug>/comments",
        "comments",
        comments,
        "Published comments, a page at a time, with filters.",
        CommentPageSchema,
        query=LISTING,
        errors=(400, 404, 429),
    ),
    Endpoint(
        "/consultations/<slug>/comments/<int:number>",
        "comment",
        comment,
        "One published comment by its number.",
        CommentSchema,
    ),
    Endpoint(
        "/consultations/<slug>/comments.csv",
        "comments_csv",
        comments_csv,
        "Every published comment as CSV (spreadsheet-safe).",
        None,
        "text/csv",
        tags=("downloads",),
    ),
    Endpoint(
        "/consultations/<slug>/comments.jsonl",
        "comments_jsonl",
        comments_jsonl,
        "Every published comment as JSON Lines.",
        None,
        "application/jsonl",
        tags=("downloads",),
    ),
    Endpoint(
        "/consultations/<slug>/surveys",
        "surveys",
        surveys,
        "The consultation's public surveys.",
        SurveyListSchema,
        tags=("surveys",),
    ),
    Endpoint(
        "/consultations/<slug>/surveys/<int:survey_id>/results",
        "survey_results",
        survey_results,
        "Aggregated results of a survey whose results are public.",
        SurveyResultsSchema,
        tags=("surveys",),
    ),
    Endpoint(
        "/data-dictionary.json",
        "data_dictionary",
        data_dictionary,
        "Each field of a comment in the downloads: name, type, meaning.",
        DataDictionarySchema,
        errors=(429,),
        tags=("downloads",),
    ),
    Endpoint(
        "/openapi.json",
        "openapi_document",
        openapi_document,
        "This API's OpenAPI 3.1 document.",
        None,
        errors=(429,),
        tags=("about",),
    ),
    Endpoint(
        "/docs",
        "docs",
        docs,
        "This API's documentation as a web page.",
        None,
        "text/html",
        errors=(429,),
        tags=("about",),
    ),
]
