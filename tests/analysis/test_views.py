"""Staff start an analysis in the browser, follow it, and tend the codebook and themes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis.models import AnalysisRun, CommentAnalysis, DiscoveredTheme, Theme, ThemeCorrection
from extensions import db
from forum.models import Comment
from tests.conftest import user_with_role


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
