"""The printed packet as a clerk checks it: headings stay with their tables, header rows repeat,
and declared and predicted positions are told apart on paper as on screen."""

from __future__ import annotations

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from analysis.packet.services import content_for_cli

pytestmark = pytest.mark.slow  # the real encoder and models


def build(runner, slug, fmt, path):
    result = runner.invoke(args=["packet", "build", slug, "--format", fmt, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_the_pdf_keeps_headings_with_their_tables_and_says_declared_and_predicted(
    runner, analysed, tmp_path
):
    content = content_for_cli(analysed)
    reader = PdfReader(build(runner, analysed.slug, "pdf", tmp_path / "p.pdf"))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    school_page = next(t for t in pages if "By school, where the commenter named one" in t)
    first_school = content["positions"]["by_school"][0]
    assert first_school["label"] in school_page  # the table starts on the heading's page
    positions_page = next(t for t in pages if "Comments by role and position" in t)
    total = content["positions"]["total"]
    declared, predicted = total["declared"], total["predicted"]
    assert f"All roles said so {declared['support']} {declared['oppose']} " in positions_page
    assert f"predicted {predicted['support']} {predicted['oppose']} " in positions_page
    # a long table repeats its header row on the next page
    continued = [t for t in pages if t.count("School Position support oppose") == 1]
    assert len(continued) >= 2
    text = "\n".join(pages)
    assert "(said so)" in text or "(predicted from the text, not declared)" in text
    assert "too small to compare" in text  # small groups are not compared


def test_docx_tables_repeat_their_header_row(runner, analysed, tmp_path):
    document = Document(str(build(runner, analysed.slug, "docx", tmp_path / "p.docx")))
    assert document.tables
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
    positions = next(t for t in document.tables if t.rows[0].cells[0].text == "Role")
    assert any("said so" in cell.text for row in positions.rows[1:] for cell in row.cells)
