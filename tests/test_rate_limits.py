"""Rate limits (Flask-Limiter) on signing in, registering, commenting and flagging: 429, for a while."""

from __future__ import annotations

import pytest

from extensions import db
from tests import factories
from tests.conftest import PASSWORD
from tests.forum.test_comments import comment_form

LIMIT = "3 per minute"


@pytest.fixture
def app_overrides():
    return {
        "RATELIMIT_ENABLED": True,
        "RATE_LIMIT_LOGIN": LIMIT,
        "RATE_LIMIT_LOGIN_ACCOUNT": LIMIT,
        "RATE_LIMIT_REGISTER": LIMIT,
        "RATE_LIMIT_COMMENT": LIMIT,
        "RATE_LIMIT_FLAG": LIMIT,
    }


def from_ip(address: str) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_login_is_limited_per_address(client):
    statuses = [
        client.post("/login", data={"email": f"p{i}@example.org", "password": "wrong"}, **from_ip("10.0.0.1")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    assert "Too many attempts" in client.post("/login", data={}, **from_ip("10.0.0.1")).get_data(as_text=True)  # fmt: skip
    # Another address is not affected.
    assert client.post("/login", data={"email": "x@example.org", "password": "w"}, **from_ip("10.0.0.2")).status_code == 200  # fmt: skip


def test_login_is_limited_per_account_across_addresses(client, participant):
    statuses = [
        client.post("/login", data={"email": participant.email, "password": "not it"}, **from_ip(f"10.1.0.{i}")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert statuses == [200, 200, 200, 429]
    # Even the right password waits until the window passes, in a browser that has not signed
    # in to the account before: guessing gains nothing.
    right = client.post("/login", data={"email": participant.email, "password": PASSWORD}, **from_ip("10.1.0.9"))  # fmt: skip
    assert right.status_code == 429


def test_registration_is_limited(client):
    statuses = [
        client.post("/register", data={"email": f"new{i}@example.org"}, **from_ip("10.2.0.1")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert statuses[3] == 429


def test_commenting_is_limited_per_address_for_guests_and_per_account(
    client, auth, consultation, participant
):
    url = f"/consultations/{consultation.slug}/comments"
    guest = [
        client.post(url, data=comment_form(idempotency_key=f"guest-key-{i:08d}"), **from_ip("10.3.0.1")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert guest == [303, 303, 303, 429]
    auth.login(participant.email)
    signed_in = [
        client.post(url, data=comment_form(idempotency_key=f"acct-key-{i:08d}"), **from_ip(f"10.4.0.{i}")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert signed_in == [303, 303, 303, 429]  # a new address does not reset an account's limit


def test_flagging_is_limited_per_account(client, auth, participant):
    comment = factories.CommentFactory()
    db.session.commit()
    auth.login(participant.email)
    statuses = [
        client.post(f"/comments/{comment.id}/flag", data={}, **from_ip(f"10.5.0.{i}")).status_code
        for i in range(4)
    ]  # fmt: skip
    assert 429 not in statuses[:3] and statuses[3] == 429
