"""The rendered comment thread is cached, and never shows a comment after it changes."""

from __future__ import annotations

from extensions import db
from moderation import services as moderation
from tests import factories


def page(client, consultation) -> str:
    return client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)


def test_hiding_redacting_or_withdrawing_shows_at_once_in_every_process(app, app_factory):
    consultation = factories.ConsultationFactory()
    kept = factories.CommentFactory(
        consultation=consultation, submitted_text="Keep the counselors."
    )
    hidden = factories.CommentFactory(
        consultation=consultation, submitted_text="Buy cheap pills here"
    )
    redacted = factories.CommentFactory(
        consultation=consultation, submitted_text="Call Ms. Rivera at 916-555-0101 about it."
    )
    moderator = factories.UserFactory(role="moderator")
    db.session.commit()
    other_process = app_factory()  # its own cache, as another gunicorn worker has
    with other_process.app_context():
        before = page(other_process.test_client(), consultation)
    assert "Buy cheap pills here" in before and "916-555-0101" in before

    moderation.hide(hidden, moderator, "commercial_spam")
    moderation.redact(redacted, moderator, "916-555-0101", "personal_information")
    db.session.commit()
    with other_process.app_context():
        after = page(other_process.test_client(), consultation)
    assert "Buy cheap pills here" not in after
    assert "916-555-0101" not in after and "[redacted]" in after
    assert "Keep the counselors." in after

    kept.status = "withdrawn"
    db.session.commit()
    with other_process.app_context():
        assert "Keep the counselors." not in page(other_process.test_client(), consultation)


def test_a_new_comment_appears_on_a_cached_page(client, consultation):
    assert "No comments yet." in page(client, consultation)
    factories.CommentFactory(consultation=consultation, submitted_text="First to comment.")
    db.session.commit()
    assert "First to comment." in page(client, consultation)
