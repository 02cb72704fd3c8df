"""My account through HTTP: name, email (confirmed again), password, and my data as JSON."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from extensions import db
from forum.models import OutboxEmail
from tests import factories
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new phrase for the garden gate"


def test_the_account_page_is_for_the_signed_in_owner(client, participant, auth):
    assert client.get("/account").status_code == 302  # to sign in
    auth.login(participant.email)
    page = client.get("/account").get_data(as_text=True)
    assert participant.email in page and "Download my data" in page


def test_changing_the_display_name_keeps_earlier_comments_as_sent(client, participant, auth):
    comment = factories.CommentFactory(author=participant, author_name=participant.display_name)
    db.session.commit()
    old_name = participant.display_name
    auth.login(participant.email)
    assert client.post("/account/name", data={"display_name": "Dana R."}).status_code == 303
    db.session.refresh(participant)
    db.session.refresh(comment)
    assert (participant.display_name, comment.author_name) == ("Dana R.", old_name)
    blank = client.post("/account/name", data={"display_name": "   "})
    assert blank.status_code == 400 and "Choose a display name." in blank.get_data(as_text=True)


def _change_email(client, email: str, password: str = PASSWORD):
    return client.post(
        "/account/email",
        data={"new-email-email": email, "new-email-current_password": password},
    )


def test_a_new_email_takes_effect_only_when_its_link_is_followed(client, participant, auth):
    old_email = participant.email
    auth.login(old_email)
    wrong = _change_email(client, "dana@new.example", "not my password")
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert _change_email(client, "dana@new.example").status_code == 303
    db.session.refresh(participant)
    assert participant.email == old_email  # not yet
    [message] = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "confirm_email")
    ).all()
    assert message.recipient == "dana@new.example"
    link = re.search(r"http://localhost(/confirm-email/\S+)", message.body).group(1)
    assert client.get(link).status_code == 302
    db.session.refresh(participant)
    assert participant.email == "dana@new.example" and participant.email_confirmed
    assert client.get(link).status_code == 400  # the old address is gone: the link is spent


def test_an_address_in_use_gets_the_same_answer_and_its_owner_is_told(client, participant, auth):
    other = factories.UserFactory(email="taken@example.org")
    db.session.commit()
    auth.login(participant.email)
    assert _change_email(client, "taken@example.org").status_code == 303
    [message] = db.session.scalars(select(OutboxEmail)).all()
    assert (message.kind, message.recipient) == ("registration_attempt", other.email)


def test_a_new_password_needs_the_current_one_and_ends_other_sessions(app, participant):
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": participant.email, "password": PASSWORD})
    client = app.test_client()
    client.post("/login", data={"email": participant.email, "password": PASSWORD})
    fields = {"new-password-password": NEW_PASSWORD, "new-password-confirm": NEW_PASSWORD}
    wrong = client.post(
        "/account/password", data={**fields, "new-password-current_password": "nope nope nope"}
    )
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    changed = client.post(
        "/account/password", data={**fields, "new-password-current_password": PASSWORD}
    )
    assert changed.status_code == 303
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account").status_code == 302  # every other session ended
    assert (
        app.test_client()
        .post("/login", data={"email": participant.email, "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_my_data_holds_my_account_and_comments_and_no_one_elses(client, participant, auth):
    mine = factories.CommentFactory(author=participant, submitted_text="Counselors, please.")
    factories.CommentFactory(submitted_text="Someone else's words.")
    db.session.commit()
    auth.login(participant.email)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == participant.email
    assert [c["text"] for c in data["comments"]] == [mine.submitted_text]
    assert data["survey_responses"] == [] and data["flags"] == []


def test_closing_an_account_keeps_its_comments_and_forgets_its_email(client, participant, auth):
    comment = factories.CommentFactory(author=participant, author_name="Dana")
    db.session.commit()
    email = participant.email
    auth.login(email)
    wrong = client.post("/account/close", data={"close-password": "not my password"})
    assert wrong.status_code == 400
    page = client.get("/account").get_data(as_text=True)
    assert "<title>My account · Sounding Board</title>" in page
    assert page.index("What stays") > page.index("</title>")
    assert client.post("/account/close", data={"close-password": PASSWORD}).status_code == 303
    db.session.refresh(participant)
    db.session.refresh(comment)
    assert participant.closed_at is not None and email not in participant.email
    assert (comment.status, comment.author_name, comment.author_id) == (
        "published",
        "Dana",
        participant.id,
    )
    assert client.get("/account").status_code == 302  # signed out
    refused = client.post("/login", data={"email": email, "password": PASSWORD})
    assert refused.status_code == 200  # nobody can sign in to it again
