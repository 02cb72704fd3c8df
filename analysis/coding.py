"""Which comment staff code next: a stable random sample first, then what the model is least
sure of. Staff codes are ThemeCorrection rows; the next analysis learns its themes from them."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import distinct, func, select

from analysis.models import CommentAnalysis, Theme, ThemeCorrection
from analysis.pipeline import latest_run
from extensions import db
from forum.models import Comment, CommentStatus

SAMPLE_SIZE = 40  # comments in the random sample the theme estimates are measured on

Phase = Literal["sample", "least_sure", "rest", "done"]


@dataclass(frozen=True)
class Progress:
    sample_size: int  # comments in the sample (fewer when the consultation has fewer)
    sample_coded: int  # of them, coded for every active theme
    coded: int  # coded in all, in the sample or not

    @property
    def sample_done(self) -> bool:
        return self.sample_coded >= self.sample_size


@dataclass(frozen=True)
class Pick:
    comment_id: int | None  # None: nothing left to code (or all of it skipped)
    phase: Phase
    progress: Progress


def active_themes(consultation_id: int) -> list[Theme]:
    """The codebook themes in use, in the order the coding page numbers them."""
    return list(
        db.session.scalars(
            select(Theme)
            .where(Theme.consultation_id == consultation_id, Theme.active)
            .order_by(Theme.key)
        )
    )


def coded_ids(consultation_id: int, keys: Collection[str]) -> set[int]:
    """Published comments with a staff code for every one of these themes."""
    if not keys:
        return set()
    return set(
        db.session.scalars(
            select(ThemeCorrection.comment_id)
            .join(Comment, Comment.id == ThemeCorrection.comment_id)
            .where(
                Comment.consultation_id == consultation_id,
                Comment.status == CommentStatus.PUBLISHED,
                ThemeCorrection.theme_key.in_(keys),
            )
            .group_by(ThemeCorrection.comment_id)
            .having(func.count(distinct(ThemeCorrection.theme_key)) == len(set(keys)))
        )
    )


def _sample_order(consultation_id: int, comment_id: int) -> str:
    # A keyed hash is a random permutation seeded by the consultation that stays put as comments
    # arrive, so the sample does not reshuffle each time someone posts.
    return hashlib.sha256(f"{consultation_id}:{comment_id}".encode()).hexdigest()


def seeded_order(consultation_id: int) -> list[int]:
    """Every published comment of the consultation, in its stable random order."""
    ids = db.session.scalars(
        select(Comment.id).where(
            Comment.consultation_id == consultation_id, Comment.status == CommentStatus.PUBLISHED
        )
    )
    return sorted(ids, key=lambda comment_id: _sample_order(consultation_id, comment_id))


def uncertainty(scores: dict[str, float] | None, keys: Iterable[str]) -> float:
    """Summed binary entropy of the theme scores: highest when every score is near 0.5."""
    total = 0.0
    for key in keys:
        value = (scores or {}).get(key)
        if value is None:
            continue
        p = min(max(float(value), 0.0), 1.0)
        if 0.0 < p < 1.0:
            total -= p * math.log2(p) + (1 - p) * math.log2(1 - p)
    return total


def least_sure(consultation_id: int, keys: Collection[str], exclude: set[int]) -> list[int]:
    """Comments the latest finished run scored, least sure first; ties in the seeded order."""
    run = latest_run(consultation_id, finished=True)
    if run is None:
        return []
    rows = db.session.execute(
        select(CommentAnalysis.comment_id, CommentAnalysis.topic_scores)
        .join(Comment, Comment.id == CommentAnalysis.comment_id)
        .where(
            CommentAnalysis.run_id == run.id,
            Comment.consultation_id == consultation_id,
            Comment.status == CommentStatus.PUBLISHED,
            CommentAnalysis.topic_scores.is_not(None),
        )
    ).all()
    ranked = sorted(
        (
            (-uncertainty(scores, keys), _sample_order(consultation_id, comment_id), comment_id)
            for comment_id, scores in rows
            if comment_id not in exclude and scores
        ),
    )
    return [comment_id for _, _, comment_id in ranked]


def progress(
    consultation_id: int, keys: Collection[str], size: int | None = None
) -> tuple[Progress, list[int], set[int]]:
    """How far the coding has got, with the seeded order and the coded comments behind it."""
    order = seeded_order(consultation_id)
    coded = coded_ids(consultation_id, keys)
    sample = order[: SAMPLE_SIZE if size is None else size]
    return Progress(len(sample), sum(1 for i in sample if i in coded), len(coded)), order, coded


def next_pick(
    consultation_id: int,
    keys: Collection[str],
    skipped: Collection[int] = (),
    size: int | None = None,
) -> Pick:
    """The comment to code next, the phase it comes from, and how far the coding has got."""
    done, order, coded = progress(consultation_id, keys, size)
    cut = done.sample_size
    if not keys:
        return Pick(None, "done", done)
    passed = coded | set(skipped)
    for comment_id in order[:cut]:
        if comment_id not in passed:
            return Pick(comment_id, "sample", done)
    for comment_id in least_sure(consultation_id, keys, passed):
        return Pick(comment_id, "least_sure", done)
    for comment_id in order[cut:]:
        if comment_id not in passed:
            return Pick(comment_id, "rest", done)
    return Pick(None, "done", done)
