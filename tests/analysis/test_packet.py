"""Board packets: built from the latest analysis, checked both ways, in four formats."""

from __future__ import annotations

import copy
import csv
import io
from datetime import timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select, update

from analysis.models import AnalysisRun
from analysis.packet.build import PacketError, default_period
from analysis.packet.grounding import check_packet
from analysis.packet.models import Packet
from analysis.packet.services import content_for_cli
from extensions import db
from forum.models import Comment
from forum.timeutil import now_utc
from moderation.models import ReviewReason
from tests import factories
from tests.analysis.test_views import MEASURED, measured_run
from tests.conftest import user_with_role

pytestmark = pytest.mark.slow  # the real encoder and models


def build(runner, slug, fmt, path):
    result = runner.invoke(args=["packet", "build", slug, "--format", fmt, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_every_format_opens_and_carries_the_summary(runner, analysed, tmp_path):
    pdf = PdfReader(build(runner, analysed.slug, "pdf", tmp_path / "packet.pdf"))
    text = "\n".join(page.extract_text() for page in pdf.pages[:3])
    assert "Executive summary" in text and "Positions by stakeholder role" in text
    assert len(pdf.pages) > 5
    assert "Page 1 of" in pdf.pages[0].extract_text()
    catalog = pdf.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog  # a tagged PDF
    document = Document(str(build(runner, analysed.slug, "docx", tmp_path / "packet.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Executive summary" in headings and "Appendix B: records summary" in headings
    assert "Survey results" in headings and "School safety survey (300 responses)" in headings
    html = build(runner, analysed.slug, "html", tmp_path / "packet.html").read_text(
        encoding="utf-8"
    )
    assert (
        "Appendix A: every published comment" in html
        and 'alt="Comments by stakeholder role' in html
    )
    assert "<h2>Survey results</h2>" in html
    assert 'alt="Should school resource officers be stationed' in html
    assert "The survey “School safety survey” received 300 responses" in html


def test_csv_has_one_row_per_published_comment_and_neutralises_formulas(
    runner, client, analysed, tmp_path
):
    comment = db.session.scalar(
        select(Comment).where(Comment.consultation_id == analysed.id, Comment.status == "published")
    )
    comment.submitted_text = (
        '=HYPERLINK("http://evil.example","click")'  # as if it had been sent so
    )
    db.session.commit()
    runner.invoke(args=["analysis", "run", analysed.slug])
    rows = list(
        csv.DictReader(
            io.StringIO(
                build(runner, analysed.slug, "csv", tmp_path / "p.csv").read_text("utf-8-sig")
            )
        )
    )
    published = db.session.scalars(
        select(Comment).where(Comment.consultation_id == analysed.id, Comment.status == "published")
    ).all()
    assert len(rows) == len(published)
    row = next(r for r in rows if r["number"] == str(comment.number))
    assert row["text"] == "'" + comment.submitted_text
    assert all(not r["text"].startswith(("=", "+", "-", "@")) for r in rows)


def test_records_summary_adds_up_to_the_database(runner, analysed):
    content = content_for_cli(analysed)
    records = content["records"]
    assert (
        records["received"]
        == records["published"]
        + records["hidden_total"]
        + records["withdrawn"]
        + records["pending"]
    )
    assert (
        records["received"]
        == db.session.query(Comment).filter(Comment.consultation_id == analysed.id).count()
    )
    assert records["hidden"] == {"commercial_spam": 1, "off_topic": 1}


def test_a_tampered_quote_or_count_fails_the_checks(runner, analysed):
    content = content_for_cli(analysed)
    period = default_period(analysed)
    check_packet(content, analysed, period, {})  # the honest packet passes

    tampered = copy.deepcopy(content)
    theme = next(t for t in tampered["themes"] if t["quotes"])
    theme["quotes"][0]["text"] = theme["quotes"][0]["text"].replace("the", "teh", 1) + " (edited)"
    with pytest.raises(
        PacketError, match=f"the quote of #{theme['quotes'][0]['number']} does not match"
    ):
        check_packet(tampered, analysed, period, {})

    tampered = copy.deepcopy(content)
    tampered["positions"]["rows"][0]["counts"]["support"] += 1
    with pytest.raises(PacketError, match=r"positions: .* support is"):
        check_packet(tampered, analysed, period, {})

    tampered = copy.deepcopy(content)
    tampered["records"]["withdrawn"] += 1
    with pytest.raises(PacketError, match="records summary: withdrawn"):
        check_packet(tampered, analysed, period, {})

    tampered = copy.deepcopy(content)
    tampered["surveys"][0]["questions"][0]["answered"] -= 1
    with pytest.raises(PacketError, match=r"survey question .* answers in the packet"):
        check_packet(tampered, analysed, period, {})

    tampered = copy.deepcopy(content)
    tampered["summary"] = ["An overwhelming 8123 parents oppose the plan."]
    with pytest.raises(PacketError, match="the number 8123"):
        check_packet(tampered, analysed, period, {})


def test_campaigns_list_what_each_sender_added_verbatim(runner, analysed, tmp_path):
    # Moderators have reviewed the demo's repeats (a held copy is never quoted).
    db.session.execute(
        update(ReviewReason).where(ReviewReason.cleared_at.is_(None)).values(cleared_at=now_utc())
    )
    db.session.commit()
    content = content_for_cli(analysed)
    letter = content["campaigns"][0]
    assert letter["additions"]  # the demo's form letter has copies with a sentence added
    for added in letter["additions"]:
        comment = db.session.scalar(
            select(Comment).where(
                Comment.consultation_id == analysed.id, Comment.number == added["number"]
            )
        )
        assert added["text"] in comment.public_text and added["text"] not in letter["template_text"]
    html = build(runner, analysed.slug, "html", tmp_path / "packet.html").read_text(
        encoding="utf-8"
    )
    added = len(letter["additions"])
    assert f"{added} {'sender' if added == 1 else 'senders'} added words of their own" in html
    tampered = copy.deepcopy(content)
    tampered["campaigns"][0]["additions"][0]["text"] += " and more officers"
    with pytest.raises(PacketError, match="addition: the quote of #"):
        check_packet(tampered, analysed, default_period(analysed), {})


def test_a_packet_is_not_built_from_an_analysis_that_missed_a_comment(
    runner, client, analysed, tmp_path
):
    """A comment received before the run's cut-off but published after it (a moderator
    approved it late) is one the analysis never saw: the packet waits for a new run."""
    comment = factories.CommentFactory(
        consultation=analysed, submitted_text="A comment held for review while the analysis ran."
    )
    run = db.session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    comment.received_at = run.started_at - timedelta(minutes=5)
    db.session.commit()
    result = runner.invoke(
        args=["packet", "build", analysed.slug, "--format", "pdf", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0
    assert f"does not cover published comment(s) #{comment.number}" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_staff_review_edit_and_publish_numbered_versions(client, auth, analysed):
    staff = user_with_role("staff")
    auth.login(staff.email)
    response = client.post(
        f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"}
    )
    assert response.status_code == 303
    packet = db.session.scalar(select(Packet))
    assert packet.status == "draft", packet.message
    review = client.get(f"/staff/packets/view/{packet.id}").get_data(as_text=True)
    assert "Executive summary" in review and "Check and publish" in review

    theme = next(
        t for t in packet.content["themes"] if len(t["quotes"]) >= 2 and len(t["candidates"]) > 4
    )
    first = theme["quotes"][0]["number"]
    replacement = next(
        n for n in theme["candidates"] if n not in [q["number"] for q in theme["quotes"]]
    )
    client.post(
        f"/staff/packets/view/{packet.id}/edit",
        data={
            "kind": "swap_quote",
            "theme": theme["key"],
            "number": first,
            "replacement": replacement,
        },
    )
    db.session.refresh(packet)
    quoted = next(t for t in packet.content["themes"] if t["key"] == theme["key"])["quotes"]
    assert quoted[0]["number"] == replacement
    original = db.session.scalar(
        select(Comment).where(Comment.consultation_id == analysed.id, Comment.number == replacement)
    )
    assert quoted[0]["text"] in original.public_text  # verbatim

    bad = client.post(
        f"/staff/packets/view/{packet.id}/edit",
        data={"kind": "summary", "summary": "Nearly 8123 people agree."},
        follow_redirects=True,
    )
    assert "the number 8123" in bad.get_data(as_text=True)
    client.post(
        f"/staff/packets/view/{packet.id}/edit",
        data={"kind": "rename_theme", "theme": theme["key"], "label": "Renamed theme"},
    )
    db.session.refresh(packet)
    assert any(t["label"] == "Renamed theme" for t in packet.content["themes"])

    client.post(f"/staff/packets/view/{packet.id}/publish")
    db.session.refresh(packet)
    assert (packet.status, packet.version, len(packet.content_hash)) == ("published", 1, 64)
    frozen = client.post(
        f"/staff/packets/view/{packet.id}/edit",
        data={"kind": "summary", "summary": "Changed."},
        follow_redirects=True,
    )
    assert b"frozen" in frozen.data

    client.post(f"/staff/packets/{analysed.slug}", data={"prepared_by": "Office of the Board"})
    second = db.session.scalars(select(Packet).order_by(Packet.id.desc())).first()
    client.post(f"/staff/packets/view/{second.id}/publish")
    db.session.refresh(second)
    assert second.version == 2
    old = client.get(f"/staff/packets/view/{packet.id}/packet.pdf")
    assert old.status_code == 200 and old.data.startswith(b"%PDF")


def test_only_staff_reach_packets(client, auth, analysed):
    auth.login(user_with_role("moderator").email)
    assert client.get(f"/staff/packets/{analysed.slug}").status_code == 403
    assert client.post(f"/staff/packets/{analysed.slug}").status_code == 403


def test_the_method_section_gives_theme_estimates_and_the_stance_rule(runner, app, tmp_path):
    consultation, run = measured_run()
    content = content_for_cli(consultation)  # builds and passes every check
    method = content["method"]
    assert "stance_cv_accuracy" not in method and "stance_support_oppose_accuracy" not in method
    assert method["coded_comments"] == 47
    stored = run.metrics["themes"]["per_theme"]
    for row in method["theme_estimates"]:
        assert {k: row[k] for k in stored[row["key"]]} == stored[row["key"]]
    assert [row["key"] for row in method["theme_estimates"]] == ["counselors", "cost"]
    rule = method["stance_rule"]
    assert rule["coverage"] == 0.6917 and rule["confusion_columns"] == [
        "support",
        "oppose",
        "unknown",
    ]

    html = build(runner, consultation.slug, "html", tmp_path / "p.html").read_text("utf-8")
    method_html = html[html.index("<h2>Method and caveats</h2>") : html.index("<h2>Positions")]
    assert "Staff coded 47 comments by hand" in method_html
    assert '<th scope="col">Estimate (95% interval)</th>' in method_html
    assert "<td>52 (41 to 64)</td>" in method_html and "<td>10 (2 to 22)</td>" in method_html
    assert "Cost (low confidence)" in method_html and "More counselors (low" not in method_html
    assert "<td>47 coded, 19 raise it</td>" in method_html and "<td>82%</td>" in method_html
    assert "right 90% of the time" in method_html
    assert (
        "it answered 83 of them, a coverage of 69% of the support and oppose positions, and was right 92% of the time"
        in method_html
    )
    assert (
        '<th scope="row">support</th><td>40</td><td>3</td><td>17</td>' in method_html
        and '<th scope="col">Declared</th>' in method_html
    )
    assert "0.9876" not in html and "cross-validated accuracy" not in html.lower()

    document = Document(str(build(runner, consultation.slug, "docx", tmp_path / "p.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Method and caveats") < headings.index("Positions by stakeholder role")
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "it answered 83 of them, a coverage of 69% of the support and oppose positions, and was right 92% of the time"
        in text
    )
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Declared", "support", "oppose", "unknown"] in cells
    assert ["support", "40", "3", "17"] in cells
    assert [
        "Cost (low confidence)",
        "2",
        "10 (2 to 22)",
        "47 coded, 3 raise it; codebook only",
        "55%",
        "unknown",
    ] in cells
    assert "0.9876" not in text

    pdf = PdfReader(build(runner, consultation.slug, "pdf", tmp_path / "p.pdf"))
    first_pages = " ".join(page.extract_text() for page in pdf.pages[:3])
    assert "low confidence" in first_pages and "52 (41 to 64)" in first_pages


def test_a_packet_from_an_older_run_leaves_the_new_figures_out(runner, app, tmp_path):
    old = copy.deepcopy(MEASURED)
    del old["themes"], old["stance"]["deployed"]
    consultation, _ = measured_run(old)
    html = build(runner, consultation.slug, "html", tmp_path / "p.html").read_text("utf-8")
    assert "Method and caveats" in html and "Estimate (95% interval)" not in html
    assert "Themes are assigned by similarity to a codebook" in html
    assert "0.9876" not in html
    build(runner, consultation.slug, "docx", tmp_path / "p.docx")
