"""The benchmarks' texts: real language, of real length, and all different.

The texts are built at bench time from the real public comments in ../shared/data (never copied
into the repository): sentences of different comments joined to the length of a typical public
comment (about 60 word pieces), so they are real language, of real length, and all different.
Without that folder the demo generator's comments are joined the same way, and the output says so.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forum.demo_comments import demo_comment

COMMENTS = Path("public_comment") / "comments.jsonl"
SEED = 5
DECLARED_SHARE = 0.8
# Each text gets sentences until it reaches a length drawn from this range (word pieces with the
# two special tokens); the last sentence overshoots by half a sentence on average, so texts
# average about 60 word pieces, like the public comments in ../shared/data.
TARGET_PIECES = (14, 72)
MAX_SHARED = 0.7  # of a text's word pieces that may come from sentences another text also has
STANCE_OF = {
    "support_reduction": "support",
    "oppose_reduction": "oppose",
    "mixed": "mixed",
    "neutral": "neutral",
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9])")


@dataclass
class BenchTexts:
    texts: list[str]
    declared: list[str | None]
    roles: list[str | None]
    source: str


@dataclass
class _Unit:
    """A sentence, with the comment it came from and that comment's stance and role."""

    text: str
    comment: int
    stance: str | None
    role: str | None


def _real_units(path: Path) -> list[_Unit]:
    units = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            row = json.loads(line)
            stance, role = STANCE_OF.get(row.get("stance", "")), row.get("speaker_role")
            for sentence in SENTENCE_END.split(row["text"].strip()):
                if sentence.strip():
                    units.append(_Unit(sentence.strip(), number, stance, role))
    return units


def _demo_units(rng: random.Random, comments: int = 300) -> list[_Unit]:
    units = []
    for number in range(comments):
        made = demo_comment(rng)
        stance = None if made.position == "prefer_not_to_say" else str(made.position)
        for sentence in SENTENCE_END.split(made.text.strip()):
            if sentence.strip():
                units.append(_Unit(sentence.strip(), number, stance, str(made.role)))
    return units


def _draw(units: list[_Unit], pieces: list[int], rng: random.Random) -> list[int]:
    """Sentences of different comments until the text reaches a length drawn from TARGET_PIECES."""
    comments = len({u.comment for u in units})
    target, length = rng.randint(*TARGET_PIECES), 2
    used: set[int] = set()
    parts: list[int] = []
    while length < target and len(used) < comments:
        pick = rng.randrange(len(units))
        if units[pick].comment not in used:
            used.add(units[pick].comment)
            parts.append(pick)
            length += pieces[pick]
    return parts


def _join(units: list[_Unit], pieces: list[int], count: int, rng: random.Random) -> list[list[int]]:
    """Draw `count` distinct texts, none sharing MAX_SHARED of its length with another.

    Sentences recur across texts (a few hundred sentences make thousands of texts); a text that
    is mostly another one would be counted as a form-letter copy, which real comments seldom are.
    Where the sentences run out of such texts (tens of thousands), the rest only differ.
    """
    made: dict[str, list[int]] = {}
    texts_with: list[list[int]] = [[] for _ in units]  # the texts each sentence is in so far
    lengths: list[int] = []
    for attempt in range(count * 50):
        if len(made) == count:
            break
        parts = _draw(units, pieces, rng)
        shared: dict[int, int] = {}
        for part in parts:
            for other in texts_with[part]:
                shared[other] = shared.get(other, 0) + pieces[part]
        length = sum(pieces[p] for p in parts)
        strict = attempt < count * 20
        if strict and any(s >= MAX_SHARED * min(length, lengths[o]) for o, s in shared.items()):
            continue
        text = " ".join(units[i].text for i in parts)
        if text not in made:
            made[text] = parts
            lengths.append(length)
            for part in parts:
                texts_with[part].append(len(lengths) - 1)
    joined = list(made.values())
    while len(joined) < count:  # only for tiny sources: repeat rather than fail
        joined.append(joined[len(joined) % len(made)])
    return joined


def bench_texts(count: int, data_dir: Path | None, tokenizer: Any, seed: int = SEED) -> BenchTexts:
    """`count` distinct texts of real length, each declaring its first sentence's stance (80%)."""
    rng = random.Random(seed)
    path = data_dir / COMMENTS if data_dir is not None else None
    if path is not None and path.is_file():
        units = _real_units(path)
        comments = len({u.comment for u in units})
        source = f"real public comments, {path} ({comments} comments, {len(units)} sentences)"
    else:
        units = _demo_units(rng)
        source = f"demo generator (forum.demo_comments.demo_comment); no real comments at {path}"
    texts = [u.text for u in units]
    pieces = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    joined = _join(units, pieces, count, rng)
    return BenchTexts(
        [" ".join(units[i].text for i in parts) for parts in joined],
        [units[p[0]].stance if rng.random() < DECLARED_SHARE else None for p in joined],
        [units[p[0]].role for p in joined],
        source,
    )
