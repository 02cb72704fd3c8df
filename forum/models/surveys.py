"""Surveys on a consultation: ordered questions, and responses that, like comments, are kept."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models.comments import Comment
from forum.models.consultations import Consultation
from forum.models.districts import School
from forum.models.types import UTCDateTime
from forum.models.users import User
from forum.timeutil import now_utc


class QuestionKind(enum.StrEnum):
    """The built-in kinds; each one's rules are a class in forum/surveys/kinds, and `kind` columns
    may hold the name of any kind registered there."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"  # five-point agreement, with "don't know"
    RANKING = "ranking"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"  # published as a comment of channel "survey"


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Survey(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SurveyStatus.DRAFT)
    # Results stay off the public page until the survey closes, whatever each question says.
    hide_results_until_closed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    consultation: Mapped[Consultation] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position"
    )

    def accepts_responses(self, at: datetime | None = None) -> bool:
        return self.status == SurveyStatus.OPEN and self.consultation.accepts_comments(at)

    def is_closed(self, at: datetime | None = None) -> bool:
        return self.status == SurveyStatus.CLOSED or self.consultation.period_state(at) == "closed"

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.title!r} {self.status}>"


class SurveyQuestion(Model):
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(String(1000), default="")
    required: Mapped[bool] = mapped_column(default=False)
    # [{"key": "o1", "label": "On campus"}, ...]; answers store keys, never positions.
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None]
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    results_public: Mapped[bool] = mapped_column(default=True)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q{self.id}"

    @property
    def option_labels(self) -> dict[str, str]:
        return {o["key"]: o["label"] for o in self.options}


class SurveyResponse(Model):
    """One person's answers; one per account, and per form key for guests."""

    __table_args__ = (UniqueConstraint("survey_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stakeholder_role: Mapped[str] = mapped_column(String(20))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    receipt_token: Mapped[str] = mapped_column(
        String(40), unique=True, default=lambda: secrets.token_urlsafe(18)
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    survey: Mapped[Survey] = relationship()
    respondent: Mapped[User | None] = relationship()
    school: Mapped[School | None] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response")


class SurveyAnswer(Model):
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"), index=True)
    # An option key, a list of keys (multiple choice, or ranking in rank order), a number or text.
    value: Mapped[Any] = mapped_column(JSON)
    # Long-text answers are published as comments (channel "survey") and analysed with them.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), unique=True)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()
    comment: Mapped[Comment | None] = relationship()
