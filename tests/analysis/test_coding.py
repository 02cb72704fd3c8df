"""Staff code a sample of comments, one at a time, on /staff/analysis/<slug>/coding."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from analysis import coding
from analysis.models import AnalysisRun, CommentAnalysis, Theme, ThemeCorrection
from extensions import db
from forum.models import Comment
from tests import factories
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models

THEMES = {
    "counselors": ("Counselors", "More counselors and mental-health staff in schools."),
    "officers": ("Officers", "School resource officers on campus."),
    "cost": ("Cost", "What the plan costs and where the money comes from."),
}


@pytest.fixture
def plan(app):
    """A consultation with 45 published comments, three themes in use and one retired."""
    consultation = factories.ConsultationFactory()
    for key, (label, description) in THEMES.items():
        db.session.add(
            Theme(consultation=consultation, key=key, label=label, description=description)
        )
    db.session.add(
        Theme(consultation=consultation, key="buses", label="Buses", description="x", active=False)
    )
    for n in range(45):
        factories.CommentFactory(
            consultation=consultation, submitted_text=f"Comment number {n} about <the plan>."
        )
    factories.CommentFactory(consultation=consultation, status="hidden", hidden_reason="off_topic")
    db.session.commit()
    return consultation


@pytest.fixture
def staff_client(client, auth):
    auth.login(user_with_role("staff").email)
    return client


def offered(client, slug: str) -> tuple[int, str]:
    """The comment id the coding page offers, and the page."""
    response = client.get(f"/staff/analysis/{slug}/coding")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = re.search(r'name="comment_id" type="hidden" value="(\d+)"', page)
    assert match, page
    return int(match.group(1)), page


def save(client, slug: str, comment_id: int, themes: list[str]):
    return client.post(
        f"/staff/analysis/{slug}/coding",
        data={"comment_id": comment_id, "themes": themes, "save": "Save and next"},
    )


def test_the_coding_page_shows_one_comment_escaped_with_a_checkbox_per_theme(plan, staff_client):
    comment_id, page = offered(staff_client, plan.slug)
    comment = db.session.get(Comment, comment_id)
    assert comment.status == "published" and comment.consultation_id == plan.id
    assert comment.submitted_text.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "<the plan>" not in page
    assert 'lang="en" dir="auto"' in page  # as the author chose (detected language unknown)
    for number, key in enumerate(sorted(THEMES), start=1):
        assert f'type="checkbox" value="{key}"' in page
        assert f'data-shortcut="{number}"' in page
        assert THEMES[key][1] in page
    assert 'value="buses"' not in page  # retired themes are not coded
    assert "0 of 40 coded" in page
    assert 'value="Save and next"' in page and 'value="Skip"' in page
    assert "js/coding.js" in page and "keys 1 to 9" in page


def test_saving_records_a_code_for_every_active_theme_and_moves_on(plan, staff_client):
    comment_id, _ = offered(staff_client, plan.slug)
    response = save(staff_client, plan.slug, comment_id, ["cost"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/coding")
    codes = {
        c.theme_key: c.applies
        for c in db.session.scalars(
            select(ThemeCorrection).where(ThemeCorrection.comment_id == comment_id)
        )
    }
    assert codes == {"cost": True, "counselors": False, "officers": False}
    number = db.session.get(Comment, comment_id).number
    page = staff_client.get(f"/staff/analysis/{plan.slug}/coding").get_data(as_text=True)
    assert f"Codes for #{number} saved. The next analysis learns the themes from them." in page
    assert "1 of 40 coded" in page
    next_id, _ = offered(staff_client, plan.slug)
    assert next_id != comment_id


def test_the_sample_is_stable_skips_coded_comments_and_skipped_ones(plan, staff_client, auth):
    first, _ = offered(staff_client, plan.slug)
    assert offered(staff_client, plan.slug)[0] == first
    auth.logout()
    auth.login(user_with_role("staff").email)  # someone else, a new session: the same sample
    assert offered(staff_client, plan.slug)[0] == first

    # Coded elsewhere (the comment's own page): the sample moves past it.
    number = db.session.get(Comment, first).number
    staff_client.post(f"/staff/analysis/{plan.slug}/comments/{number}", data={"themes": ["cost"]})
    second, _ = offered(staff_client, plan.slug)
    assert second != first

    response = staff_client.post(
        f"/staff/analysis/{plan.slug}/coding", data={"comment_id": second, "skip": "Skip"}
    )
    assert response.status_code == 303
    third, page = offered(staff_client, plan.slug)
    assert third not in (first, second) and "1 skipped in this session" in page
    assert not db.session.scalars(
        select(ThemeCorrection).where(ThemeCorrection.comment_id == second)
    ).all()

    seen = [first, second]
    comment_id = third
    for _ in range(40):
        seen.append(comment_id)
        save(staff_client, plan.slug, comment_id, ["officers"])
        comment_id, page = offered(staff_client, plan.slug)
        if "The random sample is coded" in page:
            break
    sample = coding.seeded_order(plan.id)[:40]
    assert set(seen) == set(sample) and len(seen) == len(set(seen)) == 40
    assert "39 of 40 coded" in page  # the skipped one is still to do
    assert comment_id not in sample


def test_after_the_sample_the_least_sure_comment_comes_first(plan, staff_client, monkeypatch):
    monkeypatch.setattr(coding, "SAMPLE_SIZE", 3)
    order = coding.seeded_order(plan.id)
    for _ in range(3):
        save(staff_client, plan.slug, offered(staff_client, plan.slug)[0], [])
    assert coding.coded_ids(plan.id, THEMES) == set(order[:3])

    run = AnalysisRun(consultation_id=plan.id, status="done")
    db.session.add(run)
    db.session.flush()
    unsure, fairly_unsure = order[30], order[20]
    for comment_id in order:
        scores = {"counselors": 0.02, "officers": 0.97, "cost": 0.01}
        if comment_id == unsure:
            scores = {"counselors": 0.5, "officers": 0.45, "cost": 0.55}
        elif comment_id == fairly_unsure:
            scores = {"counselors": 0.4, "officers": 0.9, "cost": 0.1}
        db.session.add(
            CommentAnalysis(
                run_id=run.id,
                comment_id=comment_id,
                themes=[],
                topic_source="suggested",
                topic_scores=scores,
            )
        )
    db.session.commit()

    first, page = offered(staff_client, plan.slug)
    assert first == unsure
    assert "3 of 3 coded" in page and "least sure about" in page
    save(staff_client, plan.slug, first, ["cost"])
    assert offered(staff_client, plan.slug)[0] == fairly_unsure


def test_without_themes_in_use_there_is_nothing_to_code(app, staff_client):
    consultation = factories.ConsultationFactory()
    factories.CommentFactory(consultation=consultation)
    db.session.commit()
    page = staff_client.get(f"/staff/analysis/{consultation.slug}/coding").get_data(as_text=True)
    assert "The codebook has no themes in use" in page and 'name="comment_id"' not in page


def test_a_comment_of_another_consultation_is_refused(plan, staff_client):
    stranger = factories.CommentFactory()
    db.session.commit()
    assert save(staff_client, plan.slug, stranger.id, ["cost"]).status_code == 400
    assert save(staff_client, plan.slug, 0, ["cost"]).status_code == 400
    comment_id, _ = offered(staff_client, plan.slug)
    assert save(staff_client, plan.slug, comment_id, ["nonsense"]).status_code == 400
    assert db.session.scalar(select(ThemeCorrection)) is None


@pytest.mark.parametrize("role", ["participant", "moderator", "threat_assessor"])
def test_only_staff_and_admins_code(client, auth, plan, role):
    auth.login(user_with_role(role).email)
    assert client.get(f"/staff/analysis/{plan.slug}/coding").status_code == 403
    comment = db.session.scalar(select(Comment).where(Comment.consultation_id == plan.id))
    response = client.post(
        f"/staff/analysis/{plan.slug}/coding", data={"comment_id": comment.id, "themes": ["cost"]}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(ThemeCorrection)) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, plan):
    response = client.get(f"/staff/analysis/{plan.slug}/coding")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_code_too(client, auth, plan):
    auth.login(user_with_role("admin").email)
    comment_id, _ = offered(client, plan.slug)
    assert save(client, plan.slug, comment_id, ["cost"]).status_code == 303
