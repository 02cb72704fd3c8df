"""Bulk downloads of a consultation's published comments (CSV, JSON Lines) and their dictionary.

Both carry exactly the API's comment records (CommentSchema, through `public_comment`); the
first line of each file gives the licence, and the data dictionary describes every field.
"""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, current_app, url_for

from extensions import db
from forum.api.http import add_etag
from forum.api.records import comment_records
from forum.api.schemas import CommentSchema
from forum.models import Consultation
from forum.public_comments import published_comments
from forum.sanitize import csv_cell, csv_writer


def licence_line(consultation: Consultation) -> str:
    config = current_app.config
    source = url_for("public.consultation", slug=consultation.slug, _external=True)
    parts = [f"{config['DISTRICT_NAME']}: public comments on \u201c{consultation.title}\u201d ({source})."]  # fmt: skip
    parts.append(f"Licence: {config['OPEN_DATA_LICENCE']}")
    if config.get("OPEN_DATA_LICENCE_URL"):
        parts.append(f"({config['OPEN_DATA_LICENCE_URL']})")
    return " ".join(parts)


def _records(consultation: Consultation) -> list[dict[str, Any]]:
    """Every published comment's record."""
    return comment_records(db.session.scalars(published_comments(consultation.id)))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_cell(value)


def _attachment(body: str, consultation: Consultation, extension: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    name = f"{consultation.slug}-comments.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Link"] = (
        f'<{url_for("api.data_dictionary", _external=True)}>; rel="describedby"'
    )
    return add_etag(response)


def csv_download(consultation: Consultation) -> Response:
    """A licence line, a header row of field names, then one row per comment, every cell
    neutralised so no spreadsheet runs a formula from it."""
    names = [f.data_key or name for name, f in CommentSchema().dump_fields.items()]
    buffer = io.StringIO()
    buffer.write("\ufeff# " + licence_line(consultation).replace("\n", " ") + "\r\n")
    writer = csv_writer(buffer)
    writer.writerow(names)
    for record in _records(consultation):
        writer.writerow([_cell(record[name]) for name in names])
    return _attachment(buffer.getvalue(), consultation, "csv", "text/csv")


def jsonl_download(consultation: Consultation) -> Response:
    """A first line describing the file (licence, source), then one comment object per line."""
    header = {
        "licence": current_app.config["OPEN_DATA_LICENCE"],
        "licence_url": current_app.config["OPEN_DATA_LICENCE_URL"] or None,
        "source": licence_line(consultation),
        "consultation": consultation.slug,
        "data_dictionary": url_for("api.data_dictionary", _external=True),
    }
    lines = [json.dumps({"about": header}, ensure_ascii=False)]
    lines += [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in _records(consultation)]
    return _attachment("\n".join(lines) + "\n", consultation, "jsonl", "application/jsonl")


NOTES = [
    "The CSV starts with one line beginning '# ' that gives the licence and the source; skip it "
    "when reading (pandas: skiprows=1). The header row that follows names the fields below.",
    "The JSON Lines file starts with one object holding only the key 'about' (licence, source); "
    "every later line is one comment with the fields below.",
    "In the CSV, an empty cell is null, booleans are true and false, and a cell that a "
    "spreadsheet could run as a formula starts with an apostrophe ('); the JSON Lines keep the "
    "text exactly.",
    "Only published comments appear. Pending, hidden and withdrawn comments, redacted words, "
    "names, email addresses and the schools of students never do.",
]


def data_dictionary(document: dict[str, Any]) -> dict[str, Any]:
    """Each field of a comment, from the Comment schema in the OpenAPI document."""
    schema = document["components"]["schemas"]["Comment"]
    required = set(schema.get("required", []))
    described = []
    for name, field in schema["properties"].items():
        types = field.get("type", "string")
        types = types if isinstance(types, list) else [types]
        described.append(
            {
                "name": name,
                "type": next((t for t in types if t != "null"), "string"),
                "nullable": "null" in types or name not in required,
                "allowed_values": [v for v in field["enum"] if v is not None]
                if "enum" in field
                else None,
                "description": field.get("description", ""),
            }
        )
    return {
        "licence": current_app.config["OPEN_DATA_LICENCE"],
        "notes": NOTES,
        "fields": described,
    }
