"""Staff start an analysis in the browser, follow it, and tend the codebook and themes."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from analysis.models import AnalysisRun, CommentAnalysis, DiscoveredTheme, Theme, ThemeCorrection
from extensions import db
from forum.models import Comment
from forum.timeutil import now_utc
from tests import factories
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


@pytest.fixture
def signed_in_staff(client, auth):
    staff = user_with_role("staff")
    auth.login(staff.email)
    return staff


def test_staff_run_an_analysis_and_see_the_results(client, demo, signed_in_staff):
    response = client.post(f"/staff/analysis/{demo.slug}/run")
    assert response.status_code == 303
    run = db.session.scalar(select(AnalysisRun))
    assert run.status == "done"  # the job ran (inline in tests; on a worker in production)
    page = client.get(f"/staff/analysis/{demo.slug}").get_data(as_text=True)
    assert "Position on the proposal by stakeholder role" in page
    assert "Tone (sentiment) by role: tone, not position" in page
    assert "Campaigns (near-identical comments)" in page
    assert "Not analysed: other languages" in page
    assert "Como madre de familia" in page


def test_theme_corrections_are_used_by_the_next_run(client, demo, signed_in_staff):
    client.post(f"/staff/analysis/{demo.slug}/run")
    comment = db.session.scalar(
        select(Comment).where(Comment.consultation_id == demo.id, Comment.number == 2)
    )
    response = client.post(
        f"/staff/analysis/{demo.slug}/comments/2", data={"themes": ["training", "cost"]}
    )
    assert response.status_code == 303
    corrections = {c.theme_key: c.applies for c in db.session.scalars(select(ThemeCorrection))}
    assert (
        corrections["training"] is True
        and corrections["cost"] is True
        and corrections["mental_health"] is False
    )
    client.post(f"/staff/analysis/{demo.slug}/run")
    latest = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    row = db.session.scalar(
        select(CommentAnalysis).where(
            CommentAnalysis.run_id == latest.id, CommentAnalysis.comment_id == comment.id
        )
    )
    assert sorted(row.themes) == ["cost", "training"]


def test_codebook_edits_and_refusals(client, demo, signed_in_staff):
    client.post(
        f"/staff/analysis/{demo.slug}/themes",
        data={
            "key": "buses",
            "label": "Buses",
            "description": "School buses and routes",
            "active": "y",
        },
    )
    assert db.session.scalar(select(Theme).where(Theme.key == "buses")).label == "Buses"
    bad = client.post(
        f"/staff/analysis/{demo.slug}/themes",
        data={"key": "Bad Key", "label": "x", "description": "y"},
        follow_redirects=True,
    )
    assert b"Keys are lower-case letters" in bad.data
    assert db.session.scalar(select(Theme).where(Theme.key == "Bad Key")) is None


OFF_CODEBOOK = [
    "The bus route to Pocket Elementary changed and my kids now wait forty minutes in the rain.",
    "Our school bus comes so early that my son misses breakfast; please fix the bus schedule.",
    "The new bus stop is on a busy road with no sidewalk, and the bus is late most mornings.",
    "Two buses were cancelled this month and nobody told families until the children were waiting.",
    "Please add a second bus route for the west side; the only bus is always overcrowded.",
    "The bus driver shortage means my daughter rides a packed bus for an hour each way.",
    "The cafeteria lunch is cold by the time the last lunch period eats, and portions are tiny.",
    "There are no vegetarian lunch options in the cafeteria most days; please fix the menu.",
    "Lunch lines are so long that students get ten minutes to eat their cafeteria lunch.",
    "The cafeteria ran out of lunch again for the last group of students on Friday.",
    "Please bring back fresh fruit at lunch; the cafeteria food is mostly processed snacks.",
    "My child with allergies cannot eat most cafeteria lunch items and there is no label.",
]


def test_discovered_themes_can_be_named_and_promoted(client, demo, signed_in_staff):
    for index, text in enumerate(OFF_CODEBOOK):
        client.post(
            f"/consultations/{demo.slug}/comments",
            data={
                "text": text,
                "stakeholder_role": "parent",
                "declared_position": "neutral",
                "preferred_language": "en",
                "idempotency_key": f"off-codebook-key-{index:04d}",
            },
        )
    client.post(f"/staff/analysis/{demo.slug}/run")
    off = set(
        db.session.scalars(select(Comment.id).where(Comment.submitted_text.in_(OFF_CODEBOOK)))
    )
    discovered = db.session.scalars(select(DiscoveredTheme)).all()
    assert discovered, "comments about buses and lunch match no codebook theme"
    found = max(discovered, key=lambda d: len(off & set(d.member_ids)))
    assert len(off & set(found.member_ids)) >= 5
    assert {"bus", "lunch", "cafeteria"} & {w for k in found.keywords for w in k.split()}
    client.post(
        f"/staff/analysis/{demo.slug}/discovered/{found.id}",
        data={"action": "name", "name": "Questions"},
    )
    db.session.refresh(found)
    assert found.name == "Questions"
    client.post(
        f"/staff/analysis/{demo.slug}/discovered/{found.id}",
        data={"action": "promote", "key": "questions"},
    )
    theme = db.session.scalar(select(Theme).where(Theme.key == "questions"))
    assert theme is not None and theme.label == "Questions"
    confirmed = db.session.scalars(
        select(ThemeCorrection).where(ThemeCorrection.theme_key == "questions")
    ).all()
    assert {c.comment_id for c in confirmed} == set(found.member_ids)


@pytest.mark.parametrize("role", ["participant", "moderator", "threat_assessor"])
def test_only_staff_reach_analysis(client, auth, demo, role):
    auth.login(user_with_role(role).email)
    assert client.get(f"/staff/analysis/{demo.slug}").status_code == 403
    assert client.post(f"/staff/analysis/{demo.slug}/run").status_code == 403
    assert db.session.scalar(select(AnalysisRun)) is None


MEASURED = {
    "counts": {
        "comments": 6,
        "analysed": 6,
        "not_analysed": 0,
        "campaigns": 0,
        "in_campaigns": 0,
        "contradictions": 0,
        "discovered_themes": 0,
    },
    "stance": {
        "status": "ok",
        "declared": 4,
        "predicted": 1,
        "unknown": 1,
        "cv_accuracy": 0.9876,  # the old, misleading figure: never shown again
        "cv_support_vs_oppose_accuracy": 0.9876,
        "deployed": {
            "target_precision": 0.9,
            "threshold": 0.734,
            "evaluated": 120,
            "answered": 83,
            "coverage": 0.6917,
            "accuracy_when_answering": 0.9157,
            "confusion": {
                "oppose": {"oppose": 36, "support": 4, "unknown": 20},
                "support": {"support": 40, "oppose": 3, "unknown": 17},
            },
            "folds": 5,
            "grouped_copies": 14,
        },
    },
    "themes": {
        "coded_comments": 47,
        "per_theme": {
            "counselors": {
                "assigned": 4,
                "estimate": 52.4,
                "low": 41.2,
                "high": 63.7,
                "precision": 0.82,
                "recall": 0.75,
                "coded": 47,
                "coded_positive": 19,
                "source": "learned",
                "low_confidence": False,
            },
            "cost": {
                "assigned": 2,
                "estimate": 9.6,
                "low": 2.1,
                "high": 21.8,
                "precision": 0.55,
                "recall": None,
                "coded": 47,
                "coded_positive": 3,
                "source": "suggested",
                "low_confidence": True,
            },
        },
    },
}


def measured_run(metrics: dict | None = None):
    """A finished run built from the models, with the figures the pipeline stores."""
    consultation = factories.ConsultationFactory()
    db.session.add_all(
        [
            Theme(
                consultation=consultation,
                key="counselors",
                label="More counselors",
                description="Counselors and mental-health staff.",
            ),
            Theme(
                consultation=consultation,
                key="cost",
                label="Cost",
                description="What the plan costs.",
            ),
        ]
    )
    positions = ["support", "support", "oppose", "oppose", None, None]
    comments = [
        factories.CommentFactory(
            consultation=consultation,
            submitted_text=f"Comment {n}: counselors help, and the cost is fair.",
            declared_position=position,
        )
        for n, position in enumerate(positions)
    ]
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="done",
        finished_at=now_utc(),
        metrics=copy.deepcopy(MEASURED if metrics is None else metrics),
        manifest={"encoder": "test-encoder"},
    )
    db.session.add(run)
    db.session.flush()
    for n, comment in enumerate(comments):
        stance, source = (comment.declared_position, "declared")
        if stance is None:
            stance, source = ("support", "predicted") if n == 4 else ("unknown", "unknown")
        db.session.add(
            CommentAnalysis(
                run_id=run.id,
                comment_id=comment.id,
                language="en",
                sentiment="neutral",
                stance=stance,
                stance_source=source,
                stance_score=None if source == "unknown" else 0.9,
                themes=["counselors"] + (["cost"] if n < 2 else []),
                topic_source="learned",
                topic_scores={"counselors": 0.9, "cost": 0.6 if n < 2 else 0.2},
            )
        )
    db.session.commit()
    return consultation, run


def test_the_overview_shows_theme_estimates_and_the_deployed_stance_rule(client, signed_in_staff):
    consultation, _ = measured_run()
    page = client.get(f"/staff/analysis/{consultation.slug}").get_data(as_text=True)
    themes = page[
        page.index('id="estimates-caption"') : page.index(
            "</table>", page.index('id="estimates-caption"')
        )
    ]
    assert (
        "Comments per theme: assigned by the analysis, and estimated with a 95% interval" in themes
    )
    assert "52 (41 to 64)" in themes and "10 (2 to 22)" in themes
    assert "47 coded, 19 raise it" in themes and "82%" in themes and "75%" in themes
    assert "Learned from 47 coded comments" in themes and "Codebook only" in themes
    cost_row = themes[themes.index(">Cost") : themes.index("</tr>", themes.index(">Cost"))]
    assert "Low confidence" in cost_row and "unknown" in cost_row  # recall not measured
    assert "Low confidence" not in themes[: themes.index(">Cost")]
    assert "Estimates rest on 47 comments coded by staff." in page

    assert "right 90% of the time (score threshold 0.73)" in page
    assert (
        "it answered 83 of them: a coverage of 69% of the support and oppose positions. When it answered, it was right 92% of the time."
        in page
    )
    assert "5-fold cross-validation" in page
    matrix = page[
        page.index('id="confusion-caption"') : page.index(
            "</table>", page.index('id="confusion-caption"')
        )
    ].replace(' class="num"', "")
    assert (
        '<th scope="col">Declared</th><th scope="col">Support</th><th scope="col">Oppose</th>'
        '<th scope="col">Unknown</th>' in matrix
    )
    assert '<th scope="row">Support</th><td>40</td><td>3</td><td>17</td>' in matrix
    assert '<th scope="row">Oppose</th><td>4</td><td>36</td><td>20</td>' in matrix
    assert "0.9876" not in page and "99%" not in page and "Cross-validated accuracy" not in page
    assert "Code a sample" in page and "0 of 6 coded" in page


def test_an_older_run_without_these_figures_still_shows(client, signed_in_staff):
    old = copy.deepcopy(MEASURED)
    del old["themes"], old["stance"]["deployed"]
    consultation, _ = measured_run(old)
    response = client.get(f"/staff/analysis/{consultation.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Latest results" in page
    assert "estimates-caption" not in page and "confusion-caption" not in page
    assert "0.9876" not in page and "Cross-validated accuracy" not in page


def test_a_theme_without_an_interval_says_why(client, signed_in_staff):
    metrics = copy.deepcopy(MEASURED)
    metrics["themes"]["per_theme"]["cost"] |= {"low": None, "high": None, "precision": None}
    consultation, _ = measured_run(metrics)
    page = client.get(f"/staff/analysis/{consultation.slug}").get_data(as_text=True)
    assert "10 (too few coded comments for an interval)" in page


def test_before_any_coding_the_page_says_the_themes_are_unmeasured(client, signed_in_staff):
    metrics = copy.deepcopy(MEASURED)
    metrics["themes"]["coded_comments"] = 0
    consultation, _ = measured_run(metrics)
    page = client.get(f"/staff/analysis/{consultation.slug}").get_data(as_text=True)
    assert "No comment was coded by staff before this run" in page
    assert "Estimates rest on" not in page
