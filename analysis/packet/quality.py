"""The method section's measured figures, copied from the run: each theme's estimated count
with its interval and quality, and the deployed stance rule with its confusion matrix."""

from __future__ import annotations

from typing import Any

from analysis.models import AnalysisRun

# The packet's stance columns; "unknown" (the rule did not answer) always comes last.
STANCE_ORDER = ["support", "oppose", "mixed", "neutral", "unknown"]


def confusion_table(
    confusion: dict[str, dict[str, int]],
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Order a {declared: {answered: count}} matrix: positions in the usual order, unknown last."""

    def rank(label: str) -> tuple[int, str]:
        return (
            STANCE_ORDER.index(label) if label in STANCE_ORDER else len(STANCE_ORDER) - 1,
            label,
        )

    declared = sorted(confusion, key=rank)
    answered = {label for row in confusion.values() for label in row}
    columns = sorted(answered | set(declared) | {"unknown"}, key=rank)
    columns = [c for c in columns if c != "unknown"] + ["unknown"]
    return columns, [(d, [int(confusion[d].get(c, 0)) for c in columns]) for d in declared]


STANCE_RULE_FIGURES = (
    "target_precision",
    "threshold",
    "evaluated",
    "answered",
    "coverage",
    "accuracy_when_answering",
    "folds",
    "grouped_copies",
)
THEME_FIGURES = (
    "assigned",
    "estimate",
    "low",
    "high",
    "precision",
    "recall",
    "coded",
    "coded_positive",
    "source",
    "low_confidence",
)


def stance_rule(deployed: Any) -> dict[str, Any] | None:
    """The deployed abstention rule's figures, copied from the run (absent in older runs)."""
    if not isinstance(deployed, dict):
        return None
    columns, rows = confusion_table(deployed.get("confusion") or {})
    return {name: deployed.get(name) for name in STANCE_RULE_FIGURES} | {
        "confusion_columns": columns,
        "confusion_rows": [{"declared": d, "counts": counts} for d, counts in rows],
    }


def theme_estimates(
    run: AnalysisRun, labels: dict[str, str], merged: dict[str, str]
) -> list[dict[str, Any]]:
    """Each codebook theme's estimated count, interval and measured quality, from the run."""
    per_theme = (run.metrics.get("themes") or {}).get("per_theme") or {}
    rows = [
        {
            "key": key,
            "label": label,
            # a theme staff merged into another in this packet is counted under that one
            "merged_into": labels.get(merged[key]) if merged.get(key, key) != key else None,
        }
        | {name: per_theme[key].get(name) for name in THEME_FIGURES}
        for key, label in labels.items()
        if isinstance(per_theme.get(key), dict)
    ]
    return sorted(rows, key=lambda row: (-(row["assigned"] or 0), row["label"]))
