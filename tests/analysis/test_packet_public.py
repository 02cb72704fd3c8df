"""Interim packets, "What we heard" for the public, and publishing from the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from analysis.packet.models import Packet
from extensions import db
from forum.timeutil import now_utc
from moderation.models import AuditEntry
from tests import factories
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


def late_comment(consultation, text):
    """A comment published after the analysis ran (received now, so after the run's cut-off)."""
    comment = factories.CommentFactory(consultation=consultation, submitted_text=text)
    db.session.commit()
    return comment.number


def test_a_comment_after_the_analysis_does_not_block_an_interim_packet(
    runner, client, analysed, tmp_path
):
    late = late_comment(analysed, "A late comment the analysis has not seen.")
    result = runner.invoke(
        args=["packet", "build", analysed.slug, "--format", "pdf", "-o", str(tmp_path / "p.pdf")]
    )
    assert result.exit_code == 0, result.output
    cover = PdfReader(tmp_path / "p.pdf").pages[0].extract_text()
    assert "Interim packet: comments received up to" in cover
    html_result = runner.invoke(
        args=["packet", "build", analysed.slug, "--format", "html", "-o", str(tmp_path / "p.html")]
    )
    assert html_result.exit_code == 0, html_result.output
    html = (tmp_path / "p.html").read_text("utf-8")
    assert f"<strong>#{late}</strong>" not in html  # not in appendix A: the next packet has it

    # The consultation closes; the analysis run after the close covers every comment.
    analysed.closes_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    assert runner.invoke(args=["analysis", "run", analysed.slug]).exit_code == 0
    result = runner.invoke(
        args=["packet", "build", analysed.slug, "--format", "html", "-o", str(tmp_path / "f.html")]
    )
    assert result.exit_code == 0, result.output
    final = (tmp_path / "f.html").read_text("utf-8")
    assert f"<strong>#{late}</strong>" in final and "Interim packet" not in final
    assert "Comments received up to the end of the comment period" in final


def test_a_visitor_reads_the_published_packet_but_never_a_draft(runner, client, auth, analysed):
    staff = user_with_role("staff")
    page = client.get(f"/consultations/{analysed.slug}").get_data(as_text=True)
    assert "What we heard" not in page
    auth.login(staff.email)
    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"})
    draft = db.session.scalar(select(Packet))
    assert draft.status == "draft", draft.message
    auth.logout()
    # A draft has no public address: every one answers 404 to a visitor.
    for url in (
        f"/consultations/{analysed.slug}/what-we-heard",
        f"/consultations/{analysed.slug}/what-we-heard/v1",
        f"/consultations/{analysed.slug}/what-we-heard/v1/packet.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert "What we heard" not in client.get(f"/consultations/{analysed.slug}").get_data(
        as_text=True
    )

    result = runner.invoke(args=["packet", "publish", analysed.slug, "--by", staff.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(draft)
    assert (draft.status, draft.version) == ("published", 1)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "packet"))
    assert (audit.action, audit.actor_id, audit.target_id) == ("publish_packet", staff.id, draft.id)

    page = client.get(f"/consultations/{analysed.slug}").get_data(as_text=True)
    assert "What we heard" in page and f"/consultations/{analysed.slug}/what-we-heard" in page
    heard = client.get(f"/consultations/{analysed.slug}/what-we-heard")
    assert heard.status_code == 200
    text = heard.get_data(as_text=True)
    assert "Executive summary" in text and draft.content_hash in text
    assert 'lang="en"' in text and "Version history" in text
    pdf = client.get(f"/consultations/{analysed.slug}/what-we-heard/v1/packet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert (
        client.get(f"/consultations/{analysed.slug}/what-we-heard/v1/packet.csv").status_code == 404
    )

    # A second draft stays private while version 1 stays public.
    auth.login(staff.email)
    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"})
    auth.logout()
    assert client.get(f"/consultations/{analysed.slug}/what-we-heard/v2").status_code == 404
    assert client.get(f"/consultations/{analysed.slug}/what-we-heard/v1").status_code == 200


def test_publishing_from_the_command_line_needs_staff_and_a_passing_check(runner, analysed):
    participant = user_with_role("participant")
    result = runner.invoke(args=["packet", "publish", analysed.slug, "--by", participant.email])
    assert result.exit_code != 0 and "is not a staff account" in result.output
    assert db.session.scalar(select(Packet).where(Packet.status == "published")) is None
    staff = user_with_role("staff")
    first = runner.invoke(args=["packet", "publish", analysed.slug, "--by", staff.email])
    second = runner.invoke(args=["packet", "publish", analysed.slug, "--by", staff.email])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    versions = db.session.scalars(select(Packet.version).order_by(Packet.version)).all()
    assert versions == [1, 2]
    assert "version 2" in second.output
