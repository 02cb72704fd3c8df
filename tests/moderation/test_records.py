"""Public records stay: no comment deletes, an append-only audit log, reports that add up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from extensions import db
from forum.models import Comment, OutboxEmail
from forum.models.comments import PublicRecordError
from forum.timeutil import now_utc
from moderation.models import AppendOnlyError, AuditEntry, Escalation
from tests.moderation.conftest import audit_rows, latest_comment, post_comment


def test_the_orm_refuses_to_delete_a_comment(client, consultation):
    post_comment(client, consultation, "A public record")
    comment = latest_comment()
    db.session.delete(comment)
    with pytest.raises(PublicRecordError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_postgresql_refuses_to_delete_a_comment_even_in_raw_sql(client, consultation):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the database trigger is PostgreSQL's")
    post_comment(client, consultation, "A public record")
    with pytest.raises(Exception, match="public records"):
        db.session.execute(text("DELETE FROM comment"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


@pytest.fixture
def audited(client, consultation, as_moderator):
    post_comment(client, consultation, "Off topic ramble about parking")
    client.post(
        f"/moderation/comments/{latest_comment().id}/hide", data={"reason_code": "off_topic"}
    )
    [row] = audit_rows()
    return row


def test_the_orm_refuses_to_change_or_delete_audit_rows(audited):
    audited.note = "rewritten history"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, audited.id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(AuditEntry).values(note="x"))
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()
    assert [r.note for r in audit_rows()] == [None]


def test_postgresql_refuses_audit_changes_in_raw_sql(audited):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the database trigger is PostgreSQL's")
    for statement in ("UPDATE audit_entry SET note = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert len(audit_rows()) == 1


def test_public_report_counts_equal_the_database_and_add_up(
    client, consultation, participant, auth, moderator
):
    texts = [
        "Plain support",
        "More plain support",
        "Parking is terrible",
        "Call 916-555-0100",
        "Withdraw me",
    ]
    receipts = [post_comment(client, consultation, t).headers["Location"] for t in texts]
    client.post(receipts[4] + "/withdraw")
    auth.login(moderator.email)
    parking = db.session.scalar(
        select(Comment).where(Comment.submitted_text == "Parking is terrible")
    )
    client.post(f"/moderation/comments/{parking.id}/hide", data={"reason_code": "off_topic"})
    auth.logout()
    page = client.get(f"/consultations/{consultation.slug}/moderation-report").get_data(
        as_text=True
    )
    counts = dict(
        db.session.execute(select(Comment.status, func.count()).group_by(Comment.status)).all()
    )
    assert counts == {"published": 2, "hidden": 1, "pending": 1, "withdrawn": 1}

    def cell(label: str) -> int:
        return int(page.split(f'<th scope="row">{label}</th><td>', 1)[1].split("<", 1)[0])

    assert cell("Published") == 2
    assert cell("Hidden: off_topic") == 1
    assert cell("Withdrawn by their authors") == 1
    assert cell("Waiting for review") == 1
    assert cell("Received") == 5 == sum(counts.values())
    assert "<td>hide</td><td>off_topic</td><td>1</td>" in page
    assert "<td>Moderators</td><td>1</td>" in page


def test_public_report_lists_actions_by_role_not_by_moderator(
    client, app_factory, consultation, moderator, auth
):
    post_comment(client, consultation, "Parking is terrible")
    comment = latest_comment()
    auth.login(moderator.email)
    client.post(f"/moderation/comments/{comment.id}/hide", data={"reason_code": "off_topic"})
    auth.logout()
    report = f"/consultations/{consultation.slug}/moderation-report"
    page = client.get(report).get_data(as_text=True)
    assert moderator.display_name not in page
    assert "Actions by role" in page
    assert "<td>Moderators</td><td>1</td>" in page
    # A district that decides to name its moderators can say so.
    naming = app_factory(MODERATION_REPORT_NAMES_MODERATORS=True)
    with naming.app_context():
        named = naming.test_client().get(report).get_data(as_text=True)
        db.session.remove()
    assert f"<td><bdi>{moderator.display_name}</bdi></td><td>Moderators</td><td>1</td>" in named


def test_rules_page_lists_only_content_neutral_codes(client, app):
    page = client.get("/rules").get_data(as_text=True)
    for code in (
        "off_topic",
        "obscenity",
        "true_threat",
        "personal_information",
        "commercial_spam",
        "duplicate",
    ):
        assert f"<code>{code}</code>" in page
    for banned in ("offensive", "disrespectful", "misinformation", "abusive"):
        assert f"<code>{banned}</code>" not in page


def test_unacknowledged_escalations_are_renotified_by_the_sweep(
    client, consultation, threat_assessor, runner
):
    post_comment(client, consultation, "I will kill everyone at the meeting.")
    escalation = db.session.scalar(select(Escalation))
    assert escalation.notify_count == 1
    first_sweep = runner.invoke(args=["moderation", "sweep"])
    assert "Re-notified 0 escalation(s)" in first_sweep.output
    escalation.last_notified_at = now_utc() - timedelta(minutes=16)
    db.session.commit()
    result = runner.invoke(args=["moderation", "sweep"])
    assert "Re-notified 1 escalation(s)" in result.output
    reminders = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.startswith("REMINDER"))
    ).all()
    assert [m.recipient for m in reminders] == [threat_assessor.email]
    assert reminders[0].sent_at is not None
    db.session.refresh(escalation)
    assert escalation.notify_count == 2
