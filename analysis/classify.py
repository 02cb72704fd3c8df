"""`flask analysis classify`: the JSON Lines contract outside tools and evaluations rely on."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from flask import current_app

from analysis.core import Record, analyse
from analysis.language import detect_language
from analysis.stance import STANCES

ALLOWED_FIELDS = {"id", "text", "role", "position", "topics"}


class ClassifyError(ValueError):
    """A bad input line; the message names the line. No output file is written."""


def _topics(row: dict, number: int, codebook: dict[str, str]) -> dict[str, bool]:
    """A staff-coded row's themes: every codebook theme applies or not."""
    topics = row.get("topics")
    if topics is None:
        return {}
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ClassifyError(f"line {number}: 'topics' must be a list of codebook keys")
    unknown = sorted(set(topics) - set(codebook))
    if unknown:
        raise ClassifyError(
            f"line {number}: topic(s) {', '.join(unknown)} not in the codebook"
            if codebook
            else f"line {number}: 'topics' needs --codebook"
        )
    return {key: key in topics for key in codebook}


def _read(input_path: Path, codebook: dict[str, str]) -> tuple[list[dict], list[Record]]:
    rows, records, seen = [], [], set()
    with input_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                raise ClassifyError(f"line {number}: empty line")
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ClassifyError(f"line {number}: invalid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise ClassifyError(f"line {number}: each line must be a JSON object")
            unknown = sorted(set(row) - ALLOWED_FIELDS)
            if unknown:
                raise ClassifyError(f"line {number}: unknown field(s) {', '.join(unknown)}")
            if "id" not in row:
                raise ClassifyError(f"line {number}: missing 'id'")
            if not isinstance(row.get("text"), str) or not row["text"].strip():
                raise ClassifyError(f"line {number}: 'text' must be a non-empty string")
            position = row.get("position")
            if position is not None and position not in STANCES:
                raise ClassifyError(
                    f"line {number}: unknown position {position!r} (use {', '.join(STANCES)})"
                )
            key = json.dumps(row["id"])
            if key in seen:
                raise ClassifyError(f"line {number}: duplicate id {row['id']!r}")
            seen.add(key)
            rows.append(row)
            records.append(
                Record(
                    text=row["text"],
                    declared_position=position,
                    role=row.get("role"),
                    language=detect_language(row["text"]),
                    corrections=_topics(row, number, codebook),
                )
            )
    if not rows:
        raise ClassifyError("the input has no lines")
    return rows, records


def _codebook(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ClassifyError(f"codebook: invalid JSON ({error.msg})") from error
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise ClassifyError("codebook: must be a JSON object mapping theme keys to descriptions")
    return data


def classify_file(input_path: Path, output_path: Path, *, codebook_path: Path | None) -> int:
    """Classify every line; write the output atomically, so a failure leaves no partial file."""
    from analysis.pipeline import encoder_from_config, load_head

    codebook = _codebook(codebook_path)
    rows, records = _read(input_path, codebook)
    encoder = encoder_from_config()
    encoded = encoder.encode([r.text for r in records])
    themes = encoder.encode(list(codebook.values())).sentence
    analysis = analyse(
        records,
        encoded,
        sentiment_head=load_head("sentiment"),
        offensive_head=load_head("offensive"),
        theme_embeddings={key: themes[i] for i, key in enumerate(codebook)},
        encode=encoder.encode,
        multilingual=current_app.config["ANALYSIS_MULTILINGUAL"],
        stance_precision=current_app.config["ANALYSIS_STANCE_PRECISION"],
    )
    output_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=output_path.parent, prefix=".classify-", suffix=".jsonl"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row, outcome in zip(rows, analysis.outcomes, strict=True):
                out.write(
                    json.dumps(
                        {
                            "id": row["id"],
                            "sentiment": outcome.sentiment,
                            "sentiment_scores": outcome.sentiment_scores,
                            "stance": outcome.stance,
                            "stance_source": outcome.stance_source,
                            "stance_score": outcome.stance_score,
                            "topics": outcome.themes,
                            "topic_source": outcome.topic_source,
                            "topic_scores": outcome.topic_scores,
                            "campaign": outcome.campaign,
                            "campaign_addition": outcome.campaign_addition,
                            "campaign_addition_topics": outcome.addition_themes,
                            "campaign_addition_stance": outcome.addition_stance,
                            "flags": outcome.flags,
                            "language": outcome.language,
                            "analysed": outcome.analysed,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        os.replace(temporary, output_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)
