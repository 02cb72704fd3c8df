"""Password reset through HTTP and the outbox: one link, one use, one hour, no enumeration."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from forum.models import OutboxEmail, PasswordReset
from forum.timeutil import now_utc
from tests.conftest import PASSWORD, user_with_role

NEW_PASSWORD = "a brand new phrase for the garden gate"
LINK = re.compile(r"http://localhost(/password-reset/[\w-]+)")


def ask(client, email: str):
    return client.post("/password-reset", data={"email": email})


def link_in_latest_email() -> str:
    message = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "password_reset").order_by(OutboxEmail.id)
    ).all()[-1]
    return LINK.search(message.body).group(1)


def choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def test_a_known_and_an_unknown_address_get_the_same_answer(client, participant):
    known = ask(client, participant.email)
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda page, email: page.get_data(as_text=True).replace(email, "EMAIL")  # noqa: E731
    assert strip(known, participant.email) == strip(unknown, "nobody@example.org")
    mail = db.session.scalars(select(OutboxEmail)).all()
    assert [m.recipient for m in mail] == [participant.email]
    assert "within 60 minutes" in mail[0].body and mail[0].html_body
    token = LINK.search(mail[0].body).group(1).rsplit("/", 1)[1]
    [reset] = db.session.scalars(select(PasswordReset)).all()
    assert token not in reset.token_hash  # only a hash is kept


def test_the_link_sets_a_new_password_once_and_signs_out_every_session(app, participant):
    elsewhere = app.test_client()  # the account is signed in on another device
    elsewhere.post("/login", data={"email": participant.email, "password": PASSWORD})
    assert elsewhere.get("/account/comments").status_code == 200
    client = app.test_client()
    ask(client, participant.email)
    path = link_in_latest_email()
    assert client.get(path).status_code == 200
    changed = choose(client, path)
    assert changed.status_code == 303 and changed.headers["Location"].endswith("/login")
    assert elsewhere.get("/account/comments").status_code == 302  # signed out there too
    assert (
        client.post("/login", data={"email": participant.email, "password": PASSWORD}).status_code
        == 200
    )  # the old password no longer works
    signed_in = client.post("/login", data={"email": participant.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    reused = app.test_client().get(path)
    assert reused.status_code == 400 and "no longer works" in reused.get_data(as_text=True)
    assert choose(app.test_client(), path, "yet another phrase for the gate").status_code == 400


def test_an_expired_link_is_refused(client, participant):
    ask(client, participant.email)
    path = link_in_latest_email()
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 400
    assert choose(client, path).status_code == 400
    db.session.refresh(participant)
    assert (
        client.post("/login", data={"email": participant.email, "password": PASSWORD}).status_code
        == 302
    )  # the password is unchanged


def test_a_weak_or_mismatched_new_password_is_refused_and_the_link_still_works(client, participant):
    ask(client, participant.email)
    path = link_in_latest_email()
    weak = choose(client, path, "password")
    assert weak.status_code == 200 and "at least 12 characters" in weak.get_data(as_text=True)
    differ = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "The passwords differ." in differ.get_data(as_text=True)
    assert choose(client, path).status_code == 303


def test_a_newer_link_does_not_revive_after_any_reset(client, participant):
    ask(client, participant.email)
    first = link_in_latest_email()
    ask(client, participant.email)
    second = link_in_latest_email()
    assert choose(client, second).status_code == 303
    assert client.get(first).status_code == 400  # spent with the account's other links


def test_the_email_is_written_in_the_accounts_language(client, app):
    user = user_with_role("participant")
    user.preferred_locale = "es"
    db.session.commit()
    ask(client, user.email)
    message = db.session.scalar(select(OutboxEmail))
    assert message.subject == "Restablezca su contraseña de Sounding Board"


class TestLimits:
    @pytest.fixture
    def app_overrides(self):
        return {"RATELIMIT_ENABLED": True, "RATE_LIMIT_RESET_EMAIL": "2 per hour"}

    def test_one_inbox_cannot_be_flooded(self, client, participant):
        statuses = [ask(client, participant.email).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        sent = db.session.scalar(select(func.count()).select_from(OutboxEmail))
        assert sent == 2
