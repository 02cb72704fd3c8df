"""Error pages: a clear message and status for every failure, no traceback in production."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


def error_page(status: int, title: str, message: str, **extra: object):
    return render_template(
        "errors/error.html", status=status, title=title, message=message, **extra
    ), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if request.endpoint == "public.post_comment":
            # Keep what the person typed: re-show the form with a note, store nothing.
            from forum.views.public import (
                _visible_consultation,
                build_comment_form,
                render_consultation,
            )

            consultation = _visible_consultation((request.view_args or {})["slug"])
            form = build_comment_form(consultation, formdata=request.form)
            form.form_errors.append(
                _(
                    "Your form expired before it was sent. Your text is below; check it and send again."
                )
            )
            return render_consultation(consultation, form, status=400)
        return error_page(
            400,
            _("The form expired"),
            _(
                "This form was open too long or came from elsewhere. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        return error_page(
            413,
            _("Too much data"),
            _("What you sent is larger than this site accepts."),
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        return error_page(
            429,
            _("Too many attempts"),
            _("You have sent too many requests in a short time. Wait a few minutes and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("You do not have permission to see this page.")),
            404: (_("Page not found"), _("There is no page at this address.")),
            405: (
                _("Not allowed"),
                _("This address does not accept that kind of request."),
            ),
        }
        title, message = messages.get(error.code or 500, (error.name, error.description or ""))
        return error_page(error.code or 500, title, message)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        error_id = g.get("request_id") or uuid.uuid4().hex
        logger.error("unhandled error %s", error_id, exc_info=error)
        if app.debug or app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return error_page(
            500,
            _("Something went wrong"),
            _(
                "The error has been logged. If it keeps happening, tell the district and quote this error id."
            ),
            error_id=error_id,
        )
