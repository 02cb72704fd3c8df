"""Check API responses against the OpenAPI document the API itself publishes."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:sounding-board:openapi"


def load_document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)  # a valid OpenAPI 3.1 document, or this raises
    return document


def operation_for(document: dict[str, Any], url_path: str) -> tuple[str, dict[str, Any]]:
    """The documented path template and GET operation that a concrete path matches."""
    url_path = url_path.split("?", 1)[0]
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url_path):
            return template, item["get"]
    raise AssertionError(f"{url_path} is not documented")


def assert_matches_documented(document: dict[str, Any], response, url_path: str) -> None:
    """The response's status is documented for its path, with its media type and its schema."""
    _template, operation = operation_for(document, url_path)
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (url_path, response.status_code)
    if "content" not in documented:
        return
    media_type = response.mimetype
    assert media_type in documented["content"], (url_path, media_type)
    schema = documented["content"][media_type]["schema"]
    if schema.get("type") == "string":
        return
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator({"$ref": DOCUMENT_URI + schema["$ref"]}, registry=registry)
    errors = list(validator.iter_errors(response.get_json()))
    assert not errors, (url_path, [error.message for error in errors[:3]])
