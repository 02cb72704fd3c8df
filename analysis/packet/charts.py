"""The packet's positions chart: each role's bar split by position, declared and predicted apart."""

from __future__ import annotations

import io
from typing import Any

from forum.charts import STANCE_COLOURS, STANCE_HATCHES


def positions_chart(rows: list[dict[str, Any]], stances: list[str]) -> tuple[str, str]:
    """Return (svg, alt text): a stacked bar per role; predicted positions are pale and dotted.

    The packet is in English (it is the record the Board receives), so the words here are too.
    The legend sits under the axes and the figure is saved with a tight box, so no entry is cut.
    """
    from matplotlib.figure import Figure  # heavy; only a packet build draws it

    labels = [r["label"] for r in rows][::-1]
    figure = Figure(figsize=(7.5, 0.5 * len(rows) + 1.8), dpi=100)
    axes = figure.subplots()
    left = [0] * len(rows)
    for stance in stances:
        parts = (
            [("declared", 1.0, STANCE_HATCHES[stance]), ("predicted", 0.45, "...")]
            if stance != "unknown"
            else [("all", 1.0, STANCE_HATCHES[stance])]
        )
        for source, alpha, hatch in parts:
            values = [
                (r["counts"][stance] if source == "all" else r[source][stance]) for r in rows
            ][::-1]
            name = (
                stance
                if source == "all"
                else f"{stance}, {'said so' if source == 'declared' else 'predicted'}"
            )
            axes.barh(
                labels,
                values,
                left=left,
                color=STANCE_COLOURS[stance],
                alpha=alpha,
                hatch=hatch,
                edgecolor="white",
                label=name,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("Comments")
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(
        *axes.get_legend_handles_labels(),
        ncol=3,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        frameon=False,
        fontsize="small",
    )
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue(), _alt(rows, stances)


def _alt(rows: list[dict[str, Any]], stances: list[str]) -> str:
    def part(row: dict[str, Any], stance: str) -> str:
        if stance == "unknown":
            return f"{row['counts'][stance]} unknown"
        return (
            f"{row['counts'][stance]} {stance} ({row['declared'][stance]} said so, "
            f"{row['predicted'][stance]} predicted)"
        )

    details = "; ".join(f"{r['label']}: " + ", ".join(part(r, s) for s in stances) for r in rows)
    return f"Comments by stakeholder role and position. {details}."
