"""The `flask analysis classify` JSON Lines contract, and its refusals."""

from __future__ import annotations

import json
import random

import pytest

from forum.seed import demo_comment

pytestmark = pytest.mark.slow  # the real encoder and models


def write_lines(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_classify_writes_one_line_per_input_with_the_contract_fields(runner, app, tmp_path):
    rng = random.Random(4)
    rows = []
    for index in range(80):
        made = demo_comment(rng)
        row = {"id": f"c{index}", "text": made.text, "role": made.role}
        if index < 60 and made.stance in ("support", "oppose", "mixed", "neutral"):
            row["position"] = made.stance
        rows.append(row)
    rows.append(
        {"id": 999, "text": "Los oficiales conocen a los estudiantes y ayudan mucho en la escuela."}
    )
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, rows)
    codebook = tmp_path / "codebook.json"
    codebook.write_text(
        json.dumps(
            {
                "cost": "The cost of the plan and the budget",
                "mental_health": "Counselors and student mental health",
            }
        )
    )
    result = runner.invoke(
        args=[
            "analysis",
            "classify",
            str(source),
            "-o",
            str(target),
            "--proposal",
            "Reduce officers",
            "--codebook",
            str(codebook),
        ]
    )
    assert result.exit_code == 0, result.output
    output = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in output] == [r["id"] for r in rows]
    fields = {
        "id",
        "sentiment",
        "sentiment_scores",
        "stance",
        "stance_source",
        "stance_score",
        "topics",
        "topic_source",
        "topic_scores",
        "campaign",
        "campaign_addition",
        "flags",
    }
    assert all(fields <= set(o) for o in output)
    for row, out in zip(rows, output, strict=True):
        if "position" in row:
            assert (out["stance"], out["stance_source"]) == (row["position"], "declared")
        assert set(out["topics"]) <= {"cost", "mental_health"}
    predicted = [
        o
        for r, o in zip(rows, output, strict=True)
        if "position" not in r and o["stance_source"] == "predicted"
    ]
    assert predicted
    spanish = output[-1]
    assert (
        spanish["sentiment"] is None
        and spanish["stance"] == "unknown"
        and spanish["analysed"] is False
    )


def test_bad_input_names_the_line_and_writes_nothing(runner, app, tmp_path):
    target = tmp_path / "out.jsonl"
    cases = [
        ('{"id": 1, "text": "fine"}\n\n', "line 2: empty line"),
        ('{"id": 1, "text": "fine"}\n{"id": 2, "text": \n', "line 2: invalid JSON"),
        ('{"id": 1, "text": "ok", "position": "maybe"}\n', "line 1: unknown position 'maybe'"),
        ('{"id": 1, "text": ""}\n', "line 1: 'text' must be a non-empty string"),
        ('{"text": "no id"}\n', "line 1: missing 'id'"),
        ('{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n', "line 2: duplicate id 1"),
        ('{"id": 1, "text": "a", "mood": "x"}\n', "line 1: unknown field(s) mood"),
        ('{"id": 1, "text": "a", "topics": ["cost"]}\n', "line 1: 'topics' needs --codebook"),
    ]
    for content, message in cases:
        source = tmp_path / "in.jsonl"
        source.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["analysis", "classify", str(source), "-o", str(target)])
        assert result.exit_code != 0
        assert message in result.output, (message, result.output)
        assert not target.exists()


def test_bad_codebook_is_refused(runner, app, tmp_path):
    source, target, codebook = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "cb.json"
    write_lines(source, [{"id": 1, "text": "More counselors please."}])
    codebook.write_text('["not", "an", "object"]')
    result = runner.invoke(
        args=["analysis", "classify", str(source), "-o", str(target), "--codebook", str(codebook)]
    )
    assert result.exit_code != 0 and "codebook" in result.output
    assert not target.exists()


