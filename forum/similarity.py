"""How alike two texts are, by the runs of words they share: for repeats and form letters.

Screening compares a new comment with recent ones; the analysis groups copies of a form letter.
Both work on word shingles hashed with CRC-32, which (unlike `hash()`) gives the same numbers in
every process, so a shingle computed by the web server matches one computed by a worker.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

import numpy as np

_WORD = re.compile(r"\w+")
_PRIME = (1 << 61) - 1  # MinHash permutations are (a * x + b) mod this Mersenne prime


def _crc(words: Sequence[str]) -> int:
    return zlib.crc32(" ".join(words).encode())


def shingles(text: str, size: int) -> frozenset[int]:
    """CRC-32 of each run of `size` words, case-folded; a shorter text is one shingle of all of it."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return frozenset({_crc(words)}) if words else frozenset()
    return frozenset(_crc(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(left: AbstractSet[int], right: AbstractSet[int]) -> float:
    """Shared shingles over all shingles of either text; 0 when either has none."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def containment(part: AbstractSet[int], whole: AbstractSet[int]) -> float:
    """The share of `part`'s shingles that `whole` also has (a letter inside a longer one: 1)."""
    if not part:
        return 0.0
    return len(part & whole) / len(part)


def minhash_buckets(
    sets: Sequence[AbstractSet[int]],
    *,
    permutations: int,
    bands: int,
    seed: int,
    min_shingles: int = 1,
) -> list[list[int]]:
    """Candidate groups: indexes of sets whose MinHash signatures agree on a band, in order.

    Two sets with Jaccard similarity s share at least one band with probability
    1 - (1 - s^r)^bands, r = permutations / bands, so likely pairs are compared and the rest
    are not; callers check each candidate pair exactly. Sets with fewer than `min_shingles`
    shingles are left out. The same seed gives the same buckets in every process.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _PRIME, permutations, dtype=np.uint64)
    b = rng.integers(0, _PRIME, permutations, dtype=np.uint64)
    rows = permutations // bands
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for index, shingled in enumerate(sets):
        if len(shingled) < min_shingles or not shingled:
            continue
        values = np.fromiter(shingled, dtype=np.uint64)
        # uint64 products wrap around; that is part of the (fixed, seeded) hash family.
        signature = ((np.outer(a, values) + b[:, None]) % np.uint64(_PRIME)).min(axis=1)
        for band in range(bands):
            buckets[(band, signature[band * rows : (band + 1) * rows].tobytes())].append(index)
    return list(buckets.values())


class ShingleIndex:
    """Which sets hold each shingle, to find the sets that contain most of a given text quickly."""

    def __init__(self, sets: Iterable[AbstractSet[int]]) -> None:
        self._holders: dict[int, list[int]] = defaultdict(list)
        for position, shingled in enumerate(sets):
            for shingle in shingled:
                self._holders[shingle].append(position)

    def candidates(self, query: Iterable[int]) -> list[int]:
        """The sets sharing at least one shingle with `query`, in the order first found."""
        return list(dict.fromkeys(p for shingle in query for p in self._holders.get(shingle, ())))
