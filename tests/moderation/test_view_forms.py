"""The hidden fields and refusals of the moderation forms: where a moderator lands, what they read."""

from __future__ import annotations

from extensions import db
from forum.models import CommentStatus
from tests.moderation.conftest import audit_rows, latest_comment, post_comment


def test_an_action_returns_to_the_comment_unless_it_came_from_the_queue(
    client, consultation, as_moderator
):
    post_comment(client, consultation, "Text me at 916-555-0199 about the rally.")
    held = latest_comment()
    response = client.post(f"/moderation/comments/{held.id}/approve", data={"note": "ok"})
    assert response.headers["Location"] == f"/moderation/comments/{held.id}"
    response = client.post(f"/moderation/comments/{held.id}/dismiss", data={"return_to": "queue"})
    assert response.headers["Location"] == "/moderation/"


def test_block_goes_back_to_a_local_next_and_never_off_site(client, participant, as_moderator):
    back = "/moderation/comments/1"
    response = client.post(
        f"/moderation/users/{participant.id}/block", data={"days": "3", "next": back}
    )
    assert (response.status_code, response.headers["Location"]) == (303, back)
    response = client.post(
        f"/moderation/users/{participant.id}/block",
        data={"days": "3", "next": "//evil.example/"},
    )
    assert (response.status_code, response.headers["Location"]) == (303, "/moderation/")


def test_a_refused_block_says_why_and_records_nothing(client, staff, as_moderator):
    response = client.post(
        f"/moderation/users/{staff.id}/block", data={"days": "3"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert (
        b'<p class="flash flash-error">Staff accounts cannot be blocked here.</p>' in response.data
    )
    assert audit_rows() == []


def test_a_refused_bulk_action_changes_nothing_and_says_so(client, consultation, as_moderator):
    post_comment(client, consultation, "Officers make my kids feel safe.")
    published = latest_comment()
    response = client.post(
        "/moderation/bulk",
        data={"comment_ids": str(published.id), "action": "hide", "reason_code": ""},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert b"Nothing was changed: " in response.data
    db.session.refresh(published)
    assert published.status == CommentStatus.PUBLISHED
    assert audit_rows() == []


def test_unknown_comments_and_users_are_404(client, as_moderator):
    assert client.get("/moderation/comments/999999").status_code == 404
    assert client.post("/moderation/comments/999999/approve").status_code == 404
    assert client.post("/moderation/users/999999/block", data={"days": "3"}).status_code == 404
    assert audit_rows() == []
