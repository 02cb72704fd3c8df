"""A bulk action naming an id no database can hold is refused, not a server error."""

from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from moderation.models import AuditEntry


def test_an_id_too_large_for_the_database_is_refused(client, as_moderator):
    response = client.post(
        "/moderation/bulk",
        data={"comment_ids": "9223372036854775808", "action": "hide", "reason_code": "duplicate"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
