"""Stored analysis: cached embeddings, runs and their per-comment results, themes, campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from forum.models import Comment, Consultation
from forum.models.types import UTCDateTime
from forum.timeutil import now_utc


class TextEmbedding(Model):
    """One encoder pass, kept: keyed by the model and a hash of the exact text."""

    __table_args__ = (UniqueConstraint("model_key", "text_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_key: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    sentence: Mapped[bytes] = mapped_column(LargeBinary)  # float32 sentence embedding
    layers: Mapped[bytes] = mapped_column(LargeBinary)  # float16 mean-pooled hidden states
    spans: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16 (sentences, dim)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class Theme(Model):
    """A codebook theme of one consultation; staff edit these in the browser."""

    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    consultation: Mapped[Consultation] = relationship()


class ThemeCorrection(Model):
    """Staff's word on whether a comment raises a theme; later runs follow it."""

    __table_args__ = (UniqueConstraint("comment_id", "theme_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    theme_key: Mapped[str] = mapped_column(String(60))
    applies: Mapped[bool]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class AnalysisRun(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(20), default="queued"
    )  # queued, running, done, failed
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    consultation: Mapped[Consultation] = relationship()


class CommentAnalysis(Model):
    __table_args__ = (UniqueConstraint("run_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    analysed: Mapped[bool] = mapped_column(default=True)  # False: not in a language the model reads
    sentiment: Mapped[str | None] = mapped_column(String(10))
    sentiment_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    offensive_score: Mapped[float | None]
    stance: Mapped[str] = mapped_column(String(20), default="unknown")
    stance_source: Mapped[str] = mapped_column(
        String(20), default="unknown"
    )  # declared, predicted, unknown
    stance_score: Mapped[float | None]
    contradiction: Mapped[bool] = mapped_column(default=False)
    campaign_key: Mapped[str | None] = mapped_column(String(40))
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # coded (staff's own codes), learned (from staff coding) or suggested (codebook only)
    topic_source: Mapped[str | None] = mapped_column(String(20))
    topic_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)  # theme key -> score
    campaign_addition: Mapped[str | None] = mapped_column(Text)  # text added to a form letter

    comment: Mapped[Comment] = relationship()


class DiscoveredTheme(Model):
    """A cluster of comments no codebook theme covers, labelled by its distinctive words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    name: Mapped[str | None] = mapped_column(String(120))
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class Campaign(Model):
    """Near-identical comments (a form letter or copy-paste drive), counted once per person."""

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    template_comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    people: Mapped[int]


class RepresentativeQuote(Model):
    """A verbatim quote chosen for a theme or a role and position, with its rank."""

    __table_args__ = (Index("ix_quote_group", "run_id", "group_type", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"))
    group_type: Mapped[str] = mapped_column(String(20))  # theme, role_position
    group_key: Mapped[str] = mapped_column(String(80))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    rank: Mapped[int]


# Packets live in their own module; importing it here registers the table with the others.
from analysis.packet.models import Packet  # noqa: E402, F401
