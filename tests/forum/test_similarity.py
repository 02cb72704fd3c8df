"""Word-shingle similarity: the same numbers in every process, and exact measures."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

from forum.similarity import ShingleIndex, containment, jaccard, minhash_buckets, shingles

LETTER = "Please keep the school resource officers on every campus next year, for all of us."


def test_shingles_are_crc32_of_word_runs_case_folded():
    assert shingles("Keep the Officers, please!", 3) == {
        zlib.crc32(b"keep the officers"),
        zlib.crc32(b"the officers please"),
    }
    assert shingles("Keep them", 3) == {zlib.crc32(b"keep them")}  # shorter: one shingle
    assert shingles(" ... ", 3) == frozenset()


def test_shingles_do_not_depend_on_the_process_hash_seed():
    code = f"from forum.similarity import shingles; print(sorted(shingles({LETTER!r}, 4)))"
    printed = {
        subprocess.run(  # noqa: S603 - this Python, our own code
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ | {"PYTHONHASHSEED": seed},
            cwd=Path(__file__).parents[2],
        ).stdout
        for seed in ("1", "2")
    }
    assert printed == {f"{sorted(shingles(LETTER, 4))}\n"}


def test_jaccard_and_containment():
    letter = shingles(LETTER, 4)
    longer = shingles(LETTER + " My son is in fourth grade and walks to school alone.", 4)
    assert jaccard(letter, letter) == 1.0
    assert jaccard(letter, longer) == len(letter) / len(longer)
    assert containment(letter, longer) == 1.0
    assert containment(longer, letter) == len(letter) / len(longer)
    assert jaccard(letter, frozenset()) == containment(frozenset(), letter) == 0.0


def test_minhash_buckets_put_copies_together_and_are_the_same_every_time():
    texts = [LETTER, LETTER.replace("next", "this"), "Fund counselors instead of police, please."]
    sets = [shingles(t, 5) for t in texts]
    buckets = minhash_buckets(sets, permutations=64, bands=16, seed=7, min_shingles=3)
    assert buckets == minhash_buckets(sets, permutations=64, bands=16, seed=7, min_shingles=3)
    assert any({0, 1} <= set(members) for members in buckets)
    assert not any(2 in members and len(members) > 1 for members in buckets)
    assert not any(
        2 in m for m in minhash_buckets(sets, permutations=64, bands=16, seed=7, min_shingles=9)
    )


def test_shingle_index_finds_texts_sharing_a_shingle():
    sets = [shingles(t, 4) for t in (LETTER, "An unrelated comment about the budget.", LETTER)]
    assert ShingleIndex(sets).candidates(sets[0]) == [0, 2]
