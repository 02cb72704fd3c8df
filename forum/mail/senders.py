"""Ways to send a batch of claimed messages, chosen by MAIL_BACKEND (as PyPI's warehouse does).

"smtp" delivers through MAIL_SERVER over one connection per batch, "console" writes each message
to the log, and "outbox" (development and tests) sends nothing: the outbox table is the mailbox.
A deployment can name its own class as "package.module:ClassName".
"""

from __future__ import annotations

import importlib
import logging
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """A claimed outbox message, detached from the database while it is sent."""

    id: int
    recipient: str
    subject: str
    body: str
    html_body: str | None = None
    unsubscribe_url: str | None = None


class Sender(Protocol):
    def __init__(self, config: Mapping[str, Any]) -> None: ...

    def send(self, letters: Sequence[Letter]) -> dict[int, str | None]:
        """Send each letter; return, by id, why it failed (None when it left)."""
        ...


class OutboxSender:
    """Nothing leaves: the outbox table is the mailbox (development and tests)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        pass

    def send(self, letters: Sequence[Letter]) -> dict[int, str | None]:
        return {letter.id: None for letter in letters}


class ConsoleSender:
    """Each message goes to the log, for a deployment that has no mail server yet."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        pass

    def send(self, letters: Sequence[Letter]) -> dict[int, str | None]:
        for letter in letters:
            logger.warning("email to %s: %s\n%s", letter.recipient, letter.subject, letter.body)
        return {letter.id: None for letter in letters}


class SMTPSender:
    """Delivers through MAIL_SERVER, one connection for the whole batch."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.server, self.port = config["MAIL_SERVER"], config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.username, self.password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]
        self.sender = config["MAIL_FROM"]

    def message(self, letter: Letter) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = letter.recipient
        email["Subject"] = letter.subject
        if letter.unsubscribe_url:  # RFC 8058: mail programs offer a one-click unsubscribe
            email["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(letter.body)
        if letter.html_body:
            email.add_alternative(letter.html_body, subtype="html")
        return email

    def send(self, letters: Sequence[Letter]) -> dict[int, str | None]:
        outcome: dict[int, str | None] = {}
        try:
            with smtplib.SMTP(self.server, self.port, timeout=10) as smtp:
                if self.use_tls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                for letter in letters:
                    try:
                        smtp.send_message(self.message(letter))
                        outcome[letter.id] = None
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                        outcome[letter.id] = _failure(letter, error)  # this one; go on
        except (OSError, smtplib.SMTPException) as error:  # the connection: the rest wait
            for letter in letters:
                outcome.setdefault(letter.id, _failure(letter, error))
        return outcome


def _failure(letter: Letter, error: Exception) -> str:
    logger.warning("could not send email %s to %s: %s", letter.id, letter.recipient, error)
    return str(error)[:500] or error.__class__.__name__


SENDERS: dict[str, type[Sender]] = {
    "outbox": OutboxSender,
    "console": ConsoleSender,
    "smtp": SMTPSender,
}


def sender_class(backend: str) -> type[Sender]:
    """The class MAIL_BACKEND names: a short name above, or "package.module:ClassName"."""
    if backend in SENDERS:
        return SENDERS[backend]
    module_name, _, class_name = backend.partition(":")
    try:
        found: type[Sender] = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        raise RuntimeError(
            f"MAIL_BACKEND={backend!r} names no email sender: use one of "
            f"{', '.join(sorted(SENDERS))}, or package.module:ClassName"
        ) from None
    return found
