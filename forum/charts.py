"""Server-rendered charts as SVG text: survey bar charts and the board packet's positions chart.

Each chart is drawn on its own `matplotlib.figure.Figure`, never through pyplot, whose global
current-figure state is shared by gunicorn's threads; the same numbers always give the same file.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import matplotlib
from flask_babel import gettext as _

from forum.choices import STANCE_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The SVG writer salts its element ids from this setting and has no per-figure option for it, so
# it is set once here, before any thread draws, and only ever read afterwards.
matplotlib.rcParams["svg.hashsalt"] = "sounding-board"

STANCE_COLOURS = {
    "support": "#1b6b3a",
    "oppose": "#a32a1e",
    "mixed": "#8a6d00",
    "neutral": "#4a5260",
    "unknown": "#b8bec8",
}
STANCE_HATCHES = {
    "support": "",
    "oppose": "///",
    "mixed": "xx",
    "neutral": "..",
    "unknown": "--",
}  # not colour alone


def _new_figure(width: float, height: float) -> Figure:
    # Imported here: the figure machinery is heavy and only pages with a chart need it.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _svg(figure: Figure) -> str:
    """The figure, laid out, as SVG text with no date in it (so the same chart is the same file)."""
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


@lru_cache(maxsize=256)
def bar_chart(labels: tuple[str, ...], values: tuple[float, ...], axis_label: str) -> str:
    """One horizontal bar per label, its value printed at the bar's end; returns SVG text.

    Callers give the text alternative.
    """
    wrapped = ["\n".join(textwrap.wrap(label, 34)) or " " for label in labels][::-1]
    shown = list(values)[::-1]
    height = 0.2 + sum(0.32 + 0.16 * label.count("\n") for label in wrapped)
    figure = _new_figure(7.2, height + 0.9)
    axes = figure.subplots()
    bars = axes.barh(wrapped, shown, color="#1f4e79", edgecolor="white")
    axes.bar_label(bars, labels=[f"{v:g}" for v in shown], padding=3, fontsize=9)
    axes.set_xlabel(axis_label)
    axes.set_xlim(0, (max(shown) if shown and max(shown) > 0 else 1) * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=9)
    return _svg(figure)


def positions_chart(rows: list[dict[str, Any]], stances: list[str]) -> tuple[str, str]:
    """Return (svg, alt text) for a stacked horizontal bar per stakeholder role.

    Each row has a "label" and "counts" by stance; the text alternative gives the same numbers.
    The axis, legend and text alternative are in the current locale.
    """
    names = {stance: str(STANCE_LABELS.get(stance, stance)) for stance in stances}
    labels = [r["label"] for r in rows][::-1]
    figure = _new_figure(7.5, 0.5 * len(rows) + 1.4)
    axes = figure.subplots()
    left = [0] * len(rows)
    for stance in stances:
        values = [r["counts"][stance] for r in rows][::-1]
        axes.barh(
            labels,
            values,
            left=left,
            color=STANCE_COLOURS[stance],
            hatch=STANCE_HATCHES[stance],
            edgecolor="white",
            label=names[stance],
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel(_("Comments"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(
        ncol=5,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25 if len(rows) < 4 else -0.12),
        frameon=False,
    )
    # Stance names sit mid-sentence in the text alternative: "Parent: 12 support, 3 oppose".
    details = "; ".join(
        f"{r['label']}: "
        + ", ".join(
            _("%(count)s %(stance)s", count=r["counts"][s], stance=names[s].lower())
            for s in stances
        )
        for r in rows
    )
    alt = _("Comments by stakeholder role and position. %(details)s.", details=details)
    return _svg(figure), alt
