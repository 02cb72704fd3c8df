"""Group form letters and copy-paste drives, and find what each copy adds to its template.

Near-identical comments are found with MinHash banding (overall word 5-gram similarity); a
comment that contains most of a campaign's template joins it too, so a form letter with a
paragraph of the sender's own still counts as a copy. The added words (difflib against the
template) are returned verbatim so they can be analysed as the sender's own text.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from forum.similarity import ShingleIndex, containment, jaccard, minhash_buckets, shingles

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16
SIMILARITY = 0.6
CONTAINMENT = 0.8  # share of the template's 5-grams a comment must contain to join its campaign
MIN_MEMBERS = 3
MIN_SHINGLES = 3  # shorter texts are too short to call a copy
MIN_ADDED_WORDS = 6  # added runs shorter than this (a name, a greeting) are not additions


@dataclass
class Group:
    members: list[int]  # indexes into the texts given
    template: int  # the member most like all the others


def find_campaigns(texts: Sequence[str], seed: int = 7) -> list[Group]:
    """Return groups of at least MIN_MEMBERS texts whose word 5-grams overlap by SIMILARITY."""
    sets = [shingles(t, SHINGLE_WORDS) for t in texts]
    buckets = minhash_buckets(
        sets, permutations=PERMUTATIONS, bands=BANDS, seed=seed, min_shingles=MIN_SHINGLES
    )
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for members in buckets:
        for other in members[1:]:
            pair = (members[0], other)
            if pair in checked or find(pair[0]) == find(pair[1]):
                continue
            checked.add(pair)
            if jaccard(sets[pair[0]], sets[pair[1]]) >= SIMILARITY:
                parent[find(pair[1])] = find(pair[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(texts)):
        groups[find(index)].append(index)
    found = []
    for members in groups.values():
        if len(members) < MIN_MEMBERS:
            continue
        found.append(Group(sorted(members), _template(members, sets)))
    _add_containing(found, sets)
    return sorted(found, key=lambda g: (-len(g.members), g.members[0]))


def _template(members: list[int], sets: list[frozenset[int]]) -> int:
    """The member most like all the others (the shortest among equals: copies add, not cut)."""
    sample = members[:50]
    return max(
        sample,
        key=lambda i: (sum(jaccard(sets[i], sets[j]) for j in sample), -len(sets[i])),
    )


def _add_containing(found: list[Group], sets: list[frozenset[int]]) -> None:
    """Comments that contain most of a campaign's template join it (a form letter plus text)."""
    index = ShingleIndex(sets)
    taken = {m for group in found for m in group.members}
    for group in found:
        template = sets[group.template]
        joining = [
            p
            for p in index.candidates(template)
            if p not in taken and containment(template, sets[p]) >= CONTAINMENT
        ]
        group.members = sorted(group.members + joining)
        taken.update(joining)


def added_text(template: str, text: str) -> str | None:
    """What a copy adds to its template, verbatim: runs of MIN_ADDED_WORDS words or more."""
    words = [(m.group(0).casefold(), m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    base = [w.casefold() for w in re.findall(r"\w+", template)]
    matcher = difflib.SequenceMatcher(a=base, b=[w for w, _, _ in words], autojunk=False)
    pieces = []
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("insert", "replace") and end - start >= MIN_ADDED_WORDS:
            stop = words[end][1] if end < len(words) else len(text)
            pieces.append(text[words[start][1] : stop].rstrip())
    return "\n\n".join(pieces) or None
