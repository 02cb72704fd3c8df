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
    """Store the detected language of comments that have none yet; return how many."""
    from sqlalchemy import select

    from extensions import db
    from forum.models import Comment

    comments = db.session.scalars(
        select(Comment).where(Comment.detected_language.is_(None)).order_by(Comment.id).limit(limit)
    ).all()
    for comment in comments:
        comment.detected_language = detect_language(comment.submitted_text)
    db.session.commit()
    return len(comments)
