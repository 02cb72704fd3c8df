"""Everything the platform holds about one account, as JSON the owner can download.

The forum gives the account, comments and survey answers; other packages add what they keep
(moderation: flags) by registering a contributor, as they register submission screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from extensions import db
from forum.models import Comment, SurveyResponse, User
from forum.surveys.export import answer_text

CONTRIBUTORS_KEY = "sounding_board.personal_data"
Contributor = Callable[[User], dict[str, Any]]


def register_contributor(app: Flask, contributor: Contributor) -> None:
    app.extensions.setdefault(CONTRIBUTORS_KEY, []).append(contributor)


def export(user: User) -> dict[str, Any]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    ).all()
    responses = db.session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.respondent_id == user.id)
        .order_by(SurveyResponse.id)
    ).all()
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "email_confirmed": user.email_confirmed,
            "display_name": user.display_name,
            "role": user.role,
            "preferred_language": user.preferred_locale,
            "created_at": user.created_at.isoformat(),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
        "comments": [
            {
                "consultation": c.consultation.slug,
                "number": c.number,
                "text": c.submitted_text,
                "status": c.status,
                "stakeholder_role": c.stakeholder_role,
                "declared_position": c.declared_position,
                "received_at": c.received_at.isoformat(),
            }
            for c in comments
        ],
        "survey_responses": [
            {
                "consultation": r.survey.consultation.slug,
                "survey": r.survey.title,
                "submitted_at": r.submitted_at.isoformat(),
                "answers": [
                    {"question": a.question.prompt, "answer": answer_text(a.question, a.value)}
                    for a in sorted(r.answers, key=lambda a: a.question.position)
                ],
            }
            for r in responses
        ],
    }
    for contributor in current_app.extensions.get(CONTRIBUTORS_KEY, []):
        data.update(contributor(user))
    return data
