"""What every API response shares: JSON with an ETag, read-only CORS, problem details, no cookies."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, request, url_for
from flask.sessions import SecureCookieSession, SessionInterface
from werkzeug.exceptions import HTTPException

from extensions import database_busy, db

logger = logging.getLogger(__name__)

PREFIX = "/api/"
HUMAN_PAGE = "/docs"  # /api/v1/docs, the one HTML page under PREFIX
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROBLEM_TYPE = "application/problem+json"

# The problem types the API answers with, by status: (anchor on the documentation page, title).
PROBLEMS = {
    400: ("invalid-parameter", "Invalid parameter"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Server error"),
    503: ("unavailable", "Temporarily unavailable"),
}


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def json_response(data: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Response(body, status=status, mimetype=mimetype)


def problem(status: int, detail: str) -> Response:
    """An RFC 9457 problem details response."""
    anchor, title = PROBLEMS.get(status, ("http-error", "HTTP error"))
    response = json_response(
        {
            "type": problem_type_url(anchor),
            "title": title,
            "status": status,
            "detail": detail,
        },
        status=status,
        mimetype=PROBLEM_TYPE,
    )
    return response


def problem_type_url(anchor: str) -> str:
    try:
        return url_for("api.docs", _external=True) + f"#problem-{anchor}"
    except RuntimeError:  # outside a request: a relative reference is still a valid URI
        return f"/api/v1/docs#problem-{anchor}"


_DETAILS = {
    404: "There is nothing at this address, or it is not public.",
    405: "The API is read-only: use GET or HEAD.",
}


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 429:
        detail = f"Too many requests from this address (limit: {error.description}); wait and try again."  # fmt: skip
    elif error.description and error.description != type(error).description:
        detail = error.description  # what the view said, e.g. why a survey's results are not public
    else:
        detail = _DETAILS.get(status) or error.description or error.name
    response = problem(status, detail)
    if status == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


def unexpected_problem(error: Exception) -> Response:
    """A failure in an API view: problem details, logged with an id to quote."""
    if isinstance(error, HTTPException):
        return http_problem(error)
    if database_busy(error):
        db.session.rollback()
        response = problem(503, "The database is busy; try again in a few seconds.")
        response.headers["Retry-After"] = "5"
        return response
    if current_app.debug or current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise error
    error_id = g.get("request_id") or uuid.uuid4().hex
    logger.error("unhandled API error %s", error_id, exc_info=error)
    return problem(500, f"The error has been logged as {error_id}.")


def add_cors(response: Response) -> Response:
    """Anyone's page may read the API (no credentials are ever involved): read methods only."""
    if request.method not in READ_METHODS:
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


def add_etag(response: Response) -> Response:
    """A strong ETag from the body, and 304 when the client already has it."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        # Stored but checked every time: a withdrawn or hidden comment leaves caches at once.
        response.headers["Cache-Control"] = "no-cache"
        response.make_conditional(request)
    return response


def refuse_outside_routes() -> Response | None:
    """API addresses with no route, or a method the API lacks, get problem details too.

    Runs before the app's other request hooks (registered first), so a POST never reaches CSRF
    checking: the API has no state to change.
    """
    if not is_api_request():
        return None
    error = request.routing_exception
    if isinstance(error, HTTPException):
        return add_cors(http_problem(error))
    values = [request.path, *request.args.values()]
    if any("\x00" in value for value in values):
        return add_cors(problem(400, "A parameter contains a NUL character (code 0)."))
    return None


class _ApiSession(SecureCookieSession):
    """The empty session an API request gets: never read from nor written to a cookie."""


class SessionlessApi(SessionInterface):
    """Wraps the app's session interface so API requests ignore cookies and set none.

    The API serves only public data, identically to everyone: a browser's signed-in cookie is
    not read (nothing depends on who asks), and no Set-Cookie or Vary: Cookie is sent. The
    documentation page is the exception: it reads the session for the reader's language.
    """

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app: Flask, request: Any) -> Any:
        # The documentation page is a page like the others: it speaks the reader's language.
        if request.path.startswith(PREFIX) and not request.path.endswith(HUMAN_PAGE):
            return _ApiSession()
        return self.inner.open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if isinstance(session, _ApiSession):
            return
        self.inner.save_session(app, session, response)

    def make_null_session(self, app: Flask) -> Any:
        return self.inner.make_null_session(app)

    def is_null_session(self, obj: object) -> bool:
        return self.inner.is_null_session(obj)
