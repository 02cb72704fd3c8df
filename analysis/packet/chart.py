"""Server-side chart of positions by role (SVG), with a text alternative from the same numbers."""

from __future__ import annotations

import io
from typing import Any

COLOURS = {
    "support": "#1b6b3a",
    "oppose": "#a32a1e",
    "mixed": "#8a6d00",
    "neutral": "#4a5260",
    "unknown": "#b8bec8",
}
HATCHES = {
    "support": "",
    "oppose": "///",
    "mixed": "xx",
    "neutral": "..",
    "unknown": "--",
}  # not colour alone


def positions_chart(rows: list[dict[str, Any]], stances: list[str]) -> tuple[str, str]:
    """Return (svg, alt text) for a stacked horizontal bar per stakeholder role."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "sounding-board"  # same numbers, same file
    labels = [r["label"] for r in rows][::-1]
    figure, axes = plt.subplots(figsize=(7.5, 0.5 * len(rows) + 1.4), dpi=100)
    left = [0] * len(rows)
    for stance in stances:
        values = [r["counts"][stance] for r in rows][::-1]
        axes.barh(
            labels,
            values,
            left=left,
            color=COLOURS[stance],
            hatch=HATCHES[stance],
            edgecolor="white",
            label=stance,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("Comments")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(
        ncol=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25 if len(rows) < 4 else -0.12),
        frameon=False,
    )
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    alt = "; ".join(
        f"{r['label']}: " + ", ".join(f"{r['counts'][s]} {s}" for s in stances) for r in rows
    )
    return buffer.getvalue(), f"Comments by stakeholder role and position. {alt}."
