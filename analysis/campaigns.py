"""Group form letters and copy-paste drives, and find what each copy adds to its template.

Near-identical comments are found with MinHash banding (overall word 5-gram similarity); a
comment that contains most of a campaign's template joins it too, so a form letter with a
paragraph of the sender's own still counts as a copy. The added words (difflib against the
template) are returned verbatim so they can be analysed as the sender's own text.
"""

from __future__ import annotations

import difflib
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16
SIMILARITY = 0.6
CONTAINMENT = 0.8  # share of the template's 5-grams a comment must contain to join its campaign
MIN_MEMBERS = 3
MIN_ADDED_WORDS = 6  # added runs shorter than this (a name, a greeting) are not additions
_PRIME = (1 << 61) - 1


def _shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.casefold())
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


@dataclass
class Group:
    members: list[int]  # indexes into the texts given
    template: int  # the member most like all the others


def find_campaigns(texts: Sequence[str], seed: int = 7) -> list[Group]:
    """Return groups of at least MIN_MEMBERS texts whose word 5-grams overlap by SIMILARITY."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)
    sets = [_shingles(t) for t in texts]
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    rows = PERMUTATIONS // BANDS
    for index, shingles in enumerate(sets):
        if len(shingles) < 3:
            continue  # too short to call a copy
        values = np.fromiter(shingles, dtype=np.uint64)
        signature = ((np.outer(a, values) + b[:, None]) % np.uint64(_PRIME)).min(axis=1)
        for band in range(BANDS):
            buckets[(band, signature[band * rows : (band + 1) * rows].tobytes())].append(index)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        for other in members[1:]:
            pair = (members[0], other)
            if pair in checked or find(pair[0]) == find(pair[1]):
                continue
            checked.add(pair)
            left, right = sets[pair[0]], sets[pair[1]]
            if len(left & right) / len(left | right) >= SIMILARITY:
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


def _template(members: list[int], sets: list[set[int]]) -> int:
    """The member most like all the others (the shortest among equals: copies add, not cut)."""
    sample = members[:50]
    return max(
        sample,
        key=lambda i: (
            sum(len(sets[i] & sets[j]) / max(1, len(sets[i] | sets[j])) for j in sample),
            -len(sets[i]),
        ),
    )


def _add_containing(found: list[Group], sets: list[set[int]]) -> None:
    """Comments that contain most of a campaign's template join it (a form letter plus text)."""
    index: dict[int, list[int]] = defaultdict(list)
    for position, shingles in enumerate(sets):
        for shingle in shingles:
            index[shingle].append(position)
    taken = {m for group in found for m in group.members}
    for group in found:
        template = sets[group.template]
        shared = Counter(p for shingle in template for p in index[shingle])
        joining = [
            p
            for p, count in shared.items()
            if p not in taken and count / max(1, len(template)) >= CONTAINMENT
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
