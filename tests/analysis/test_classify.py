"""The `flask analysis classify` JSON Lines contract, and its refusals."""

from __future__ import annotations

import json
import random

from forum.seed import demo_comment


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
        "campaign",
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
