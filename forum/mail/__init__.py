"""Email through a durable outbox: written in the same transaction as its cause, then delivered.

`queue_email` renders a message from its templates (templates/mail/<name>.subject.txt, .txt and
.html, translated into the recipient's language) into the outbox. After a request that queued
mail the message is delivered at once; the every-minute sweep retries whatever did not leave.
How mail leaves is MAIL_BACKEND's choice (`forum.mail.senders`).
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, render_template
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from forum.mail.senders import sender_class
from forum.models import OutboxEmail


def init_app(app: Flask) -> None:
    """Check MAIL_BACKEND at start-up, deliver after requests that queued mail, join the sweep."""
    from forum.mail import delivery

    sender_class(app.config["MAIL_BACKEND"])  # a misspelt backend stops the start, clearly

    @app.after_request
    def send_queued_mail(response):
        # Threat notifications leave at once, without waiting for any job queue.
        if g.pop("outbox_has_mail", False) and response.status_code < 400:
            try:
                delivery.deliver_pending()
            except Exception:  # a mail failure must not turn a stored comment into an error page
                app.logger.exception("delivering queued mail failed; the sweep will retry")
        return response


def render_email(
    template: str, locale: str | None = None, **context: object
) -> tuple[str, str, str]:
    """(subject, text, HTML) of `template` in `locale` (the district's default if None)."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        context["mail_locale"] = str(get_locale())
        subject = render_template(f"mail/{template}.subject.txt", **context)
        body = render_template(f"mail/{template}.txt", **context)
        html_body = render_template(f"mail/{template}.html", **context)
    return " ".join(subject.split())[:300], body, html_body


def queue_email(
    recipient: str,
    template: str,
    *,
    kind: str,
    locale: str | None = None,
    at_once: bool = True,
    unsubscribe_url: str | None = None,
    dedupe_key: str | None = None,
    **context: object,
) -> OutboxEmail | None:
    """Render `template` in `locale` (the district's default if None) into the outbox.

    The message is sent after the surrounding transaction commits: at the end of the request
    when `at_once` (threat notifications must not wait), else by the caller's `deliver_soon`
    or the every-minute sweep. A notification names its `unsubscribe_url` (shown in the message
    and sent as RFC 8058 headers) and a `dedupe_key`: a key already in the outbox queues nothing
    and returns None, so each notification leaves once however often its cause is seen.
    """
    if dedupe_key is not None and db.session.scalar(
        select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)
    ):
        return None
    subject, body, html_body = render_email(
        template, locale, unsubscribe_url=unsubscribe_url, **context
    )
    message = OutboxEmail(
        recipient=recipient,
        subject=subject,
        body=body,
        html_body=html_body,
        kind=kind,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        db.session.add(message)
    else:
        try:  # another worker may queue the same notification at the same moment
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
    if at_once and has_request_context():
        g.outbox_has_mail = True
    return message
