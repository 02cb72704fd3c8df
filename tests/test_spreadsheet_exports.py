"""CSV exports open safely in any spreadsheet, whatever separator its locale splits cells on.

Text that a spreadsheet would run as a formula after skipping leading blanks, or that becomes a
cell of its own when the spreadsheet splits on ";" (Excel in much of Europe), tab or "|", is
neutralised in the board packet CSV and in the survey export alike.
"""

from __future__ import annotations

import csv
import io

import pytest

from extensions import db
from forum import surveys as survey_service
from forum.models import QuestionKind, SurveyStatus
from forum.surveys import QuestionSpec
from tests import factories

# Each of these passed the first-character check of the original neutralisation.
HOSTILE = [
    ' =HYPERLINK("http://evil.example","click")',
    "\u00a0=1+1",
    "\n=cmd|' /C calc'!A0",
    "\r\n+SUM(1)",
    "\u200b@SUM(2)",
    "ok;=1+1",
    "fine\t-2+3",
    "tidy|=4+4",
]
SEPARATORS = [",", ";", "\t", "|"]
FORMULA_START = ("=", "+", "-", "@")


def without_marks(text: str) -> str:
    return text.replace("'", "")


def formula_cells(data: str) -> list[tuple[str, str]]:
    """Cells that a spreadsheet splitting on any common separator would treat as a formula."""
    found = []
    for separator in SEPARATORS:
        for row in csv.reader(io.StringIO(data), delimiter=separator):
            for cell in row:
                stripped = cell.lstrip(" \t\r\n\u00a0\u200b\ufeff")
                if stripped.startswith(FORMULA_START):
                    found.append((separator, cell))
    return found


def test_survey_export_neutralises_formulas_behind_blanks_and_separators(
    client, auth, staff, consultation
):
    survey = survey_service.create_survey(consultation, title="Export", status=SurveyStatus.OPEN)
    survey_service.add_question(survey, QuestionSpec(QuestionKind.LONG_TEXT, "Your idea"))
    db.session.commit()
    field = survey.questions[0].field_name
    for index, text in enumerate(HOSTILE):
        response = client.post(
            f"/consultations/{consultation.slug}/surveys/{survey.id}",
            data={
                "stakeholder_role": "parent",
                "school_id": "",
                "preferred_language": "en",
                "idempotency_key": f"export-key-{index:010d}",
                field: text,
            },
        )
        assert response.status_code == 303, text
    auth.login(staff.email)
    export = client.get(f"/staff/surveys/{survey.id}/responses.csv").get_data(as_text=True)
    assert formula_cells(export.lstrip("\ufeff")) == []
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    answers = [row[rows[0].index("Q1. Your idea")] for row in rows[1:]]
    # Nothing is lost: each answer is the text as sent, with an apostrophe where a formula began.
    assert [without_marks(a) for a in answers] == [without_marks(t) for t in HOSTILE]


@pytest.fixture
def analysed_consultation(runner):
    consultation = factories.ConsultationFactory(slug="csv-plan")
    texts = (
        HOSTILE
        + [f"Counselors help students more than officers do, reason {n}." for n in range(6)]
        + [f"Officers keep the campus safe and should stay, reason {n}." for n in range(6)]
    )
    for index, text in enumerate(texts):
        factories.CommentFactory(
            consultation=consultation,
            submitted_text=text,
            declared_position="support" if index % 2 else "oppose",
        )
    db.session.commit()
    result = runner.invoke(args=["analysis", "run", consultation.slug])
    assert result.exit_code == 0, result.output
    return consultation


def test_packet_csv_neutralises_formulas_behind_blanks_and_separators(
    runner, analysed_consultation, tmp_path
):
    path = tmp_path / "packet.csv"
    result = runner.invoke(
        args=["packet", "build", analysed_consultation.slug, "--format", "csv", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    data = path.read_bytes().decode("utf-8-sig")
    assert formula_cells(data) == []
    texts = [without_marks(row["text"]) for row in csv.DictReader(io.StringIO(data))]
    for hostile in HOSTILE:
        assert without_marks(hostile) in texts
