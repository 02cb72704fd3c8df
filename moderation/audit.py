"""Writing the append-only audit log: exactly one row per moderation action."""

from __future__ import annotations

import uuid

from flask import g, has_request_context

from extensions import db
from forum.models import User
from moderation.models import AuditEntry


def current_request_id() -> str:
    if has_request_context() and g.get("request_id"):
        return g.request_id
    return f"cli-{uuid.uuid4().hex[:16]}"


def record(
    actor: User | None,
    action: str,
    *,
    target_type: str,
    target_id: int,
    reason_code: str | None = None,
    note: str | None = None,
    previous_state: str | None = None,
    new_state: str | None = None,
) -> AuditEntry:
    """Add the audit row to the current transaction, so it commits or fails with the action."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason_code=reason_code,
        note=(note or "").strip() or None,
        previous_state=previous_state,
        new_state=new_state,
        request_id=current_request_id(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry
