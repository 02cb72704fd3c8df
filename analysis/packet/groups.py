"""Which groups' splits differ from everyone else's by more than chance: a two-proportion z-test,
as Polis uses to pick the statements that set a group apart."""

from __future__ import annotations

from math import erfc, sqrt
from typing import Any

MIN_GROUP = 10  # fewer comments than this: too small to compare
ALPHA = 0.05
COMPARED = ("support", "oppose")


def two_proportion_p(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """Two-sided p-value that two shares are equal (normal approximation)."""
    if not n_a or not n_b:
        return 1.0
    pooled = (hits_a + hits_b) / (n_a + n_b)
    spread = sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 1.0
    z = (hits_a / n_a - hits_b / n_b) / spread
    return erfc(abs(z) / sqrt(2))


def compare_groups(rows: list[dict[str, Any]], total: dict[str, Any]) -> None:
    """Mark each row, per compared position, against the comments of all the other rows."""
    for row in rows:
        row["difference"] = {}
        rest_n = total["total"] - row["total"]
        for stance in COMPARED:
            if row["total"] < MIN_GROUP or rest_n < MIN_GROUP:
                row["difference"][stance] = "too small to compare"
                continue
            hits, rest_hits = row["counts"][stance], total["counts"][stance] - row["counts"][stance]
            p = two_proportion_p(hits, row["total"], rest_hits, rest_n)
            if p >= ALPHA:
                row["difference"][stance] = "no clear difference"
            else:
                higher = hits / row["total"] > rest_hits / rest_n
                row["difference"][stance] = "more often" if higher else "less often"


def in_words(rows: list[dict[str, Any]]) -> str:
    """The differences the test finds, as one sentence for the packet."""
    found = [
        f"{row['label']} {stance} the proposal {verdict} than all other comments"
        for row in rows
        for stance, verdict in row.get("difference", {}).items()
        if verdict in ("more often", "less often")
    ]
    test = "two-proportion z-test at the 5% level"
    said = (
        f"Differences larger than chance would explain ({test}): {'; '.join(found)}."
        if found
        else f"No group's support or opposition differs from the other comments by more than "
        f"chance would explain ({test})."
    )
    return f"{said} Groups with fewer than {MIN_GROUP} comments are too small to compare."
