"""Which language a comment is in, so an English model never scores text it cannot read."""

from __future__ import annotations

import threading
from functools import lru_cache

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.SPANISH,
        Language.CHINESE,
        Language.VIETNAMESE,
        Language.RUSSIAN,
        Language.TAGALOG,
        Language.PUNJABI,
        Language.ARABIC,
        Language.HINDI,
        Language.KOREAN,
        Language.JAPANESE,
        Language.FRENCH,
        Language.PORTUGUESE,
        Language.PERSIAN,
        Language.UKRAINIAN,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def detect_language(text: str) -> str:
    """Return an ISO 639-1 code, or "und" when the text is too short or mixed to tell."""
    if len(text.split()) < 4:
        return "und"
    with _lock:
        detector = _detector()
    values = detector.compute_language_confidence_values(text)
    if not values or values[0].value < 0.5:
        return "und"
    return values[0].language.iso_code_639_1.name.lower()


def detect_new_comments(limit: int = 500) -> int:
    """Store the detected language of comments that have none yet; return how many.

    Detection runs with no transaction open, and the results are written in one short
    transaction retried when the database is busy, so posters are never kept waiting.
    """
    from sqlalchemy import select, update

    from extensions import db, retry_when_busy
    from forum.models import Comment

    pending = db.session.execute(
        select(Comment.id, Comment.submitted_text)
        .where(Comment.detected_language.is_(None))
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read before the slow part
    found = {comment_id: detect_language(text) for comment_id, text in pending}

    def store() -> int:
        for comment_id, language in found.items():
            db.session.execute(
                update(Comment)
                .where(Comment.id == comment_id, Comment.detected_language.is_(None))
                .values(detected_language=language)
            )
        db.session.commit()
        return len(found)

    return retry_when_busy(store) if found else 0
