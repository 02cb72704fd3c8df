"""The open-data API at /api/v1: read-only public JSON, its OpenAPI document and bulk downloads.

`init_app` builds the blueprint from the endpoint table (forum/api/views.py) plus the
consultation resources other packages hand in (moderation's report, analysis's packets), so
the routes, the OpenAPI document and the documentation page always list the same endpoints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app
from flask_babel import force_locale

from extensions import csrf, limiter
from forum.api.http import (
    SessionlessApi,
    add_cors,
    add_etag,
    http_problem,
    refuse_outside_routes,
    unexpected_problem,
)
from forum.api.records import RESOURCES_KEY, ConsultationResource

__all__ = ["ConsultationResource", "init_app"]


def _api_limit() -> str:
    return current_app.config["RATE_LIMIT_API"]


# One budget per client address for the whole API, whichever endpoints it calls.
API_LIMIT = limiter.shared_limit(_api_limit, scope="api")


def _finish(response: Response) -> Response:
    return add_cors(add_etag(response))


def _in_default_locale(view: Callable[..., Any]) -> Callable[..., Any]:
    """Data (survey scale labels, say) in the district's default language for every client, so
    the same request gets the same bytes and ETag whatever its Accept-Language."""

    @functools.wraps(view)
    def in_default_locale(*args: Any, **kwargs: Any) -> Any:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return view(*args, **kwargs)

    return in_default_locale


def init_app(app: Flask, resources: Iterable[ConsultationResource] = ()) -> None:
    """Register the API, with the consultation resources other packages publish through it."""
    from forum.api import views

    plugged = app.extensions[RESOURCES_KEY] = list(resources)
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    for endpoint in views.endpoints(plugged):
        view = endpoint.view if endpoint.media_type == "text/html" else _in_default_locale(endpoint.view)  # fmt: skip
        bp.add_url_rule(endpoint.rule, endpoint.name, view, methods=["GET"])
    bp.after_request(_finish)
    for status in (400, 404, 405, 413, 429):
        bp.register_error_handler(status, http_problem)
    bp.register_error_handler(Exception, unexpected_problem)
    API_LIMIT(bp)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    # Before the app's own hooks: unrouted API addresses answer with problem details too.
    app.before_request(refuse_outside_routes)
    app.session_interface = SessionlessApi(app.session_interface)
