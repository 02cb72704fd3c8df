"""Registering, signing in and out, session handling and where sign-in may send you."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from forum.models import OutboxEmail, User
from forum.services import registration
from tests.conftest import PASSWORD, user_with_role


def register(client, **overrides):
    data = {
        "email": "new.parent@example.org",
        "display_name": "New Parent",
        "password": "a long enough passphrase",
        "confirm": "a long enough passphrase",
    }
    data.update(overrides)
    return client.post("/register", data=data)


def users() -> list[User]:
    return list(db.session.scalars(select(User)))


def test_register_creates_a_participant_with_a_hashed_password(client, app):
    response = register(client)
    assert response.status_code == 302
    [user] = users()
    assert user.role == "participant"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough passphrase" not in user.password_hash
    assert not user.email_confirmed
    assert b"New Parent" not in client.get("/").data  # not signed in: a known address is not
    signed_in = client.post(
        "/login", data={"email": "new.parent@example.org", "password": "a long enough passphrase"}
    )
    assert signed_in.status_code == 302  # an unconfirmed account signs in


def _confirmation_link() -> str:
    [message] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "confirm_email")
    ).all()
    return re.search(r"http://localhost(/confirm-email/\S+)", message.body).group(1)


def test_following_the_emailed_link_confirms_the_address(client, app):
    register(client)
    link = _confirmation_link()
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/login")
    [user] = users()
    assert user.email_confirmed
    forged = client.get(link[:-3] + "abc")
    assert forged.status_code == 400 and b"no longer works" in forged.data


def test_an_expired_confirmation_link_is_refused(client, app, monkeypatch):
    register(client)
    link = _confirmation_link()
    monkeypatch.setattr(registration, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    assert client.get(link).status_code == 400
    assert not users()[0].email_confirmed


def test_an_unconfirmed_account_can_ask_for_the_link_again(client, app):
    register(client)
    client.post(
        "/login", data={"email": "new.parent@example.org", "password": "a long enough passphrase"}
    )
    page = client.get("/account/comments").get_data(as_text=True)
    assert "Confirm your email address" in page
    client.post("/account/confirm-email")
    links = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "confirm_email"))
    assert len(links.all()) == 2


def test_equal_passwords_give_different_hashes(client, app):
    register(client, email="a@example.org")
    client.post("/logout")
    register(client, email="b@example.org")
    first, second = users()
    assert first.password_hash != second.password_hash


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", b"at least 12 characters"),
        ("x" * 65, b"at most 64 characters"),
        ("qwerty123456", b"too common"),
        ("aaaaaaaaaaaaaaaa", b"too common"),
    ],
)
def test_weak_passwords_are_refused(client, app, password, message):
    response = register(client, password=password, confirm=password)
    assert response.status_code == 200
    assert message in response.data
    assert users() == []


@pytest.mark.parametrize(
    "password", ["correct horse battery", "пароль для школы 2026", "  spaces at both ends  "]
)
def test_spaces_and_unicode_are_accepted_without_composition_rules(client, app, password):
    assert register(client, password=password, confirm=password).status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"email": "new.parent@example.org", "password": password})
    assert response.status_code == 302


def test_registering_a_known_address_answers_as_for_a_new_one_and_tells_its_owner(client, app):
    first = register(client)
    again = register(client, email="New.Parent@Example.org", display_name="Someone Else")
    assert (again.status_code, again.headers["Location"]) == (
        first.status_code,
        first.headers["Location"],
    )
    assert len(users()) == 1 and users()[0].display_name == "New Parent"
    [warning] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "registration_attempt")
    ).all()
    assert warning.recipient == "new.parent@example.org"
    assert "/password-reset" in warning.body


def test_mismatched_confirmation_is_refused(client, app):
    response = register(client, confirm="something else entirely")
    assert b"The passwords differ." in response.data
    assert users() == []


def test_role_cannot_be_chosen_at_registration(client, app):
    register(client, role="admin")
    assert users()[0].role == "participant"


def test_wrong_password_is_refused_without_saying_which_part(client, participant, auth):
    response = auth.login(participant.email, "not the right password")
    assert b"do not match an account" in response.data
    unknown = auth.login("nobody@example.org", PASSWORD)
    assert b"do not match an account" in unknown.data


def test_login_issues_a_fresh_session(client, participant, auth):
    client.get("/login")
    before = client.get_cookie("session")
    auth.login(participant.email)
    after = client.get_cookie("session")
    assert after is not None
    assert before is None or before.value != after.value


def test_logout_ends_the_session_even_if_the_old_cookie_is_replayed(client, app, participant, auth):
    auth.login(participant.email)
    old_cookie = client.get_cookie("session").value
    assert client.get("/account/comments").status_code == 200
    auth.logout()
    assert client.get("/account/comments").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/account/comments").status_code == 302


def test_logout_needs_a_post(client, participant, auth):
    auth.login(participant.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/account/comments").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/consultations/x", "/consultations/x"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
    ],
)
def test_next_accepts_only_same_site_paths(client, participant, target, expected):
    response = client.post(
        "/login", data={"email": participant.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_staff_sessions_time_out_when_idle(client, app, auth):
    staff = user_with_role("staff")
    auth.login(staff.email)
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["STAFF_IDLE_TIMEOUT_S"] + 1
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/staff/").status_code == 302


def test_staff_sessions_end_after_the_absolute_limit_even_when_active(client, app, auth):
    staff = user_with_role("staff")
    auth.login(staff.email)
    with client.session_transaction() as session:
        session["auth_at"] -= app.config["STAFF_ABSOLUTE_TIMEOUT_S"] + 1
    assert client.get("/staff/").status_code == 302


def test_participant_sessions_have_no_staff_timeout(client, app, participant, auth):
    auth.login(participant.email)
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["STAFF_IDLE_TIMEOUT_S"] + 1
    assert client.get("/account/comments").status_code == 200


def test_session_cookie_flags(client, participant, auth):
    response = auth.login(participant.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
