"""Analyse one consultation's published comments and store the results as a numbered run."""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

import numpy as np
from flask import current_app
from sqlalchemy import CursorResult, select, update

from analysis import quotes
from analysis.core import Analysis, Record, analyse
from analysis.embeddings import embed_with_cache
from analysis.encoder import get_encoder
from analysis.heads import HEADS_DIR, Head, file_hash
from analysis.language import detect_language
from analysis.models import (
    AnalysisRun,
    Campaign,
    CommentAnalysis,
    DiscoveredTheme,
    RepresentativeQuote,
    Theme,
    ThemeCorrection,
)
from analysis.training import saved_metrics
from extensions import db
from forum.models import Comment, CommentStatus, Consultation
from forum.timeutil import now_utc
from moderation.models import ReviewReason
from moderation.rules import urgency

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@lru_cache(maxsize=4)
def load_head(name: str) -> Head:
    return Head.load(HEADS_DIR / f"{name}.npz")


def encoder_from_config():
    config = current_app.config
    return get_encoder(
        config["ANALYSIS_ENCODER"], config["ANALYSIS_MAX_TOKENS"], config["ANALYSIS_THREADS"]
    )


def claim_run(run_id: int) -> bool:
    """Mark a queued run as running; False if another worker already took it (runs happen once)."""
    result = db.session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == run_id, AnalysisRun.status == "queued")
        .values(status="running", started_at=now_utc(), progress=1)
    )
    claimed = cast("CursorResult[Any]", result).rowcount
    db.session.commit()
    return claimed == 1


def _set_progress(run: AnalysisRun, percent: int, message: str) -> None:
    run.progress, run.message = percent, message
    db.session.commit()


def _records(comments: list[Comment]) -> list[Record]:
    from analysis.coding import SAMPLE_SIZE, seeded_order

    sample = set(seeded_order(comments[0].consultation_id)[:SAMPLE_SIZE]) if comments else set()
    corrections: dict[int, dict[str, bool]] = {}
    for row in db.session.scalars(
        select(ThemeCorrection).where(ThemeCorrection.comment_id.in_([c.id for c in comments]))
    ):
        corrections.setdefault(row.comment_id, {})[row.theme_key] = row.applies
    return [
        Record(
            text=c.public_text,
            declared_position=None
            if c.declared_position in (None, "prefer_not_to_say")
            else c.declared_position,
            role=c.stakeholder_role,
            # Detected once by the worker's sweep; detected here only if the sweep has not yet.
            language=c.detected_language or detect_language(c.submitted_text),
            corrections=corrections.get(c.id, {}),
            in_sample=c.id in sample,
        )
        for c in comments
    ]


def run_analysis(run_id: int, progress: Progress | None = None) -> AnalysisRun | None:
    """Do one queued run from start to finish; a run already taken or done is left alone."""
    if not claim_run(run_id):
        logger.info("analysis run %s is not queued; skipping", run_id)
        return None
    run = db.session.get_one(AnalysisRun, run_id)
    report = progress or (lambda percent, message: None)
    try:
        _run(run, report)
    except Exception as error:
        db.session.rollback()
        run = db.session.get_one(AnalysisRun, run_id)
        run.status, run.message, run.finished_at = "failed", str(error)[:500], now_utc()
        db.session.commit()
        raise
    return run


