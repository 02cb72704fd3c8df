"""Account administration through HTTP: finding, inviting, roles, blocks, and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from forum.models import OutboxEmail, PasswordReset, User
from forum.timeutil import now_utc
from moderation.admin_users import PAGE_SIZE
from moderation.models import AuditEntry
from tests import factories
from tests.conftest import PASSWORD, csrf_token_from, user_with_role
from tests.moderation.conftest import audit_rows

NEW_PASSWORD = "a long walk to the district office"
LINK = re.compile(r"http://localhost(/invitations/[\w-]+)")


class Browser:
    """Another person's browser. Each request runs in an app context of its own, as real requests
    do: in the test's context they would share flask.g, and with it the signed-in user."""

    def __init__(self, app, user: User | None = None) -> None:
        self.app = app
        self.client = app.test_client()
        if user is not None:
            signed_in = self.post("/login", data={"email": user.email, "password": PASSWORD})
            assert signed_in.status_code == 302

    def open(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            response = self.client.open(url, method=method, **kwargs)
            db.session.remove()
        db.session.rollback()  # the test's session now reads what that request committed
        return response

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def signed_in(self) -> bool:
        return self.get("/account/comments").status_code == 200


@pytest.fixture
def admin(app):
    return user_with_role("admin", email="admin@district.example")


@pytest.fixture
def as_admin(auth, admin):
    auth.login(admin.email)
    return admin


def counts() -> dict[str, int]:
    """How many rows each table an account change touches holds: a refusal leaves them as they were."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, AuditEntry, OutboxEmail, PasswordReset)
    }


def audited(row: AuditEntry) -> tuple:
    """Who did what to which account, and the state before and after."""
    assert row.target_type == "user"
    return (
        row.action,
        row.actor_id,
        row.actor_role,
        row.target_id,
        row.previous_state,
        row.new_state,
    )


def invite(client, **fields: str):
    data = {
        "email": "New.Moderator@District.example",
        "display_name": "Nia Moderator",
        "role": "moderator",
        "note": "Joins the moderation rota in March",
        **fields,
    }
    return client.post("/admin/users/invite", data=data)


def invitation_path() -> str:
    [message] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "invitation"))
    return LINK.search(message.body).group(1)


def page_text(response) -> str:
    return response.get_data(as_text=True)


# Who gets in


@pytest.mark.parametrize("role", ["participant", "moderator", "staff", "threat_assessor"])
def test_only_administrators_reach_account_administration(app, admin, role):
    other = user_with_role(role)
    before = counts()
    browser = Browser(app, other)
    assert browser.get("/admin/users").status_code == 403
    assert browser.get(f"/admin/users/{admin.id}").status_code == 403
    assert invite(browser).status_code == 403
    assert browser.post(f"/admin/users/{admin.id}/role", data={"role": "participant", "note": "x"}).status_code == 403  # fmt: skip
    assert 'href="/admin/users"' not in page_text(browser.get("/"))
    assert counts() == before


def test_guests_are_sent_to_sign_in(app, admin):
    response = Browser(app).get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_administrators_see_the_link_and_the_list(client, as_admin):
    assert 'href="/admin/users"' in page_text(client.get("/"))
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "<caption>" in page_text(page) and 'scope="col"' in page_text(page)


# Finding accounts


def test_search_by_email_or_display_name_and_filter_by_role(client, as_admin):
    factories.UserFactory(email="ana.ruiz@district.example", display_name="Ana Ruiz", role="staff")
    factories.UserFactory(email="ben@example.org", display_name="Ben Okafor")
    factories.UserFactory(email="cleo@example.org", display_name="Cleo 100% parent")
    db.session.commit()

    def names(**query) -> set[str]:
        response = client.get("/admin/users", query_string=query)
        assert response.status_code == 200
        return set(re.findall(r'<th scope="row"><a href="/admin/users/\d+"><bdi>([^<]+)</bdi>', page_text(response)))  # fmt: skip

    assert names(q="ruiz") == {"Ana Ruiz"}
    assert names(q="BEN@EXAMPLE") == {"Ben Okafor"}
    assert names(q="%") == {"Cleo 100% parent"}  # a wildcard is searched for, not obeyed
    assert names(role="staff") == {"Ana Ruiz"}
    assert names(q="example.org", role="participant") == {"Ben Okafor", "Cleo 100% parent"}
    assert names(q="nobody") == set()
    assert "Ana Ruiz" in names(role="no-such-role")  # a hand-edited filter is ignored


def test_accounts_come_in_pages_that_keep_the_filters(client, as_admin):
    factories.UserFactory.create_batch(PAGE_SIZE + 3, role="staff")
    db.session.commit()
    first = page_text(client.get("/admin/users", query_string={"role": "staff"}))
    assert first.count('<th scope="row">') == PAGE_SIZE
    assert "Page 1 of 2" in first
    assert 'href="/admin/users?page=2&amp;role=staff"' in first
    second = page_text(client.get("/admin/users", query_string={"role": "staff", "page": 2}))
    assert second.count('<th scope="row">') == 3


# Invitations


def test_an_invitation_stores_the_account_and_emails_a_link_that_sets_the_password_once(
    app, client, as_admin
):
    response = invite(client)
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "new.moderator@district.example"))
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert (user.display_name, user.role) == ("Nia Moderator", "moderator")
    [message] = db.session.scalars(select(OutboxEmail)).all()
    assert (message.recipient, message.kind) == (user.email, "invitation")
    assert "within 7 days" in message.body and "Moderator" in message.body
    path = invitation_path()
    assert path in message.html_body
    [link] = db.session.scalars(select(PasswordReset)).all()
    assert path.rsplit("/", 1)[1] not in link.token_hash  # only a hash is kept
    assert timedelta(days=6, hours=23) < link.expires_at - now_utc() <= timedelta(days=7)
    [row] = audit_rows()
    assert audited(row) == ("invite_user", as_admin.id, "admin", user.id, "none", "moderator")
    assert row.note == "Joins the moderation rota in March"

    invitee = Browser(app)
    # No password works before the invitee chooses one.
    assert invitee.post("/login", data={"email": user.email, "password": ""}).status_code == 200
    assert invitee.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200  # fmt: skip
    form = invitee.get(path)
    assert form.status_code == 200
    assert "Choose a password for your new account" in page_text(form)
    assert "no-store" in form.headers["Cache-Control"]
    chosen = invitee.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/login")
    assert not invitee.signed_in()  # setting the password signs nobody in
    assert "Your password is set" in page_text(invitee.get("/login"))
    assert invitee.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302  # fmt: skip
    assert invitee.signed_in()
    db.session.refresh(user)
    assert user.email_confirmed_at is not None

    again = Browser(app).post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert again.status_code == 400
    assert "This invitation link no longer works" in page_text(again)
    assert Browser(app).post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200  # fmt: skip


def test_an_expired_invitation_is_refused(app, client, as_admin):
    invite(client)
    path = invitation_path()
    link = db.session.scalar(select(PasswordReset))
    link.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    invitee = Browser(app)
    assert invitee.get(path).status_code == 400
    refused = invitee.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 400
    assert "password-reset link" in page_text(refused)
    user = db.session.scalar(select(User).where(User.role == "moderator"))
    assert user.password_hash.startswith("!")


def test_a_weak_password_is_refused_on_its_field_and_the_link_still_works(app, client, as_admin):
    invite(client)
    path = invitation_path()
    invitee = Browser(app)
    weak = invitee.post(path, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400
    assert 'id="password-error"' in page_text(weak)
    assert invitee.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303  # fmt: skip


def test_inviting_an_email_that_has_an_account_is_refused_on_the_field(client, as_admin):
    participant = user_with_role("participant", email="parent@example.org")
    before = counts()
    response = invite(client, email="Parent@Example.org")
    assert response.status_code == 400
    text = page_text(response)
    assert 'id="email-error"' in text
    assert "An account with this email already exists." in text
    assert counts() == before
    db.session.refresh(participant)
    assert participant.role == "participant"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "admin"}, "Not a valid choice"),
        ({"role": "participant"}, "Not a valid choice"),
        ({"note": "   "}, "Say why, for the record."),
        ({"email": "not-an-address"}, "Invalid email address."),
        ({"display_name": ""}, "Give a display name."),
    ],
)
def test_an_invitation_needs_a_staff_role_a_reason_and_an_address(
    client, as_admin, fields, message
):
    before = counts()
    response = invite(client, **fields)
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


# Roles


def role_change(client, user, role: str, note: str = "Moved to the communications office"):
    return client.post(f"/admin/users/{user.id}/role", data={"role": role, "note": note})


def test_a_role_change_is_audited_and_signs_the_account_out(app, client, as_admin):
    member = user_with_role("participant")
    elsewhere = Browser(app, member)
    assert elsewhere.signed_in()
    response = role_change(client, member, "staff")
    assert response.status_code == 303
    db.session.refresh(member)
    assert member.role == "staff"
    [row] = audit_rows()
    assert audited(row) == ("change_role", as_admin.id, "admin", member.id, "participant", "staff")
    assert row.note == "Moved to the communications office"
    assert not elsewhere.signed_in()
    page = page_text(client.get(f"/admin/users/{member.id}"))
    assert "Moved to the communications office" in page and "change_role" in page


def test_a_role_change_needs_a_reason_and_a_different_role(app, client, as_admin):
    member = user_with_role("participant")
    elsewhere = Browser(app, member)
    before = counts()
    missing = role_change(client, member, "staff", note="")
    assert missing.status_code == 400
    assert 'id="role-note-error"' in page_text(missing)
    same = role_change(client, member, "participant")
    assert same.status_code == 400
    assert "already has this role" in page_text(same)
    assert role_change(client, member, "superuser").status_code == 400
    assert counts() == before
    db.session.refresh(member)
    assert member.role == "participant"
    assert elsewhere.signed_in()


# Blocks


def test_block_and_unblock_are_audited(client, as_admin):
    member = user_with_role("staff")
    blocked = client.post(f"/admin/users/{member.id}/block", data={"days": "14", "note": "Posted a student's address"})  # fmt: skip
    assert blocked.status_code == 303
    db.session.refresh(member)
    assert member.is_blocked
    assert timedelta(days=13, hours=23) < member.blocked_until - now_utc() <= timedelta(days=14)
    unblocked = client.post(f"/admin/users/{member.id}/unblock", data={"note": "Appeal granted"})
    assert unblocked.status_code == 303
    db.session.refresh(member)
    assert member.blocked_until is None
    block_row, unblock_row = audit_rows()
    until = block_row.new_state
    assert until.startswith("blocked until ")
    assert audited(block_row) == ("block_user", as_admin.id, "admin", member.id, "active", until)
    assert audited(unblock_row) == (
        "unblock_user",
        as_admin.id,
        "admin",
        member.id,
        until,
        "active",
    )
    assert (block_row.note, unblock_row.note) == ("Posted a student's address", "Appeal granted")


def test_a_blocked_staff_member_loses_the_back_office_until_unblocked(app, client, as_admin):
    member = user_with_role("staff")
    colleague = Browser(app, member)
    assert colleague.get("/staff/").status_code == 200
    client.post(f"/admin/users/{member.id}/block", data={"days": "3", "note": "Shared a sign-in"})
    assert colleague.get("/staff/").status_code == 403
    assert colleague.get("/staff/consultations/new").status_code == 403
    client.post(f"/admin/users/{member.id}/unblock", data={"note": "Password changed"})
    assert colleague.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("block", {"days": "0", "note": "x"}, "Number must be between 1 and 90."),
        ("block", {"days": "91", "note": "x"}, "Number must be between 1 and 90."),
        ("block", {"days": "7", "note": ""}, "Say why, for the record."),
        ("unblock", {"note": "x"}, "This account is not blocked."),
        ("unblock", {"note": ""}, "Say why, for the record."),
    ],
)
def test_refused_blocks_and_unblocks_store_nothing(client, as_admin, path, data, message):
    member = user_with_role("participant")
    before = counts()
    response = client.post(f"/admin/users/{member.id}/{path}", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before
    db.session.refresh(member)
    assert member.blocked_until is None


# Keeping an administrator


def test_the_last_administrator_cannot_be_demoted(client, as_admin):
    before = counts()
    response = role_change(client, as_admin, "staff", note="Handing over")
    assert response.status_code == 400
    assert "last administrator" in page_text(response)
    assert counts() == before
    db.session.refresh(as_admin)
    assert as_admin.role == "admin"
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_a_blocked_administrator_does_not_count_and_cannot_act(app, admin):
    blocked_admin = user_with_role("admin")
    blocked_admin.blocked_until = now_utc() + timedelta(days=3)
    db.session.commit()
    before = counts()
    browser = Browser(app, blocked_admin)
    demote = browser.post(f"/admin/users/{admin.id}/role", data={"role": "staff", "note": "x"})
    assert demote.status_code == 403  # a blocked account cannot use its role
    himself = Browser(app, admin)
    demote = himself.post(f"/admin/users/{admin.id}/role", data={"role": "staff", "note": "x"})
    assert demote.status_code == 400 and "last administrator" in page_text(demote)
    assert counts() == before
    db.session.refresh(admin)
    assert (admin.role, admin.blocked_until) == ("admin", None)


def test_with_another_administrator_one_can_be_demoted(client, as_admin):
    other = user_with_role("admin")
    assert role_change(client, other, "staff").status_code == 303
    db.session.refresh(other)
    assert other.role == "staff"


def test_an_administrator_cannot_block_themself(client, as_admin):
    user_with_role("admin")  # so the last-administrator rule is not what refuses
    before = counts()
    response = client.post(f"/admin/users/{as_admin.id}/block", data={"days": "7", "note": "x"})
    assert response.status_code == 400
    assert "You cannot block your own account." in page_text(response)
    assert counts() == before
    db.session.refresh(as_admin)
    assert as_admin.blocked_until is None


# Protections on the forms


def test_invitations_are_rate_limited(app_factory, admin):
    limited = app_factory(RATELIMIT_ENABLED=True, RATE_LIMIT_INVITE="2 per minute")
    browser = Browser(limited, admin)
    statuses = [invite(browser, email=f"person{i}@district.example").status_code for i in range(3)]
    assert statuses == [303, 303, 429]


def test_every_change_needs_a_csrf_token(app_factory, admin):
    protected = app_factory(WTF_CSRF_ENABLED=True)
    browser = Browser(protected)
    token = csrf_token_from(page_text(browser.get("/login")))
    browser.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    member = user_with_role("participant")
    before = counts()
    assert invite(browser).status_code == 400
    for path, data in [
        ("role", {"role": "staff", "note": "x"}),
        ("block", {"days": "7", "note": "x"}),
        ("unblock", {"note": "x"}),
    ]:
        assert browser.post(f"/admin/users/{member.id}/{path}", data=data).status_code == 400
    assert counts() == before
    token = csrf_token_from(page_text(browser.get("/admin/users/invite")))
    assert invite(browser, csrf_token=token).status_code == 303
