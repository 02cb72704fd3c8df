"""Moderation's share of the every-minute sweep: remind the threat team of open escalations."""

from __future__ import annotations

from extensions import db, retry_when_busy
from jobs import queue
from moderation.escalations import renotify_unacknowledged


def _renotify() -> int:
    reminded = renotify_unacknowledged()
    db.session.commit()
    return reminded


@queue.every_minute
def remind_threat_team() -> int:
    """Notify again about escalations still unacknowledged; return how many."""
    # Posters keep SQLite's write lock busy under load: wait and try again.
    return retry_when_busy(_renotify)
