"""The screen the forum runs on every new comment: attach review reasons, hold, escalate."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import select

from extensions import db
from forum.models import Comment, CommentStatus, Consultation, School
from forum.similarity import jaccard, shingles
from moderation import audit
from moderation.escalations import open_escalation
from moderation.models import ReviewReason
from moderation.rules import HOLDING_REASONS, THREAT_REASONS, urgency
from moderation.screening import Finding, screen_text

NEAR_DUPLICATE_SIMILARITY = 0.7
SHINGLE_WORDS = 4
NEAR_DUPLICATE_MIN_WORDS = 12
RECENT_COMMENTS = 300

# Comment text never changes, so its shingles can be kept for the life of the process, keyed
# by the text's fingerprint (an id alone could be reused after a restore).
_shingle_cache: OrderedDict[str, frozenset[int]] = OrderedDict()
_CACHE_SIZE = 20_000


def _cached_shingles(fingerprint: str | None, text: str) -> frozenset[int]:
    if fingerprint is None:
        return shingles(text, SHINGLE_WORDS)
    found = _shingle_cache.get(fingerprint)
    if found is None:
        found = _shingle_cache[fingerprint] = shingles(text, SHINGLE_WORDS)
        if len(_shingle_cache) > _CACHE_SIZE:
            _shingle_cache.popitem(last=False)
    return found


def _same_person(comment: Comment, author_id: int | None, author_name: str) -> bool:
    if comment.author_id is not None:
        return author_id == comment.author_id
    return author_id is None and author_name.casefold() == comment.author_name.casefold()


def duplicate_findings(comment: Comment) -> list[Finding]:
    """Find exact repeats (by fingerprint) and near-identical texts among recent comments."""
    exact = db.session.execute(
        select(Comment.number, Comment.author_id, Comment.author_name)
        .where(
            Comment.consultation_id == comment.consultation_id,
            Comment.text_fingerprint == comment.text_fingerprint,
        )
        .limit(50)
    ).all()
    mine = [row.number for row in exact if _same_person(comment, row.author_id, row.author_name)]
    if mine:
        return [Finding("duplicate", f"same text as #{mine[0]} by the same person")]
    if exact:
        return [
            Finding(
                "near_duplicate",
                f"same text as {len(exact)} other comment(s), e.g. #{exact[0].number}",
            )
        ]
    own = shingles(comment.submitted_text, SHINGLE_WORDS)
    if len(own) < NEAR_DUPLICATE_MIN_WORDS:
        return []
    recent = db.session.execute(
        select(
            Comment.number,
            Comment.author_id,
            Comment.author_name,
            Comment.submitted_text,
            Comment.text_fingerprint,
        )
        .where(Comment.consultation_id == comment.consultation_id)
        .order_by(Comment.id.desc())
        .limit(RECENT_COMMENTS)
    ).all()
    similar = [
        row
        for row in recent
        if jaccard(own, _cached_shingles(row.text_fingerprint, row.submitted_text))
        >= NEAR_DUPLICATE_SIMILARITY
    ]
    if not similar:
        return []
    if any(_same_person(comment, row.author_id, row.author_name) for row in similar):
        return [
            Finding("duplicate", f"nearly the same text as #{similar[0].number} by the same person")
        ]
    return [
        Finding(
            "near_duplicate",
            f"nearly the same text as {len(similar)} recent comment(s), e.g. #{similar[0].number}",
        )
    ]


def school_names(consultation_id: int) -> frozenset[str]:
    district_id = db.session.scalar(
        select(Consultation.district_id).where(Consultation.id == consultation_id)
    )
    return frozenset(
        db.session.scalars(select(School.name).where(School.district_id == district_id))
    )


def screen_new_comment(comment: Comment) -> None:
    """Attach every finding as a review reason; hold and escalate where the rules say so."""
    findings = screen_text(comment.submitted_text, school_names(comment.consultation_id))
    findings += duplicate_findings(comment)
    if comment.status == CommentStatus.PENDING:
        findings.append(Finding("pre_moderation", "this consultation reviews every comment first"))
    for finding in findings:
        db.session.add(
            ReviewReason(
                comment=comment,
                source="screening",
                code=finding.code,
                detail=finding.detail,
                urgency=urgency([finding.code]),
            )
        )
    if any(f.code in HOLDING_REASONS for f in findings):
        comment.status = CommentStatus.PENDING
    threats = [f for f in findings if f.code in THREAT_REASONS]
    if threats:
        db.session.add(comment)
        db.session.flush()
        reason = "; ".join(f"{f.code}: {f.detail}" for f in threats)
        escalation = open_escalation(comment, source="screening", reason=reason, actor=None)
        audit.record(
            None,
            "escalate",
            target_type="comment",
            target_id=comment.id,
            reason_code="true_threat",
            note=f"screening: {reason} (escalation {escalation.id})",
            previous_state="new",
            new_state=comment.status,
        )
