"""What the staff analysis and packet forms accept, refuse and say, without running an analysis."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analysis.models import AnalysisRun, DiscoveredTheme, Theme, ThemeCorrection
from analysis.packet.models import Packet
from extensions import db
from tests import factories
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


@pytest.fixture
def signed_in_staff(client, auth):
    staff = user_with_role("staff")
    auth.login(staff.email)
    return staff


def packets() -> int:
    return db.session.scalar(select(func.count()).select_from(Packet))


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"start": "2026-13-40"}, "“2026-13-40” is not a date (use YYYY-MM-DD)."),
        ({"start": "2026-01-01", "end": "soon"}, "“soon” is not a date (use YYYY-MM-DD)."),
        (
            {"start": "2026-02-01", "end": "2026-01-01"},
            "The period must end on or after its start.",
        ),
    ],
)
def test_a_packet_period_that_does_not_read_is_refused_with_the_reason(
    client, consultation, signed_in_staff, period, message
):
    response = client.post(f"/staff/packets/{consultation.slug}", data=period)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/packets/{consultation.slug}"
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert packets() == 0


def test_unknown_consultations_and_packets_are_404(client, signed_in_staff):
    assert client.get("/staff/packets/no-such-plan").status_code == 404
    assert client.get("/staff/packets/view/999999").status_code == 404
    assert (
        client.post("/staff/packets/view/999999/edit", data={"kind": "summary"}).status_code == 404
    )
    assert client.get("/staff/analysis/no-such-plan").status_code == 404


def test_an_unticked_box_takes_a_theme_out_of_use(client, consultation, signed_in_staff):
    data = {"key": " buses ", "label": "Buses", "description": "Routes and stops."}
    client.post(f"/staff/analysis/{consultation.slug}/themes", data=data | {"active": "y"})
    theme = db.session.scalar(select(Theme).where(Theme.key == "buses"))
    assert theme is not None and theme.active
    client.post(f"/staff/analysis/{consultation.slug}/themes", data=data)
    db.session.refresh(theme)
    assert not theme.active


def test_a_codebook_theme_needs_a_label_and_a_description(client, consultation, signed_in_staff):
    response = client.post(
        f"/staff/analysis/{consultation.slug}/themes",
        data={"key": "buses", "active": "y"},
        follow_redirects=True,
    )
    assert "Give the theme a label and a description." in response.get_data(as_text=True)
    assert db.session.scalar(select(Theme)) is None


@pytest.fixture
def found(consultation):
    comment = factories.CommentFactory(consultation=consultation)
    run = AnalysisRun(consultation_id=consultation.id, status="failed")  # no results to show
    db.session.add(run)
    db.session.flush()
    found = DiscoveredTheme(run_id=run.id, key="d1", keywords=["bus"], member_ids=[comment.id])
    db.session.add(found)
    db.session.commit()
    return found


def test_a_discovered_theme_takes_only_the_three_actions(
    client, consultation, found, signed_in_staff
):
    url = f"/staff/analysis/{consultation.slug}/discovered/{found.id}"
    assert client.post(url, data={"action": "delete"}).status_code == 400
    assert client.post(url, data={}).status_code == 400
    other = factories.ConsultationFactory()
    db.session.commit()
    assert (
        client.post(
            f"/staff/analysis/{other.slug}/discovered/{found.id}",
            data={"action": "name", "name": "x"},
        ).status_code
        == 404
    )
    assert (
        client.post(f"{url[: -len(str(found.id))]}999999", data={"action": "name"}).status_code
        == 404
    )


def test_merging_needs_a_codebook_theme(client, consultation, found, signed_in_staff):
    url = f"/staff/analysis/{consultation.slug}/discovered/{found.id}"
    response = client.post(
        url, data={"action": "merge", "theme_key": "nope"}, follow_redirects=True
    )
    assert "Choose a codebook theme to merge into." in response.get_data(as_text=True)
    response = client.post(url, data={"action": "name", "name": "  "}, follow_redirects=True)
    assert "Give the theme a name." in response.get_data(as_text=True)
    assert db.session.scalar(select(ThemeCorrection)) is None


def test_theme_keys_outside_the_codebook_are_ignored(client, consultation, signed_in_staff):
    comment = factories.CommentFactory(consultation=consultation)
    db.session.add(
        Theme(consultation_id=consultation.id, key="cost", label="Cost", description="Money.")
    )
    db.session.commit()
    response = client.post(
        f"/staff/analysis/{consultation.slug}/comments/{comment.number}",
        data={"themes": ["cost", "not_a_theme"]},
    )
    assert response.status_code == 303
    corrections = {c.theme_key: c.applies for c in db.session.scalars(select(ThemeCorrection))}
    assert corrections == {"cost": True}
