"""Results ready for a page: tallies with their charts, cached under a key every process shares."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from flask_babel import get_locale

from extensions import cache
from forum.charts import bar_chart
from forum.models import Survey, SurveyQuestion
from forum.surveys.building import response_count
from forum.surveys.results import chart_alt, results

# Per question id: the chart's SVG and its text alternative.
Charts = dict[int, tuple[str, str]]


def questions_digest(questions: Iterable[SurveyQuestion]) -> str:
    """A digest of what staff may edit in the questions, the same in every process.

    Python's `hash()` of the same values differs from one process to the next, so a cache
    shared by several workers would never hit; a SHA-256 of canonical JSON does not.
    """
    shown = [[q.id, q.position, q.kind, q.prompt, q.results_public, q.options] for q in questions]
    canonical = json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def results_cache_key(survey: Survey, *, public_only: bool) -> str:
    """A new response changes the count, a staff edit the digest, and each language has its own."""
    return (
        f"survey-results:{survey.id}:{response_count(survey)}:{public_only}:"
        f"{questions_digest(survey.questions)}:{get_locale()}"
    )


def cached_results(survey: Survey, *, public_only: bool) -> tuple[dict[str, Any], Charts]:
    """Tallies and charts, recomputed only when a response arrives or a question changes."""
    key = results_cache_key(survey, public_only=public_only)
    found = cache.get(key)
    if found is None:
        summary = results(survey, public_only=public_only)
        found = (summary, charts(summary))
        cache.set(key, found)
    return found


def charts(summary: dict[str, Any]) -> Charts:
    """A bar chart for each question whose kind charts its answers, once someone has answered."""
    drawn = {}
    for question in summary["questions"]:
        if "chart_values" in question and question["answered"]:
            svg = bar_chart(
                tuple(str(row["label"]) for row in question["rows"]),
                tuple(question["chart_values"]),
                question["chart_axis"],
            )
            drawn[question["id"]] = (svg, chart_alt(question))
    return drawn
