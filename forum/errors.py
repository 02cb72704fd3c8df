"""Error pages: a clear message and status for every failure, no traceback in production."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from extensions import COMMITTED, READS_ONLY, database_busy, db

logger = logging.getLogger(__name__)


def error_page(status: int, title: str, message: str, **extra: object):
    return render_template(
        "errors/error.html", status=status, title=title, message=message, **extra
    ), status


def busy_page():
    """Nothing was saved: say so, and give back the comment or answers with the same form key,
    so that sending again is safe (a double click still stores one)."""
    if request.environ.get(COMMITTED):
        # Busy only after the commit (a rare late read or mail): it is saved, and sending it
        # again would give its receipt; say so rather than "not saved".
        return error_page(
            503,
            _("The site is busy"),
            _(
                "What you sent was saved, but the page could not be shown. Wait a few seconds "
                "and reload; sending the same form again shows its receipt."
            ),
        )
    if request.endpoint == "public.post_comment":
        return _comment_form_again(
            _(
                "The site is busy and your comment was not saved. Your text is below: "
                "wait a few seconds and send it again."
            ),
            503,
        )
    if request.endpoint == "surveys.respond":
        return _survey_form_again(
            _(
                "The site is busy and your answers were not saved. They are below: "
                "wait a few seconds and send them again."
            ),
            503,
        )
    return error_page(
        503,
        _("The site is busy"),
        _("Nothing you sent was saved. Wait a few seconds and try again."),
    )


def _comment_form_again(message: str, status: int):
    """Keep what the person typed: re-show the comment form with a note; nothing was stored."""
    from forum.views.public import build_comment_form, render_consultation, visible_consultation

    consultation = visible_consultation((request.view_args or {})["slug"])
    form = build_comment_form(consultation, formdata=request.form)
    form.form_errors.append(message)
    return render_consultation(consultation, form, status=status)


def _survey_form_again(message: str, status: int):
    """Keep what the person chose: re-show the survey with their answers; nothing was stored."""
    from forum.views.surveys.answering import answer_form, public_survey, render_survey

    args = request.view_args or {}
    survey = public_survey(args["slug"], args["survey_id"])
    form = answer_form(survey, formdata=request.form)
    form.form_errors.append(message)
    return render_survey(survey, form, answers=form.answers(), status=status)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if request.endpoint == "public.post_comment":
            return _comment_form_again(
                _(
                    "Your form expired before it was sent. Your text is below; check it and send again."
                ),
                400,
            )
        return error_page(
            400,
            _("The form expired"),
            _(
                "This form was open too long or came from elsewhere. Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page template.
        return Response(
            _("This site does not answer to that host name."), status=400, mimetype="text/plain"
        )

    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError):
        if not database_busy(error):
            return server_error(error)
        logger.warning("database busy: answered %s %s with 503", request.method, request.path)
        db.session.rollback()
        request.environ[READS_ONLY] = True  # the page below only reads: it never waits
        response = app.make_response(busy_page())
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        return error_page(
            413,
            _("Too much data"),
            _("What you sent is larger than this site accepts."),
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        if request.endpoint == "public.post_comment":
            # Refused before the view ran: nothing was stored. Give the text back, not a bare page.
            return _comment_form_again(
                _(
                    "You have sent several comments in a short time, so this one was not saved. "
                    "Your text is below: wait a few minutes and send it again."
                ),
                429,
            )
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
