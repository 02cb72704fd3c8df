"""Helpers for moderation tests: posting through HTTP and signing in with a role."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from extensions import db
from forum.models import Comment
from moderation.models import AuditEntry
from tests.conftest import user_with_role

_keys = itertools.count()


def post_comment(client, consultation, text: str, **extra: str):
    data = {
        "text": text,
        "author_name": extra.pop("author_name", "Guest"),
        "stakeholder_role": "parent",
        "declared_position": "support",
        "preferred_language": "en",
        "idempotency_key": f"moderation-test-key-{next(_keys):06d}",
        **extra,
    }
    return client.post(f"/consultations/{consultation.slug}/comments", data=data)


def latest_comment() -> Comment:
    return db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()


def audit_rows() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture
def moderator(app):
    return user_with_role("moderator")


@pytest.fixture
def as_moderator(client, auth, moderator):
    auth.login(moderator.email)
    return moderator


@pytest.fixture
def threat_assessor(app):
    return user_with_role("threat_assessor", email="threat.team@district.example")
