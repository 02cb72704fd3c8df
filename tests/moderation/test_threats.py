"""Escalations are for the threat-assessment role only; each view and decision is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from moderation.models import Escalation
from tests.conftest import user_with_role
from tests.moderation.conftest import audit_rows, post_comment


@pytest.fixture
def escalation(client, consultation, threat_assessor):
    post_comment(client, consultation, "I'm going to shoot up the school tomorrow.")
    return db.session.scalar(select(Escalation))


@pytest.mark.parametrize("role", ["participant", "moderator", "staff", "admin"])
def test_only_threat_assessors_see_escalations(client, auth, escalation, role):
    user = user_with_role(role)
    auth.login(user.email)
    assert client.get("/threats/").status_code == 403
    assert client.get(f"/threats/{escalation.id}").status_code == 403
    assert client.post(f"/threats/{escalation.id}/acknowledge").status_code == 403


def test_viewing_an_escalation_is_recorded_as_a_disclosure(
    client, auth, escalation, threat_assessor
):
    auth.login(threat_assessor.email)
    page = client.get(f"/threats/{escalation.id}").get_data(as_text=True)
    assert "shoot up the school" in page
    assert "If the threat is imminent, call 911." in page
    views = [r for r in audit_rows() if r.action == "view_escalation"]
    assert [(v.actor_id, v.target_id) for v in views] == [(threat_assessor.id, escalation.id)]


def test_acknowledge_then_close_with_a_note(client, auth, escalation, threat_assessor):
    auth.login(threat_assessor.email)
    assert (
        client.post(
            f"/threats/{escalation.id}/acknowledge", data={"note": "calling the family"}
        ).status_code
        == 303
    )
    refused = client.post(
        f"/threats/{escalation.id}/close", data={"note": "  "}, follow_redirects=True
    )
    assert b"Write what was done before closing." in refused.data
    client.post(
        f"/threats/{escalation.id}/close",
        data={"note": "Assessed with the principal; not substantive."},
    )
    db.session.refresh(escalation)
    assert escalation.status == "closed"
    assert escalation.acknowledged_by_id == escalation.closed_by_id == threat_assessor.id
    actions = [
        r.action
        for r in audit_rows()
        if r.actor_id == threat_assessor.id and r.action != "view_escalation"
    ]
    assert actions == ["acknowledge_escalation", "close_escalation"]


def test_moderator_can_decide_after_the_escalation_is_closed(
    client, auth, escalation, threat_assessor
):
    auth.login(threat_assessor.email)
    client.post(f"/threats/{escalation.id}/close", data={"note": "Substantive; police informed."})
    auth.logout()
    moderator = user_with_role("moderator")
    auth.login(moderator.email)
    client.post(
        f"/moderation/comments/{escalation.comment_id}/hide", data={"reason_code": "true_threat"}
    )
    db.session.refresh(escalation.comment)
    assert (escalation.comment.status, escalation.comment.hidden_reason) == (
        "hidden",
        "true_threat",
    )
