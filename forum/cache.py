"""Keep cached comment threads honest: any change to a comment raises its thread's version.

The public consultation page caches its rendered thread under the consultation's
`thread_version`. A flush that adds or changes a comment (a new post, a moderator hiding or
redacting one, a withdrawal) raises that version in the same transaction, so every server
process renders the thread afresh on its next request and no one is shown a stale thread.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from forum.models import Comment, Consultation


@event.listens_for(Session, "before_flush")
def _bump_thread_versions(session: Session, flush_context: Any, instances: Any) -> None:
    changed = {
        obj.consultation_id or (obj.consultation.id if obj.consultation else None)
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Comment) and (obj in session.new or session.is_modified(obj))
    }
    changed.discard(None)
    if not changed:
        return
    session.execute(
        update(Consultation)
        .where(Consultation.id.in_(changed))
        .values(
            thread_version=Consultation.thread_version + 1,
            updated_at=Consultation.updated_at,  # a comment is not an edit of the plan
        )
        .execution_options(synchronize_session=False)
    )
