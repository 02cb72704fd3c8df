"""The analysis of a set of comments, given their embeddings: no database, no web.

Both `flask analysis run` (comments from the database, embeddings from the cache) and
`flask analysis classify` (a JSON Lines file) call `analyse`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.campaigns import added_text, find_campaigns
from analysis.encoder import Encoded
from analysis.heads import Head
from analysis.stance import STANCES, TARGET_PRECISION, classify_stance
from analysis.themes import Discovered, assign_themes, codebook_similarity, discover_themes
from moderation.screening import screen_text

OFFENSIVE_THRESHOLD = 0.5
ENGLISH = {"en", "und"}
# The sentiment head learned tweets' class balance; public comment is mostly negative in tone
# with neutral and positive under-called. These weights on its probabilities (renormalised)
# were chosen on the development half of the real public comments (analysis/realeval.py).
TONE_WEIGHTS = {"negative": 1.0, "neutral": 1.5, "positive": 1.7}


@dataclass
class Record:
    text: str
    declared_position: str | None = None
    role: str | None = None
    language: str = "en"
    corrections: dict[str, bool] = field(default_factory=dict)  # staff codes: theme -> applies
    in_sample: bool = True  # in the random coding sample (not picked for the model's doubt)


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
    topic_source: str | None = None  # coded, learned or suggested
    topic_scores: dict[str, float] | None = None
    campaign: str | None = None
    campaign_addition: str | None = None  # what this copy adds to its campaign's template
    addition_themes: list[str] = field(default_factory=list)
    addition_stance: str | None = None  # the addition's own stance, for undeclared senders
    flags: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    outcomes: list[Outcome]
    campaigns: dict[str, list[int]]  # key -> record indexes, template first
    discovered: list[Discovered]
    stance_metrics: dict[str, Any]
    theme_metrics: dict[str, Any] = field(default_factory=dict)


def fold_groups(texts: Sequence[str], member_of: dict[int, str]) -> list[int]:
    """A fold group per comment: a campaign's copies and identical texts share one."""
    names: dict[str, int] = {}
    groups = []
    for index, text in enumerate(texts):
        name = (
            member_of.get(index)
            or hashlib.sha256(re.sub(r"\s+", " ", text.casefold()).strip().encode()).hexdigest()
        )
        groups.append(names.setdefault(name, len(names)))
    return groups


def _campaigns(
    texts: Sequence[str], outcomes: list[Outcome], readable: Sequence[bool]
) -> tuple[dict[str, list[int]], dict[int, str], dict[int, str]]:
    """Campaigns (template first), each copy's campaign, and what readable copies add."""
    campaigns: dict[str, list[int]] = {}
    member_of: dict[int, str] = {}
    additions: dict[int, str] = {}
    for number, group in enumerate(find_campaigns(texts), start=1):
        key = f"campaign-{number}"
        campaigns[key] = [group.template] + [m for m in group.members if m != group.template]
        for member in group.members:
            member_of[member] = key
            outcomes[member].campaign = key
            if member == group.template:
                continue
            added = added_text(texts[group.template], texts[member])
            outcomes[member].campaign_addition = added
            if added is not None and readable[member]:
                additions[member] = added
    return campaigns, member_of, additions


def _not_readable_stance(outcome: Outcome, declared: str | None) -> None:
    """Text the model cannot read keeps a declared position and is otherwise unknown."""
    if declared is not None and declared in STANCES:
        outcome.stance, outcome.stance_source, outcome.stance_score = declared, "declared", 1.0
    else:
        outcome.stance, outcome.stance_source, outcome.stance_score = "unknown", "unknown", None


