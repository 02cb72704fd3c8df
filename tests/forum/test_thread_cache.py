"""The rendered comment thread is cached, and never shows a comment after it changes."""

from __future__ import annotations

from extensions import db
from moderation import services as moderation
from tests import factories


def page(client, consultation) -> str:
    return client.get(f"/consultations/{consultation.slug}").get_data(as_text=True)


def page_in(other_app, slug: str) -> str:
    """The page as another server process, with its own cache, renders it.

    Only the slug crosses over: touching this test's ORM objects inside the other app's
    context would borrow a connection from the other app's engine.
    """
    with other_app.app_context():
        html = other_app.test_client().get(f"/consultations/{slug}").get_data(as_text=True)
        db.session.remove()
    return html


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
    slug = consultation.slug
    other_process = app_factory()  # its own cache, as another gunicorn worker has
    before = page_in(other_process, slug)
    assert "Buy cheap pills here" in before and "916-555-0101" in before

    moderation.hide(hidden, moderator, "commercial_spam")
    moderation.redact(redacted, moderator, "916-555-0101", "personal_information")
    db.session.commit()
    after = page_in(other_process, slug)
    assert "Buy cheap pills here" not in after
    assert "916-555-0101" not in after and "[redacted]" in after
    assert "Keep the counselors." in after

    kept.status = "withdrawn"
    db.session.commit()
    assert "Keep the counselors." not in page_in(other_process, slug)


def test_a_new_comment_appears_on_a_cached_page(client, consultation):
    assert "No comments yet." in page(client, consultation)
    factories.CommentFactory(consultation=consultation, submitted_text="First to comment.")
    db.session.commit()
    assert "First to comment." in page(client, consultation)
