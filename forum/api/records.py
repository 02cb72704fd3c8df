"""Consultations, comments and surveys as the API's schemas dump them, and where they link."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, url_for
from marshmallow import Schema
from sqlalchemy import func, select

from extensions import db
from forum import surveys as survey_service
from forum.api.schemas import CommentSchema
from forum.models import (
    Comment,
    CommentStatus,
    Consultation,
    ConsultationStatus,
    Survey,
    SurveyStatus,
)
from forum.public_comments import PublicComment, public_comment

RESOURCES_KEY = "api.consultation_resources"


@dataclass(frozen=True)
class ConsultationResource:
    """A read-only resource about one consultation that another package publishes in the API.

    Moderation and analysis plug theirs in at start-up (app.py), so that forum never imports
    them: the API serves `load(consultation)` dumped by `schema` at
    /api/v1/consultations/<slug>/<name>, documents it, and links it from the consultation.
    """

    name: str  # the URL segment, e.g. "moderation-report"; its link key has "_" for "-"
    schema: type[Schema]  # named in the OpenAPI document as its class name less "Schema"
    load: Callable[[Consultation], Any]
    summary: str
    description: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def endpoint(self) -> str:
        return self.name.replace("-", "_")


def registered_resources() -> list[ConsultationResource]:
    return current_app.extensions.get(RESOURCES_KEY, [])


def public_consultation(slug: str) -> Consultation:
    """The consultation at this address, unless it is a draft (which the API never shows)."""
    return db.one_or_404(
        select(Consultation).where(
            Consultation.slug == slug, Consultation.status != ConsultationStatus.DRAFT
        )
    )


def listed_consultations() -> list[Consultation]:
    rows = db.session.scalars(
        select(Consultation)
        .where(Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.closes_at.desc(), Consultation.id)
    ).all()
    return sorted(rows, key=lambda c: c.period_state() != "open")


def _published_counts(ids: Iterable[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Comment.consultation_id, func.count())
        .where(Comment.consultation_id.in_(list(ids)), Comment.status == CommentStatus.PUBLISHED)
        .group_by(Comment.consultation_id)
    ).tuples()
    return dict(rows.all())


def consultation_links(consultation: Consultation) -> dict[str, str]:
    slug = consultation.slug

    def url(endpoint: str, **values: Any) -> str:
        return url_for(endpoint, slug=slug, _external=True, **values)

    links = {
        "self": url("api.consultation"),
        "page": url("public.consultation"),
        "comments": url("api.comments"),
        "comments_csv": url("api.comments_csv"),
        "comments_jsonl": url("api.comments_jsonl"),
        "surveys": url("api.surveys"),
    }
    for resource in registered_resources():
        links[resource.endpoint] = url(f"api.{resource.endpoint}")
    return links


def consultation_records(consultations: list[Consultation]) -> list[dict[str, Any]]:
    counts = _published_counts(c.id for c in consultations)
    return [
        {
            "slug": c.slug,
            "title": c.title,
            "summary": c.summary,
            "proposal": c.proposal,
            "status": c.period_state(),
            "opens_at": c.opens_at,
            "closes_at": c.closes_at,
            "meeting_date": c.meeting_date,
            "agenda_item": c.agenda_item,
            "published_comments": counts.get(c.id, 0),
            "sections": [
                {"number": s.number, "title": s.title, "retired": s.retired} for s in c.sections
            ],
            "links": consultation_links(c),
        }
        for c in consultations
    ]


_comments = CommentSchema(many=True)


def public_views(comments: Iterable[Comment]) -> list[PublicComment]:
    """What the public may see of these comments: only ever through `public_comment`."""
    return [view for comment in comments if (view := public_comment(comment)) is not None]


def comment_records(comments: Iterable[Comment]) -> list[dict[str, Any]]:
    """Published comments as the open data shows them (API, downloads)."""
    return _comments.dump(public_views(comments))


def public_surveys(consultation: Consultation) -> list[dict[str, Any]]:
    surveys = survey_service.listed_surveys(consultation)
    return [
        {
            "id": survey.id,
            "title": survey.title,
            "status": "closed" if survey.is_closed() else "open",
            "results_public": (visible := survey_service.results_visible_to_public(survey)),
            "results": url_for(
                "api.survey_results", slug=consultation.slug, survey_id=survey.id, _external=True
            )
            if visible
            else None,
        }
        for survey in surveys
    ]


def public_results(consultation: Consultation, survey_id: int) -> dict[str, Any]:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.consultation_id != consultation.id:
        abort(404)
    if survey.status == SurveyStatus.DRAFT:
        abort(404)
    if not survey_service.results_visible_to_public(survey):
        abort(404, description="This survey's results are not public (yet).")
    return survey_service.results(survey, public_only=True)
