"""The surveys blueprint, shared by the public answering pages and the staff builder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from forum import surveys as survey_service
from forum.models import Role, Survey
from forum.surveys.display import cached_results

bp = Blueprint("surveys", __name__)

STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def render_results(survey: Survey, *, staff_view: bool) -> str:
    """The results page: everything for staff; for the public, what staff chose to show."""
    summary: dict[str, Any] | None = None
    charts: dict[int, Any] = {}
    if staff_view or survey_service.results_visible_to_public(survey):
        summary, charts = cached_results(survey, public_only=not staff_view)
    return render_template(
        "forum/survey_results.html",
        survey=survey,
        consultation=survey.consultation,
        summary=summary,
        charts=charts,
        kinds=survey_service.KINDS,
        staff_view=staff_view,
    )
