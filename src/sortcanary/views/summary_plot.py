"""results/summary.png: the run at a glance, the same size for 5 recordings and for 10,000.

Three panels: how many recordings ended how (sorted, blocked or failed by category, pending,
skipped), the distribution of units per sorted recording (raw and after curation), and each
recording's canary time against its full sort's. Nothing in it grows with the number of
recordings: a bar or a label per recording is unreadable past a few dozen, and drawing them cost a
3,000-recording run most of its summary's time. Single recordings are looked up in summary.html.
"""

from __future__ import annotations

from collections import Counter

from .rows import Row, outcome

COLORS = {"sorted": "#5b8c5a", "blocked": "#e0a458", "failed": "#c0392b", "pending": "#aaaaaa",
          "skipped": "#d5d5d5"}
LABEL_POINTS = 12  # up to this many recordings, the scatter names each point


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def verdict_counts(rows: list[Row]) -> Counter[tuple[str, str]]:
    """(outcome, category) -> recordings: blocked and failed ones by their class's category."""
    return Counter((outcome(r), r.category if outcome(r) in ("blocked", "failed") else "") for r in rows)


def plot_summary(rows: list[Row], path: str) -> None:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ..products.figures import save_png

    fig = Figure(figsize=(12.0, 3.4), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.13, right=0.98, bottom=0.16, top=0.88, wspace=0.32)
    counts_ax, units_ax, time_ax = fig.subplots(1, 3)

    counts = sorted(verdict_counts(rows).items(), key=lambda kv: (list(COLORS).index(kv[0][0]), kv[0][1]))
    labels = [f"{what} ({category})" if category else what for (what, category), _ in counts]
    y = np.arange(len(counts))
    counts_ax.barh(y, [n for _, n in counts], color=[COLORS[what] for (what, _), _ in counts])
    counts_ax.set_yticks(y, labels, fontsize=8)
    counts_ax.invert_yaxis()
    for i, (_, n) in enumerate(counts):
        counts_ax.annotate(str(n), (n, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    counts_ax.set_xlim(0, max([n for _, n in counts], default=1) * 1.15)
    counts_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    counts_ax.set_title(f"{len(rows)} recordings", fontsize=10)
    counts_ax.set_xlabel("recordings")

    done = [r for r in rows if r.sort in ("done", "failed")]
    raw = [v for r in done if (v := _number(r.units)) is not None]
    curated = [v for r in done if (v := _number(r.curated)) is not None]
    if raw:
        top = max(raw) + 1
        bins = np.arange(top + 1) - 0.5 if top <= 40 else np.linspace(0, top, 31)
        units_ax.hist(raw, bins=bins, color="#9bb7d4", label="raw")
        if curated:
            units_ax.hist(curated, bins=bins, histtype="step", linewidth=1.5, color="#1f5fa8", label="curated")
        units_ax.legend(fontsize=7)
    else:
        units_ax.text(0.5, 0.5, "no sorted recording yet", ha="center", va="center", transform=units_ax.transAxes)
    units_ax.set_xlim(left=-0.5)
    for axis in (units_ax.xaxis, units_ax.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    units_ax.set_title("units per sorted recording", fontsize=10)
    units_ax.set_xlabel("units")
    units_ax.set_ylabel("recordings")

    timed = [(r.recording, c, s) for r in rows
             if (c := _number(r.canary_s)) is not None and (s := _number(r.sort_s)) is not None]
    if timed:
        canary, sort = np.array([t[1] for t in timed]), np.array([t[2] for t in timed])
        time_ax.scatter(canary, sort, s=10 if len(timed) > 200 else 18, alpha=0.6 if len(timed) > 200 else 0.9,
                        color="#5b8c5a", edgecolors="none")
        if len(timed) <= LABEL_POINTS:
            for name, c, s in timed:
                time_ax.annotate(name, (c, s), xytext=(3, 3), textcoords="offset points", fontsize=7)
        time_ax.set_xlim(0, max(canary.max(), 1.0) * 1.12)
        time_ax.set_ylim(0, max(sort.max(), 1.0) * 1.12)
    else:
        time_ax.text(0.5, 0.5, "no recording with both times yet", ha="center", va="center",
                     transform=time_ax.transAxes)
    time_ax.set_title("canary against full sort", fontsize=10)
    time_ax.set_xlabel("canary seconds")
    time_ax.set_ylabel("full sort + outputs seconds")
    save_png(fig, path)
