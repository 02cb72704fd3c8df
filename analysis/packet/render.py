"""The packet in four formats: HTML (printable), PDF (WeasyPrint, tagged), DOCX and CSV."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, render_template
from sqlalchemy import select

from analysis.models import CommentAnalysis
from extensions import db
from forum.models import Comment, Consultation
from forum.sanitize import csv_cell, csv_writer
from forum.timeutil import to_local

FORMATS = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}


STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "packet.css"


def render_html(content: dict[str, Any], *, for_browser: bool = True) -> str:
    if not has_request_context():  # the command line: templates still expect a request
        with current_app.test_request_context():
            return render_template(
                "analysis/packet_document.html", packet=content, for_browser=for_browser
            )
    return render_template("analysis/packet_document.html", packet=content, for_browser=for_browser)


def render_pdf(content: dict[str, Any]) -> bytes:
    """A tagged PDF with selectable text and page numbers."""
    from weasyprint import CSS, HTML

    html = render_html(content, for_browser=False)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))], pdf_tags=True)


def render_docx(content: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Pt

    header, records = content["header"], content["records"]
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_paragraph(header["district"])
    document.add_heading(header["subject"], level=0)
    for label, value in (
        ("Meeting date", header["meeting_date"]),
        ("Agenda item", header["agenda_item"]),
        ("Item type", header["item_type"]),
        ("Prepared by", header["prepared_by"]),
        ("Version", header["version"] or "draft"),
        ("Comment period", f"{content['period']['start']} to {content['period']['end']}"),
        (
            "Comments received up to",
            f"{content['period']['cutoff']} (interim packet; later comments are in the next one)"
            if content["period"].get("cutoff")
            else f"the end of the comment period ({content['period']['end']})",
        ),
    ):
        document.add_paragraph(f"{label}: {value or '—'}")
    document.add_heading("Executive summary", level=1)
    for paragraph in content["summary"]:
        document.add_paragraph(paragraph)
    _method_docx(document, content)
    document.add_heading("Positions by stakeholder role", level=1)
    document.add_paragraph(
        "Each count is split into positions commenters declared (said so) and positions "
        "predicted from the text of comments that declared none."
    )
    columns = content["positions"]["columns"]
    _table(
        document,
        ["Role", *columns, "Total"],
        [
            [r["label"], *[_split_cell(r, s) for s in columns], r["total"]]
            for r in [*content["positions"]["rows"], content["positions"]["total"]]
        ],
    )
    document.add_paragraph(content["positions"]["chart_alt"])
    document.add_heading("Themes", level=1)
    for theme in content["themes"]:
        document.add_heading(f"{theme['label']} ({theme['count']} comments)", level=2)
        for quote in theme["quotes"]:
            document.add_paragraph(
                f"“{quote['text']}{'…' if quote['excerpt'] else ''}” (#{quote['number']}, {quote['role']}, "
                f"{_footer_position(quote)})",
                style="Quote",
            )
    document.add_heading("Campaigns", level=1)
    for campaign in content["campaigns"]:
        document.add_paragraph(
            f"{campaign['comments']} comments from {campaign['people']} people, "
            f"template #{campaign['template_number']}:"
        )
        if campaign["template_text"] is not None:
            document.add_paragraph(campaign["template_text"], style="Quote")
        else:
            document.add_paragraph(
                "The letter is not quoted: every copy of it is under review, flagged or redacted."
            )
        if campaign.get("additions"):
            document.add_paragraph(
                f"{len(campaign['additions'])} "
                f"{'sender' if len(campaign['additions']) == 1 else 'senders'} added words of their own:"
            )
            for added in campaign["additions"]:
                document.add_paragraph(f"“{added['text']}” (#{added['number']})", style="Quote")
    _survey_docx(document, content.get("surveys", []))
    document.add_heading("Comments not analysed (other languages)", level=1)
    document.add_paragraph(f"{len(content['not_analysed'])} comments.")
    for entry in content["not_analysed"]:
        document.add_paragraph(
            f"#{entry['number']} ({entry['language']}, {entry['position']}): {entry['text']}"
        )
    document.add_heading("Appendix A: published comments", level=1)
    for entry in content["appendix"]:
        document.add_paragraph(
            f"#{entry['number']} · {entry['date']} · {entry['role']} · {entry['position']} · {entry['channel']}"
        )
        document.add_paragraph(entry["text"])
    document.add_heading("Appendix B: records summary", level=1)
    rows = [["Published", records["published"]]] + [
        [f"Hidden: {k}", v] for k, v in records["hidden"].items()
    ]
    rows += [
        ["Withdrawn", records["withdrawn"]],
        ["Pending review", records["pending"]],
        ["Received", records["received"]],
    ]
    _table(document, ["Records", "Comments"], rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _split_cell(row: dict[str, Any], stance: str) -> str:
    count = row["counts"][stance]
    if stance == "unknown" or not count:
        return str(count)
    return f"{count} ({row['declared'][stance]} said so, {row['predicted'][stance]} predicted)"


def _footer_position(quote: dict[str, Any]) -> str:
    source = quote.get("position_source")
    if source == "declared":
        return f"{quote['position']} (said so)"
    if source == "predicted":
        return f"{quote['position']} (predicted from the text, not declared)"
    return "position unknown"


def _percent(value: float | None, missing: str = "n/a") -> str:
    return missing if value is None else f"{round(100 * value)}%"


def _method_docx(document, content: dict[str, Any]) -> None:
    """How the figures were made and how far to trust them, as in the HTML packet."""
    method, sources = content["method"], content["positions"]["sources"]
    document.add_heading("Method and caveats", level=1)
    document.add_paragraph(
        "Participants are self-selected: these are the views of the people who chose to "
        "comment, not a poll or a sample of the district."
    )
    stance = (
        f"Position is the one the commenter declared where they gave one ({sources['declared']} "
        f"comments); otherwise a classifier trained on the declared positions predicted it "
        f"({sources['predicted']}), or it is unknown ({sources['unknown']})."
    )
    rule = method.get("stance_rule")
    if rule:
        stance += (
            f" The classifier states a position only when it is confident enough to be right "
            f"{_percent(rule['target_precision'])} of the time. Tested by {rule['folds']}-fold "
            f"cross-validation on {rule['evaluated']} declared positions (copies of a form letter "
            f"kept in the same fold), it answered {rule['answered']} of them, a coverage of "
            f"{_percent(rule['coverage'])} of the support and oppose positions, and was right "
            f"{_percent(rule['accuracy_when_answering'])} of the time when it answered."
        )
    document.add_paragraph(stance)
    if rule:
        _table(
            document,
            ["Declared", *rule["confusion_columns"]],
            [[row["declared"], *row["counts"]] for row in rule["confusion_rows"]],
        )
    estimates = method.get("theme_estimates")
    if not estimates:
        return
    coded = (
        f"Staff coded {method['coded_comments']} comments by hand; themes with enough coded "
        "examples are learned from them, the others use the codebook alone."
        if method.get("coded_comments")
        else "No comment had been coded by staff, so every theme comes from the codebook alone."
    )
    document.add_paragraph(
        f"{coded} Counts are "
        "estimates with a 95% interval; precision and recall are cross-validated on the coded "
        "comments; “low confidence” means an estimated precision below 70% or none measured."
    )
    _table(
        document,
        ["Theme", "Assigned", "Estimate (95% interval)", "Coded sample", "Precision", "Recall"],
        [_estimate_cells(row) for row in estimates],
    )


def _estimate_cells(row: dict[str, Any]) -> list[Any]:
    theme = row["label"] + (" (low confidence)" if row["low_confidence"] else "")
    if row["merged_into"]:
        theme += f", counted under {row['merged_into']} in this packet"
    estimate = "—" if row["estimate"] is None else str(round(row["estimate"]))
    if row["estimate"] is not None and row["low"] is not None and row["high"] is not None:
        estimate += f" ({round(row['low'])} to {round(row['high'])})"
    elif row["estimate"] is not None:
        estimate += " (too few coded comments for an interval)"
    source = f"learned from {row['coded']}" if row["source"] == "learned" else "codebook only"
    return [
        theme,
        "—" if row["assigned"] is None else row["assigned"],
        estimate,
        f"{row['coded']} coded, {row['coded_positive']} raise it; {source}",
        _percent(row["precision"], "unknown"),
        _percent(row["recall"], "unknown"),
    ]


def _survey_docx(document, surveys: list[dict[str, Any]]) -> None:
    if not surveys:
        return
    document.add_heading("Survey results", level=1)
    for survey in surveys:
        document.add_heading(f"{survey['title']} ({survey['responses']} responses)", level=2)
        for question in survey["questions"]:
            document.add_heading(f"{question['position']}. {question['prompt']}", level=3)
            document.add_paragraph(f"{question['answered']} answered.")
            roles = survey["roles"]
            if question.get("rows") and question["kind"] == "ranking":
                _table(
                    document,
                    ["Option", "Average rank", "Ranked first", *[r["label"] for r in roles]],
                    [
                        [row["label"], row["mean_rank"], row["first"]]
                        + [row["by_role"][r["key"]]["mean_rank"] for r in roles]
                        for row in question["rows"]
                    ],
                )
            elif question.get("rows"):
                _table(
                    document,
                    ["Answer", "All", *[r["label"] for r in roles]],
                    [
                        [row["label"], f"{row['count']} ({row['percent']}%)"]
                        + [
                            f"{row['by_role'][r['key']]['count']} ({row['by_role'][r['key']]['percent']}%)"
                            for r in roles
                        ]
                        for row in question["rows"]
                    ],
                )
            elif question.get("stats"):
                stats = question["stats"]
                document.add_paragraph(
                    f"Average {stats['mean']}, median {stats['median']}, "
                    f"lowest {stats['min']}, highest {stats['max']}."
                )


def _table(document, headings: list[str], rows: list[list[Any]]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if document.paragraphs:  # the heading or sentence that introduces the table stays with it
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Light Grid Accent 1"
    # Word repeats a row marked as a header row at the top of every page the table runs onto.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = str(heading)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)


def render_csv(content: dict[str, Any], consultation: Consultation) -> bytes:
    """One row per published comment in the packet, every cell neutralised for spreadsheets."""
    numbers = [entry["number"] for entry in content["appendix"]]
    comments = {
        c.number: c
        for c in db.session.scalars(
            select(Comment).where(
                Comment.consultation_id == consultation.id, Comment.number.in_(numbers)
            )
        )
    }
    analyses = {
        a.comment_id: a
        for a in db.session.scalars(
            select(CommentAnalysis).where(
                CommentAnalysis.run_id == content["header"]["analysis_run"]
            )
        )
    }
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # every cell quoted (forum.sanitize)
    writer.writerow(
        [
            "number",
            "received_at",
            "channel",
            "role",
            "school",
            "declared_position",
            "stance",
            "stance_source",
            "sentiment",
            "themes",
            "campaign",
            "language",
            "text",
        ]
    )
    for number in numbers:
        comment = comments[number]
        analysis = analyses.get(comment.id)
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    comment.number,
                    to_local(comment.received_at).isoformat(),
                    comment.channel,
                    comment.stakeholder_role,
                    comment.school.name if comment.school else "",
                    comment.declared_position or "",
                    analysis.stance if analysis else "",
                    analysis.stance_source if analysis else "",
                    analysis.sentiment or "" if analysis else "",
                    ";".join(analysis.themes) if analysis else "",
                    analysis.campaign_key or "" if analysis else "",
                    analysis.language if analysis else "",
                    comment.public_text,
                )
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def render(fmt: str, content: dict[str, Any], consultation: Consultation) -> bytes:
    if fmt == "html":
        return render_html(content).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(content)
    if fmt == "docx":
        return render_docx(content)
    if fmt == "csv":
        return render_csv(content, consultation)
    raise ValueError(f"unknown format {fmt!r}")
