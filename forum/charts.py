"""Server-rendered bar charts (SVG through matplotlib); callers give the text alternative."""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache


@lru_cache(maxsize=256)
def bar_chart(labels: tuple[str, ...], values: tuple[float, ...], axis_label: str) -> str:
    """One horizontal bar per label, its value printed at the bar's end; returns SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "sounding-board"  # same numbers, same file
    wrapped = ["\n".join(textwrap.wrap(label, 34)) or " " for label in labels][::-1]
    shown = list(values)[::-1]
    height = 0.2 + sum(0.32 + 0.16 * label.count("\n") for label in wrapped)
    figure, axes = plt.subplots(figsize=(7.2, height + 0.9), dpi=100)
    bars = axes.barh(wrapped, shown, color="#1f4e79", edgecolor="white")
    axes.bar_label(bars, labels=[f"{v:g}" for v in shown], padding=3, fontsize=9)
    axes.set_xlabel(axis_label)
    axes.set_xlim(0, (max(shown) if shown and max(shown) > 0 else 1) * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=9)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()
