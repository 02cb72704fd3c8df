"""The OpenAPI 3.1 document, generated from the endpoint table and the schemas that serialise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, url_for

from forum.api.http import PROBLEMS
from forum.api.query import DEFAULT_LIMIT, MAX_LIMIT, PARAMETERS
from forum.api.schemas import POSITIONS, ROLES, ProblemSchema

if TYPE_CHECKING:
    from forum.api.views import Endpoint

_PATH_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
_QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "section": {"type": "integer", "minimum": 0},
    "role": {"type": "string", "enum": ROLES},
    "position": {"type": "string", "enum": POSITIONS},
    "language": {"type": "string", "pattern": "^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$"},
    "since": {"type": "string"},
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "cursor": {"type": "string"},
}
_PATH_DESCRIPTIONS = {
    "slug": "The consultation's slug, as in its page's address.",
    "number": "The comment's public number.",
    "survey_id": "The survey's id, as listed by the surveys endpoint.",
}


def component_name(schema: type) -> str:
    return schema.__name__.removesuffix("Schema")


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """A Flask rule below /api/v1 as an OpenAPI path, with its path parameters."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": _PATH_DESCRIPTIONS.get(name, name),
            "schema": {"type": "integer", "minimum": 1}
            if converter == "int"
            else {"type": "string"},
        }
        for converter, name in _PATH_ARGUMENT.findall(rule)
    ]
    return "/api/v1" + _PATH_ARGUMENT.sub(r"{\2}", rule), parameters


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": component_name(ProblemSchema)}},
    }


_ERROR_DESCRIPTIONS = {
    400: "A parameter is not valid.",
    404: "Not found, or not public.",
    429: "Rate limit reached; see Retry-After.",
}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    path_parameters = openapi_path(endpoint.rule)[1]
    query_parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": PARAMETERS[name],
            "schema": _QUERY_SCHEMAS[name],
        }
        for name in endpoint.query
    ]
    if endpoint.response is not None:
        content: dict[str, Any] = {"schema": component_name(endpoint.response)}
    else:
        content = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {
        "200": {
            "description": endpoint.summary,
            "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {endpoint.media_type: content},
        },
        "304": {"description": "Not modified since the ETag sent in If-None-Match."},
    }
    for status in endpoint.errors:
        responses[str(status)] = _problem(_ERROR_DESCRIPTIONS[status])
    return {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
        "parameters": path_parameters + query_parameters,
        "responses": responses,
    }


def document(endpoints: list[Endpoint]) -> dict[str, Any]:
    """The whole OpenAPI document, as a dict ready for JSON."""
    config = current_app.config
    licence: dict[str, Any] = {"name": config["OPEN_DATA_LICENCE"]}
    if config.get("OPEN_DATA_LICENCE_URL"):
        licence["url"] = config["OPEN_DATA_LICENCE_URL"]
    spec = APISpec(
        title=f"{config['DISTRICT_NAME']}: public comment open data",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Read-only, public: published comments (redactions applied), consultations, "
                "public survey results, moderation counts and published packets. Errors are "
                "RFC 9457 problem details; every response has an ETag for conditional GET."
            ),
            "license": licence,
        },
        servers=[{"url": url_for("public.index", _external=True).rstrip("/")}],
    )
    spec.components.schema(component_name(ProblemSchema), schema=ProblemSchema)
    for endpoint in endpoints:
        if endpoint.response is not None:
            name = component_name(endpoint.response)
            if name not in spec.components.schemas:
                spec.components.schema(name, schema=endpoint.response)
    for endpoint in endpoints:
        path = openapi_path(endpoint.rule)[0]
        spec.path(path=path, operations={"get": _operation(endpoint)})
    document = spec.to_dict()
    document["x-problem-types"] = {
        anchor: {"status": status, "title": title} for status, (anchor, title) in PROBLEMS.items()
    }
    return document
