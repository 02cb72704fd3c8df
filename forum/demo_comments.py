"""The demo's fictional commenters: who writes, what position they take and the words they use.

No database here: the seed stores these comments, and the benchmarks and model checks read them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from forum import demo_text as text
from forum.models import Position, StakeholderRole

SEED = 2026

ROLE_WEIGHTS = {
    StakeholderRole.PARENT: 40,
    StakeholderRole.STUDENT: 15,
    StakeholderRole.TEACHER: 14,
    StakeholderRole.SCHOOL_STAFF: 8,
    StakeholderRole.ADMINISTRATOR: 5,
    StakeholderRole.COMMUNITY: 15,
    StakeholderRole.OTHER: 3,
}
# support, oppose, mixed, neutral, prefer not to say
POSITION_WEIGHTS = {
    StakeholderRole.PARENT: (45, 35, 10, 5, 5),
    StakeholderRole.STUDENT: (65, 15, 10, 5, 5),
    StakeholderRole.TEACHER: (30, 50, 12, 5, 3),
    StakeholderRole.SCHOOL_STAFF: (35, 40, 15, 5, 5),
    StakeholderRole.ADMINISTRATOR: (20, 60, 15, 5, 0),
    StakeholderRole.COMMUNITY: (45, 35, 10, 5, 5),
    StakeholderRole.OTHER: (40, 30, 10, 10, 10),
}
POSITIONS = [
    Position.SUPPORT,
    Position.OPPOSE,
    Position.MIXED,
    Position.NEUTRAL,
    Position.PREFER_NOT_TO_SAY,
]


def _sentence(body: str) -> str:
    return body[0].upper() + body[1:]


def _argument_text(rng: random.Random, role: str, stance: str, themes: list[str]) -> str:
    opener = rng.choice(text.OPENERS[role])
    sentences = []
    for index, theme in enumerate(themes):
        options = text.ARGUMENTS[theme].get(stance) or text.ARGUMENTS[theme]["support"]
        sentence = rng.choice(options)
        sentences.append(f"{opener} {sentence}" if index == 0 else _sentence(sentence))
    if stance == Position.MIXED:
        other = rng.choice([t for t in text.ARGUMENTS if t not in themes])
        sentences.insert(1, "However, " + rng.choice(text.ARGUMENTS[other]["oppose"]))
    closer = rng.choice(text.CLOSERS[stance])
    detail = rng.choice(text.DETAILS) if rng.random() < 0.5 else ""
    return " ".join(part for part in [*sentences, detail, closer] if part).strip()


def _neutral_text(rng: random.Random, role: str) -> str:
    opener = rng.choice(text.OPENERS[role]).rstrip(",")
    opener = opener.removesuffix(" and")
    questions = rng.sample(text.NEUTRAL_QUESTIONS, k=rng.choice([1, 2]))
    return " ".join(
        [
            f"{opener}, I have questions about the plan.",
            *questions,
            rng.choice(text.CLOSERS["neutral"]),
        ]
    ).strip()


def demo_name(rng: random.Random) -> str:
    """A first name and an initial, as people sign public comments."""
    return f"{rng.choice(text.FIRST_NAMES)} {rng.choice(text.LAST_INITIALS)}."


@dataclass
class DemoComment:
    role: str
    position: str
    stance: str  # what the text argues, even when the position is "prefer not to say"
    themes: list[str]
    text: str


def demo_comment(rng: random.Random) -> DemoComment:
    """Write one fictional comment: a role, a position, one to three themes, and the text."""
    roles, weights = zip(*ROLE_WEIGHTS.items(), strict=True)
    role = rng.choices(roles, weights)[0]
    position = rng.choices(POSITIONS, POSITION_WEIGHTS[role])[0]
    # "Prefer not to say" still writes an opinion: analysis predicts it from the text.
    stance = (
        rng.choice([Position.SUPPORT, Position.OPPOSE])
        if position == Position.PREFER_NOT_TO_SAY
        else position
    )
    themes = rng.sample(list(text.ARGUMENTS), k=rng.choice([1, 1, 2, 2, 3]))
    body = (
        _neutral_text(rng, role)
        if stance == Position.NEUTRAL
        else _argument_text(rng, role, stance, themes)
    )
    return DemoComment(role, position, stance, themes, body)


def demo_comment_texts(count: int, seed: int = SEED) -> list[str]:
    """Texts like the demo's, without touching the database (for benchmarks)."""
    rng = random.Random(seed)
    return [demo_comment(rng).text for _ in range(count)]
