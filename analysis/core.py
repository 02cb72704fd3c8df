"""The analysis of a set of comments, given their embeddings: no database, no web.

Both `flask analysis run` (comments from the database, embeddings from the cache) and
`flask analysis classify` (a JSON Lines file) call `analyse`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.campaigns import find_campaigns
from analysis.heads import Head
from analysis.stance import STANCES, classify_stance
from analysis.themes import Discovered, assign_themes, discover_themes, prototypes_from
from moderation.screening import screen_text

OFFENSIVE_THRESHOLD = 0.5
ENGLISH = {"en", "und"}


@dataclass
class Record:
    text: str
    declared_position: str | None = None
    role: str | None = None
    language: str = "en"
    corrections: dict[str, bool] = field(default_factory=dict)


@dataclass
class Outcome:
    language: str
    analysed: bool
    sentiment: str | None = None
    sentiment_scores: dict[str, float] | None = None
    offensive_score: float | None = None
    stance: str = "unknown"
    stance_source: str = "unknown"
    stance_score: float | None = None
    contradiction: bool = False
    themes: list[str] = field(default_factory=list)
    campaign: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    outcomes: list[Outcome]
    campaigns: dict[str, list[int]]  # key -> record indexes, template first
    discovered: list[Discovered]
    stance_metrics: dict[str, Any]


def analyse(
    records: Sequence[Record],
    sentence: np.ndarray,
    layers: np.ndarray,
    *,
    sentiment_head: Head,
    offensive_head: Head,
    theme_embeddings: Mapping[str, np.ndarray],
    multilingual: bool = False,
) -> Analysis:
    """Tone, position, themes, campaigns and screening flags for each record."""
    readable = [multilingual or r.language in ENGLISH for r in records]
    outcomes = [Outcome(language=r.language, analysed=readable[i]) for i, r in enumerate(records)]
    if readable and any(readable):
        rows = np.flatnonzero(readable)
        sentiment = sentiment_head.predict_proba(layers[rows])
        offensive = offensive_head.predict_proba(layers[rows])[
            :, offensive_head.labels.index("offensive")
        ]
        for row, position in enumerate(rows):
            outcome = outcomes[int(position)]
            outcome.sentiment = sentiment_head.labels[int(sentiment[row].argmax())]
            outcome.sentiment_scores = {
                label: round(float(p), 4)
                for label, p in zip(sentiment_head.labels, sentiment[row], strict=True)
            }
            outcome.offensive_score = round(float(offensive[row]), 4)

    # Only text the model can read trains and receives predictions; declared positions always stand.
    stance = classify_stance(
        [r.text for r in records],
        sentence,
        [r.declared_position if readable[i] else None for i, r in enumerate(records)],
    )
    corrections = [r.corrections for r in records]
    assigned = assign_themes(
        sentence, prototypes_from(theme_embeddings, sentence, corrections), corrections
    )
    for index, outcome in enumerate(outcomes):
        outcome.stance, outcome.stance_source = stance.stance[index], stance.source[index]
        outcome.stance_score, outcome.contradiction = (
            stance.score[index],
            stance.contradiction[index],
        )
        if not readable[index]:
            declared = records[index].declared_position
            if declared is not None and declared in STANCES:
                outcome.stance, outcome.stance_source, outcome.stance_score = (
                    declared,
                    "declared",
                    1.0,
                )
            else:
                outcome.stance, outcome.stance_source, outcome.stance_score = (
                    "unknown",
                    "unknown",
                    None,
                )
        outcome.themes = assigned[index] if readable[index] else []
        outcome.flags = [f.code for f in screen_text(records[index].text)]
        if outcome.offensive_score is not None and outcome.offensive_score >= OFFENSIVE_THRESHOLD:
            outcome.flags.append("offensive_language")

    campaigns: dict[str, list[int]] = {}
    for number, group in enumerate(find_campaigns([r.text for r in records]), start=1):
        key = f"campaign-{number}"
        campaigns[key] = [group.template] + [m for m in group.members if m != group.template]
        for member in group.members:
            outcomes[member].campaign = key
    uncovered = [
        i for i, o in enumerate(outcomes) if o.analysed and not o.themes and o.campaign is None
    ]
    discovered = discover_themes([r.text for r in records], sentence, uncovered)
    return Analysis(outcomes, campaigns, discovered, stance.metrics)