def analyse(
    records: Sequence[Record],
    vectors: Encoded,
    *,
    sentiment_head: Head,
    offensive_head: Head,
    theme_embeddings: Mapping[str, np.ndarray],
    encode: Callable[[list[str]], Encoded],
    multilingual: bool = False,
    stance_precision: float = TARGET_PRECISION,
) -> Analysis:
    """Tone, position, themes, campaigns and screening flags for each record.

    vectors: the encoder's output for the records' texts; encode: how to encode other text (the
    additions copies make to a form letter).
    """
    texts = [r.text for r in records]
    sentence, layers = vectors.sentence, vectors.layers
    readable = [multilingual or r.language in ENGLISH for r in records]
    outcomes = [Outcome(language=r.language, analysed=readable[i]) for i, r in enumerate(records)]
    if readable and any(readable):
        rows = np.flatnonzero(readable)
        weights = np.array([TONE_WEIGHTS.get(label, 1.0) for label in sentiment_head.labels])
        sentiment = sentiment_head.predict_proba(layers[rows]) * weights
        sentiment /= sentiment.sum(axis=1, keepdims=True)
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

    campaigns, member_of, additions = _campaigns(texts, outcomes, readable)
    added_vectors = encode(list(additions.values())) if additions else None
    groups = fold_groups(texts, member_of)

    # Stance: trained on readable declared positions. What a sender added to a form letter is
    # judged as its own text too, where the sender declared no position.
    undeclared_additions = [i for i in additions if records[i].declared_position not in STANCES]
    stance = classify_stance(
        layers,
        [r.declared_position if readable[i] else None for i, r in enumerate(records)],
        groups,
        stance_precision,
        extra=added_vectors.layers[[list(additions).index(i) for i in undeclared_additions]]
        if added_vectors is not None and undeclared_additions
        else None,
    )
    for index, answer in zip(undeclared_additions, stance.extra, strict=True):
        outcomes[index].addition_stance = answer

    keys = list(theme_embeddings)
    theme_matrix = (
        np.stack([theme_embeddings[k] for k in keys]) if keys else np.zeros((0, sentence.shape[1]))
    )
    readable_rows = [int(i) for i in np.flatnonzero(readable)]
    themes = assign_themes(
        keys,
        codebook_similarity([vectors.spans[i] for i in readable_rows], theme_matrix),
        codebook_similarity([sentence[i][None] for i in readable_rows], theme_matrix),
        layers[readable_rows],
        [records[i].corrections for i in readable_rows],
        [groups[i] for i in readable_rows],
        [records[i].in_sample for i in readable_rows],
    )
    for row, index in enumerate(readable_rows):
        outcome = outcomes[int(index)]
        outcome.themes = themes.themes[row]
        outcome.topic_scores = themes.scores[row] if keys else None
        outcome.topic_source = themes.source[row] if keys else None
    if added_vectors is not None and keys:
        added_themes = themes.assign_more(
            added_vectors.layers,
            codebook_similarity(added_vectors.spans, theme_matrix),
            codebook_similarity([v[None] for v in added_vectors.sentence], theme_matrix),
        )
        for row, index in enumerate(additions):
            outcomes[index].addition_themes = added_themes[row]

    for index, outcome in enumerate(outcomes):
        outcome.stance, outcome.stance_source = stance.stance[index], stance.source[index]
        outcome.stance_score, outcome.contradiction = (
            stance.score[index],
            stance.contradiction[index],
        )
        if not readable[index]:
            _not_readable_stance(outcome, records[index].declared_position)
        outcome.flags = [f.code for f in screen_text(records[index].text)]
        if outcome.offensive_score is not None and outcome.offensive_score >= OFFENSIVE_THRESHOLD:
            outcome.flags.append("offensive_language")

    uncovered = [
        i for i, o in enumerate(outcomes) if o.analysed and not o.themes and o.campaign is None
    ]
    discovered = discover_themes(texts, sentence, uncovered)
    theme_metrics = {
        "coded_comments": themes.coded_comments,
        "per_theme": themes.estimates,
        "additions": len(additions),
    }
    return Analysis(outcomes, campaigns, discovered, stance.metrics, theme_metrics)