CODEBOOK = {
    "cost": "Money, funding, budget and what the district pays for officers or alternatives",
    "mental_health": "Counselors, psychologists, social workers and student mental health",
    "emergencies": "How fast help arrives in an emergency, a fight or an active threat",
}


def classify(runner, tmp_path, rows, codebook=CODEBOOK):
    source, target, book = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "cb.json"
    write_lines(source, rows)
    book.write_text(json.dumps(codebook))
    result = runner.invoke(
        args=["analysis", "classify", str(source), "-o", str(target), "--codebook", str(book)]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


def demo_rows(count, seed=8):
    rng = random.Random(seed)
    return [{"id": f"c{i}", "text": demo_comment(rng).text} for i in range(count)]


def test_staff_coded_rows_stand_and_teach_the_others(runner, app, tmp_path):
    rows = demo_rows(60)
    plain = classify(runner, tmp_path, rows)
    assert {o["topic_source"] for o in plain} == {"suggested"}
    assert all(set(o["topic_scores"]) == set(CODEBOOK) for o in plain)
    # Staff code 30 comments by their own reading: mental health only where counselors are
    # named, and never cost or emergencies.
    for row in rows[:30]:
        row["topics"] = ["mental_health"] if "counselor" in row["text"].casefold() else []
    assert 4 <= sum(bool(r["topics"]) for r in rows[:30]) <= 26
    coded = classify(runner, tmp_path, rows)
    for row, out in zip(rows[:30], coded, strict=False):
        assert out["topic_source"] == "coded" and out["topics"] == row["topics"]
    rest = coded[30:]
    assert {o["topic_source"] for o in rest} == {"learned"}
    assert all(0 <= score <= 1 for o in rest for score in o["topic_scores"].values())
    assert any(a["topics"] != b["topics"] for a, b in zip(plain[30:], rest, strict=True))
    given = [sum(key in o["topics"] for o in rest) for key in ("cost", "emergencies")]
    before = [sum(key in o["topics"] for o in plain[30:]) for key in ("cost", "emergencies")]
    assert sum(given) < sum(before)  # never coded, so given less often than the codebook alone


def test_topics_outside_the_codebook_are_refused(runner, app, tmp_path):
    source, target, book = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "cb.json"
    write_lines(source, [{"id": 1, "text": "More counselors.", "topics": ["parking"]}])
    book.write_text(json.dumps(CODEBOOK))
    result = runner.invoke(
        args=["analysis", "classify", str(source), "-o", str(target), "--codebook", str(book)]
    )
    assert result.exit_code != 0 and "topic(s) parking not in the codebook" in result.output
    assert not target.exists()


LETTER = (
    "Dear Board Members, I am writing to ask you to keep the school resource officers in every "
    "high school. They keep students safe, they know the families, and they respond in seconds "
    "when there is an emergency. Please vote no on the plan and keep our officers on campus."
)
ADDED = (
    "My daughter waited forty minutes for a counselor after her friend died last spring, and "
    "nobody trained in grief was there for her."
)


def test_a_form_letter_with_a_paragraph_added_joins_its_campaign_and_the_paragraph_is_analysed(
    runner, app, tmp_path
):
    rows = demo_rows(30)
    rows += [{"id": f"copy{i}", "text": LETTER + f" Sincerely, Parent {i}"} for i in range(5)]
    rows.append({"id": "added", "text": LETTER + "\n\n" + ADDED + "\n\nSincerely, Ana"})
    output = {o["id"]: o for o in classify(runner, tmp_path, rows)}
    campaign = output["copy0"]["campaign"]
    assert campaign and output["added"]["campaign"] == campaign
    assert output["added"]["campaign_addition"] == ADDED
    assert all(output[f"copy{i}"]["campaign_addition"] is None for i in range(5))
    assert "mental_health" in output["added"]["campaign_addition_topics"]
    assert output["copy0"]["campaign_addition_topics"] == []
    assert output["added"]["campaign_addition_stance"] in ("support", "oppose", "unknown")
    assert output["copy0"]["campaign_addition_stance"] is None
