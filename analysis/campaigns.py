"""Group near-identical comments (form letters, copy-paste drives) with MinHash banding."""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16
SIMILARITY = 0.6
MIN_MEMBERS = 3
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
        sample = members[:50]
        template = max(
            sample,
            key=lambda i: sum(
                len(sets[i] & sets[j]) / max(1, len(sets[i] | sets[j])) for j in sample
            ),
        )
        found.append(Group(sorted(members), template))
    return sorted(found, key=lambda g: (-len(g.members), g.members[0]))