def _run(run: AnalysisRun, report: Progress) -> None:
    consultation = db.session.get_one(Consultation, run.consultation_id)
    comments = list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.consultation_id == consultation.id,
                Comment.status == CommentStatus.PUBLISHED,
            )
            .order_by(Comment.number)
        )
    )
    _set_progress(run, 5, f"reading {len(comments)} published comments")
    records = _records(comments)
    encoder = encoder_from_config()
    done = [0]

    def encoded(count: int) -> None:
        done[0] += count
        percent = 10 + int(70 * done[0] / max(1, len(comments)))
        run.progress = max(run.progress, percent)
        report(run.progress, f"encoded {done[0]} new texts")

    cached = embed_with_cache(encoder, [r.text for r in records], encoded)
    new = cached.new
    _set_progress(run, 80, f"encoded {new} new texts; {len(records) - new} from the cache")
    themes = list(
        db.session.scalars(
            select(Theme).where(Theme.consultation_id == consultation.id, Theme.active)
        )
    )
    theme_vectors = embed_with_cache(encoder, [t.description for t in themes]).sentence
    analysis = analyse(
        records,
        cached,
        sentiment_head=load_head("sentiment"),
        offensive_head=load_head("offensive"),
        theme_embeddings={t.key: theme_vectors[i] for i, t in enumerate(themes)},
        encode=lambda texts: embed_with_cache(encoder, texts),
        multilingual=current_app.config["ANALYSIS_MULTILINGUAL"],
        stance_precision=current_app.config["ANALYSIS_STANCE_PRECISION"],
    )
    report(90, "storing results")
    _store(run, comments, records, analysis, cached.sentence)
    run.manifest = _manifest(encoder, consultation, len(comments), new)
    run.metrics = {
        "stance": analysis.stance_metrics,
        "themes": analysis.theme_metrics,
        "heads": saved_metrics(),
        "counts": _counts(analysis),
    }
    run.status, run.progress, run.finished_at, run.message = "done", 100, now_utc(), "finished"
    db.session.commit()
    report(100, "finished")
    logger.info(
        "analysis run %s of %s finished: %s comments", run.id, consultation.slug, len(comments)
    )


def _store(
    run: AnalysisRun,
    comments: list[Comment],
    records: list[Record],
    analysis: Analysis,
    sentence: np.ndarray,
) -> None:
    for comment, outcome in zip(comments, analysis.outcomes, strict=True):
        db.session.add(
            CommentAnalysis(
                run_id=run.id,
                comment_id=comment.id,
                language=outcome.language,
                analysed=outcome.analysed,
                sentiment=outcome.sentiment,
                sentiment_scores=outcome.sentiment_scores,
                offensive_score=outcome.offensive_score,
                stance=outcome.stance,
                stance_source=outcome.stance_source,
                stance_score=outcome.stance_score,
                contradiction=outcome.contradiction,
                campaign_key=outcome.campaign,
                campaign_addition=outcome.campaign_addition,
                themes=outcome.themes,
                topic_source=outcome.topic_source,
                topic_scores=outcome.topic_scores,
            )
        )
        if "offensive_language" in outcome.flags:
            _add_model_review_reason(comment, outcome.offensive_score or 0.0)
    in_campaign: set[int] = set()
    for key, members in analysis.campaigns.items():
        people = {(comments[i].author_id, comments[i].author_name.casefold()) for i in members}
        db.session.add(
            Campaign(
                run_id=run.id,
                key=key,
                template_comment_id=comments[members[0]].id,
                member_ids=[comments[i].id for i in members],
                people=len(people),
            )
        )
        in_campaign.update(members[1:])
    for found in analysis.discovered:
        db.session.add(
            DiscoveredTheme(
                run_id=run.id,
                key=found.key,
                keywords=found.keywords,
                member_ids=[comments[i].id for i in found.members],
            )
        )
    texts = [r.text for r in records]
    groups: dict[tuple[str, str], list[int]] = {}
    for index, outcome in enumerate(analysis.outcomes):
        for theme in outcome.themes:
            groups.setdefault(("theme", theme), []).append(index)
        groups.setdefault(("role_position", f"{records[index].role}:{outcome.stance}"), []).append(
            index
        )
    for (group_type, key), members in groups.items():
        for rank, index in enumerate(
            quotes.pick_quotes(members, sentence, texts, skip=in_campaign)
        ):
            db.session.add(
                RepresentativeQuote(
                    run_id=run.id,
                    group_type=group_type,
                    group_key=key,
                    comment_id=comments[index].id,
                    rank=rank,
                )
            )
    db.session.flush()


