"""Jinja filters and globals: dates in district time, labels for codes, safe comment text."""

from __future__ import annotations

import base64
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from forum.choices import (
    ACTOR_GROUP_LABELS,
    CHANNEL_LABELS,
    LANGUAGES,
    POSITION_LABELS,
    ROLE_LABELS,
    STANCE_LABELS,
    STATUS_LABELS,
    TONE_LABELS,
)
from forum.public_comments import public_comment
from forum.sanitize import excerpt, isolate_html, render_comment
from forum.surveys import answer_text
from forum.timeutil import to_local


def local_datetime(value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    local = to_local(value)
    return format_datetime(local.replace(tzinfo=None), style) + " " + local.strftime("%Z")


def local_date(value: date | datetime | None, style: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, style)


def language_name(code: str | None) -> str:
    """A detected language's name in the reader's language ("Spanish", "español")."""
    if code is None:
        return _("not detected yet")
    if code == "und":
        return _("could not tell (too short or mixed)")
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def content_lang() -> Markup:
    """` lang="en"` for the district's own text (plans, surveys) when the interface is in another
    language (WCAG 3.1.2), so a screen reader voices it in the right language; else nothing."""
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    language = (
        current_app.config.get("CONTENT_LANGUAGE") or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    if locale.language == Locale.parse(language).language:
        return Markup("")
    return Markup(' lang="{}"').format(language.replace("_", "-"))


def iso(value: datetime | None) -> str:
    return to_local(value).isoformat() if value else ""


def _label(mapping: dict, value: str | None) -> str:
    if value is None:
        return ""
    return str(mapping.get(value, value))


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        iso=iso,
        comment_html=render_comment,
        public_comment=public_comment,  # what the public may see of a comment, or None
        bdi=isolate_html,  # names and short texts people write: <bdi>, see forum.sanitize
        excerpt=excerpt,
        role_label=lambda v: _label(ROLE_LABELS, v),
        position_label=lambda v: _label(POSITION_LABELS, v) if v else "",
        channel_label=lambda v: _label(CHANNEL_LABELS, v),
        status_label=lambda v: _label(STATUS_LABELS, v),
        stance_label=lambda v: _label(STANCE_LABELS, v),
        tone_label=lambda v: _label(TONE_LABELS, v),
        actor_group=lambda v: _label(ACTOR_GROUP_LABELS, v),
        language_label=lambda v: _label(LANGUAGES, v),
        language_name=language_name,
        number=format_decimal,
        survey_answer=lambda a: answer_text(a.question, a.value),
        b64=lambda v: base64.b64encode(v.encode("utf-8")).decode("ascii"),
    )
    app.jinja_env.globals.update(content_lang=content_lang)

    @app.context_processor
    def inject() -> dict:
        locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "locale_code": str(locale),
            "current_locale": str(locale).replace("_", "-"),
            "text_direction": locale.text_direction,
            "supported_languages": current_app.config["LANGUAGES"],
            "comment_max_chars": current_app.config["COMMENT_MAX_CHARS"],
        }
