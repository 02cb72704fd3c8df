"""With CSRF protection switched on, as in production: no state change without a valid token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from forum.models import Comment, User
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def app_overrides() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form_fields(client, consultation, text="With a token") -> dict[str, str]:
    page = client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    return {
        "csrf_token": csrf_token_from(page),
        "idempotency_key": key,
        "text": text,
        "author_name": "Ana",
        "stakeholder_role": "parent",
        "declared_position": "support",
        "preferred_language": "en",
    }


def test_comment_with_a_valid_token_is_stored(client, consultation):
    response = client.post(
        f"/consultations/{consultation.slug}/comments", data=form_fields(client, consultation)
    )
    assert response.status_code == 303
    assert count(Comment) == 1


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_comment_without_a_valid_token_gets_400_keeps_the_text_and_stores_nothing(
    client, consultation, token
):
    data = form_fields(client, consultation, text="Typed with care")
    if token is None:
        del data["csrf_token"]
    else:
        data["csrf_token"] = token
    response = client.post(f"/consultations/{consultation.slug}/comments", data=data)
    assert response.status_code == 400
    assert b"Typed with care" in response.data
    assert b"Your form expired before it was sent." in response.data
    assert count(Comment) == 0


def test_token_from_another_session_is_refused(app, client, consultation):
    data = form_fields(client, consultation)
    stranger = app.test_client()
    response = stranger.post(f"/consultations/{consultation.slug}/comments", data=data)
    assert response.status_code == 400
    assert count(Comment) == 0


def test_registration_login_and_logout_need_a_token(client, app, participant):
    response = client.post(
        "/register",
        data={
            "email": "x@example.org",
            "display_name": "X",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert count(User) == 1  # only the participant fixture
    login = client.post("/login", data={"email": participant.email, "password": PASSWORD})
    assert login.status_code == 400
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login", data={"email": participant.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/account/comments").status_code == 200  # still signed in


def test_withdraw_needs_a_token(client, consultation):
    receipt = client.post(
        f"/consultations/{consultation.slug}/comments", data=form_fields(client, consultation)
    ).headers["Location"]
    assert client.post(receipt + "/withdraw").status_code == 400
    assert db.session.scalar(select(Comment)).status == "published"
    token = csrf_token_from(client.get(receipt).get_data(as_text=True))
    assert client.post(receipt + "/withdraw", data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(Comment)).status == "withdrawn"