def _add_model_review_reason(comment: Comment, score: float) -> None:
    """Offensive-language hits go to moderators as a reason to look, never as a hide."""
    exists = db.session.scalar(
        select(ReviewReason.id).where(
            ReviewReason.comment_id == comment.id, ReviewReason.code == "offensive_language"
        )
    )
    if not exists:
        db.session.add(
            ReviewReason(
                comment_id=comment.id,
                source="model",
                code="offensive_language",
                detail=f"offensive-language model score {score:.2f}",
                urgency=urgency(["offensive_language"]),
            )
        )


def _counts(analysis: Analysis) -> dict[str, int]:
    outcomes = analysis.outcomes
    return {
        "comments": len(outcomes),
        "analysed": sum(o.analysed for o in outcomes),
        "not_analysed": sum(not o.analysed for o in outcomes),
        "in_campaigns": sum(o.campaign is not None for o in outcomes),
        "campaign_additions": sum(o.campaign_addition is not None for o in outcomes),
        "campaigns": len(analysis.campaigns),
        "contradictions": sum(o.contradiction for o in outcomes),
        "discovered_themes": len(analysis.discovered),
    }


def _manifest(encoder, consultation: Consultation, comments: int, new: int) -> dict:
    """What reproducing the run takes: the encoder's exact weights and precision, the heads' hashes,
    every setting and seed (the ANALYSIS_* configuration and each analysis module's constants,
    read from the modules so that none is left out), the codebook and the library versions."""
    import inspect
    import json
    from importlib import metadata

    from analysis import campaigns, core, quotes, stance, themes
    from analysis.embeddings import model_key

    found = [
        (key, value) for key, value in current_app.config.items() if key.startswith("ANALYSIS_")
    ]
    for module in (core, stance, themes, campaigns, quotes):
        short = module.__name__.rsplit(".", 1)[-1]
        found += [
            (f"{short}.{name}", value)
            for name, value in vars(module).items()
            if name.isupper() and not name.startswith("_")
        ]
    settings: dict[str, Any] = {}
    for key, value in sorted(found):
        plain = sorted(value) if isinstance(value, set | frozenset) else value
        plain = plain.tolist() if isinstance(plain, np.ndarray) else plain
        try:
            settings[key] = json.loads(json.dumps(plain))
        except TypeError:
            continue  # not a setting (a compiled pattern, a class)
    seed = inspect.signature(campaigns.find_campaigns).parameters.get("seed")
    if seed is not None:
        settings["campaigns.find_campaigns.seed"] = seed.default
    codebook = db.session.scalars(
        select(Theme)
        .where(Theme.consultation_id == consultation.id, Theme.active)
        .order_by(Theme.key)
    )
    versions: dict[str, str | None] = {}
    for package in ("torch", "transformers", "tokenizers", "numpy", "scipy", "scikit-learn"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "encoder": encoder.name,
        "encoder_max_tokens": encoder.max_tokens,
        "encoder_weights_sha256": encoder.weights_hash,
        "encoder_weight_files": encoder.weight_files,
        "encoder_precision": encoder.precision,
        "embedding_cache_key": model_key(encoder),
        "heads": {
            name: file_hash(HEADS_DIR / f"{name}.npz") for name in ("sentiment", "offensive")
        },
        "consultation": consultation.slug,
        "codebook": {t.key: {"label": t.label, "description": t.description} for t in codebook},
        "comments": comments,
        "newly_encoded": new,
        "settings": settings,
        "python": platform.python_version(),
        "versions": versions,
    }


def queue_run(consultation: Consultation) -> AnalysisRun:
    """Create a queued run; the caller commits and then enqueues the job with its id."""
    run = AnalysisRun(
        consultation_id=consultation.id, status="queued", message="waiting for a worker"
    )
    db.session.add(run)
    db.session.flush()
    return run


def latest_run(consultation_id: int, *, finished: bool = False) -> AnalysisRun | None:
    query = select(AnalysisRun).where(AnalysisRun.consultation_id == consultation_id)
    if finished:
        query = query.where(AnalysisRun.status == "done")
    return db.session.scalars(query.order_by(AnalysisRun.id.desc()).limit(1)).first()
