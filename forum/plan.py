"""The plan's rendered text cut at its numbered sections, so a phone can open one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

# render_markdown (forum/sanitize.py) gives every level-two heading exactly this opening tag, and
# raw HTML is off in plan text, so nothing else in the cleaned HTML can look like one.
_HEADING = re.compile(r'<h2 id="section-(\d+)">.*?</h2>', re.S)
_CONTAINER = re.compile(r"<(/?)(?:blockquote|ol|ul|li|table)\b")


@dataclass(frozen=True)
class PlanSection:
    number: int
    heading: Markup  # the section's own <h2 id="section-N">, as rendered
    body: Markup  # what follows it, up to the next section's heading


@dataclass(frozen=True)
class SplitPlan:
    introduction: Markup
    sections: tuple[PlanSection, ...]


def _balanced(html: str) -> bool:
    """True when every list, quote and table opened in this piece also closes in it."""
    depth = 0
    for tag in _CONTAINER.finditer(html):
        depth += -1 if tag.group(1) else 1
        if depth < 0:
            return False
    return depth == 0


@lru_cache(maxsize=64)  # the plan's HTML is itself cached; the split changes with it only
def split_plan(body_html: Markup) -> SplitPlan | None:
    """Cut the plan before each section heading; None when it has no sections, or when a heading
    sits inside a list or a quote, where a cut would break the HTML (the page then shows it whole).
    """
    headings = list(_HEADING.finditer(body_html))
    if not headings:
        return None
    ends = [heading.start() for heading in headings[1:]] + [len(body_html)]
    # Slices of Markup stay Markup: each piece is part of HTML that sanitize.py already cleaned.
    introduction = body_html[: headings[0].start()]
    pieces = [body_html[heading.end() : end] for heading, end in zip(headings, ends, strict=True)]
    if not all(_balanced(piece) for piece in (introduction, *pieces)):
        return None
    return SplitPlan(
        introduction=introduction.strip(),
        sections=tuple(
            PlanSection(
                number=int(heading.group(1)),
                heading=body_html[heading.start() : heading.end()],
                body=piece.strip(),
            )
            for heading, piece in zip(headings, pieces, strict=True)
        ),
    )
