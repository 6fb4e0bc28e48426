"""The PNG figures of a sorted recording, drawn from the analyzer.

Drawn on matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``, never pyplot), so no
display, GUI backend or global figure state is ever involved: a figure that draws on a laptop
draws the same on a headless cluster node. KS4's own drift plots are copied in, not redrawn.

SpikeInterface's widgets draw the same kinds of figure, but through pyplot figures of their own,
and without the curation outcome: here every figure marks kept and dropped units, and the raster
orders units by depth, which is what a lab member checks the curation with.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..atomic import write_atomic
from ..boundary import Analyzer, Metrics, Sorting

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.figure import Figure

RASTER_S = 60.0
TOP_UNITS = 8
KEPT, DROPPED = "#1f5fa8", "#c8553d"

# name -> (title, caption); the report shows them in this order.
FIGURES = {
    "unit_locations": ("Unit locations", "Estimated unit positions (monopolar triangulation) over the probe's "
                       "contacts (grey squares). Filled: kept by curation; open: dropped."),
    "metrics": ("Firing rate and SNR", "Distributions of firing rate and signal-to-noise ratio over units, "
                "stacked by curation outcome."),
    "templates": ("Top units", "Mean waveform (± 1 s.d.) on the best channel of the units with the highest SNR."),
    "raster": ("Raster, first 60 s", "Spike times of every unit in the first 60 s (or the whole recording if "
               "shorter), units ordered by depth. Blue: kept by curation; red: dropped."),
    "ks4_drift_amount": ("KS4 drift estimate", "Kilosort4's own estimate of probe drift over time (copied from "
                         "its output folder)."),
    "ks4_drift_scatter": ("KS4 drift scatter", "Kilosort4's spike positions over time, used for its drift "
                          "correction (copied from its output folder)."),
    "recipe_traces": ("Before and after the preprocessing chain", "The same 0.2 s of up to 8 channels as read "
                      "(left) and as the sorter got them after the recipe's chain (right), each centred on its "
                      "median."),
    "motion_estimate": ("SpikeInterface motion estimate", "Displacement over time estimated by SpikeInterface "
                        "(motion: compute or apply, with motion_preset), one line per depth bin."),
}
# Kilosort4 (>= 4.0.33 through SpikeInterface) saves these when it estimated drift (nblocks > 0).
KS4_DRIFT = {"ks4_drift_amount": "drift_amount.png", "ks4_drift_scatter": "drift_scatter.png"}


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: str | Path) -> Path:
    return write_atomic(path, lambda tmp: fig.savefig(tmp, format="png"), ".png")


def unit_locations(analyzer: Analyzer, kept: Sequence[bool], path: Path) -> Path:
    contacts = np.asarray(analyzer.get_channel_locations())
    units = np.asarray(analyzer.get_extension("unit_locations").get_data())
    span = np.ptp(contacts[:, 1]) if len(contacts) > 1 else 1.0
    fig = new_figure(4.0, min(12.0, max(4.0, span / 60.0)))
    ax = fig.add_subplot()
    ax.scatter(contacts[:, 0], contacts[:, 1], marker="s", s=30, color="0.8", label="contacts")
    mask = np.asarray(kept, dtype=bool)
    if len(units):
        ax.scatter(units[mask, 0], units[mask, 1], s=40, color=KEPT, label="kept")
        ax.scatter(units[~mask, 0], units[~mask, 1], s=40, facecolors="none", edgecolors=DROPPED, label="dropped")
        for unit, (x, y) in zip(analyzer.unit_ids, units[:, :2], strict=True):
            ax.annotate(str(unit), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("depth (µm)")
    ax.set_title(f"{len(units)} units")
    ax.legend(loc="upper right", fontsize=7)
    return save_png(fig, path)


def metric_distributions(metrics: Metrics, kept: Sequence[bool], path: Path) -> Path:
    fig = new_figure(8.0, 3.2)
    mask = np.asarray(kept, dtype=bool)
    for ax, column, label in zip(fig.subplots(1, 2), ("firing_rate", "snr"), ("firing rate (Hz)", "SNR"), strict=True):
        values = metrics[column].to_numpy(dtype=float)
        finite = np.isfinite(values)
        if finite.any():
            bins = np.histogram_bin_edges(values[finite], bins=min(30, max(5, finite.sum())))
            ax.hist([values[finite & mask], values[finite & ~mask]], bins=bins, stacked=True,
                    color=[KEPT, DROPPED], label=["kept", "dropped"])
            ax.legend(fontsize=7)
        ax.set_xlabel(label)
        ax.set_ylabel("units")
        ax.yaxis.get_major_locator().set_params(integer=True)
    return save_png(fig, path)


def top_templates(analyzer: Analyzer, metrics: Metrics, path: Path, n: int = TOP_UNITS) -> Path:
    from .analyzer import best_channels

    templates = analyzer.get_extension("templates")
    mean, sd = templates.get_templates(operator="average"), templates.get_templates(operator="std")
    best = best_channels(analyzer)
    snr = metrics.loc[list(analyzer.unit_ids), "snr"].to_numpy(dtype=float)
    order = np.argsort(-np.nan_to_num(snr, nan=-np.inf), kind="stable")[:n]
    times_ms = (np.arange(mean.shape[1]) / analyzer.sampling_frequency * 1000.0) - templates.params["ms_before"]
    cols = 4
    rows = max(1, int(np.ceil(len(order) / cols)))
    fig = new_figure(2.2 * cols, 1.9 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True)).ravel()
    for ax, index in zip(axes, order, strict=False):  # the grid may have more cells than units
        trace, spread = mean[index, :, best[index]], sd[index, :, best[index]]
        ax.fill_between(times_ms, trace - spread, trace + spread, color=KEPT, alpha=0.25, linewidth=0)
        ax.plot(times_ms, trace, color=KEPT)
        ax.set_title(f"unit {analyzer.unit_ids[index]} · ch {analyzer.channel_ids[best[index]]} · "
                     f"SNR {snr[index]:.1f}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(order):]:
        ax.set_axis_off()
    fig.supxlabel("ms", fontsize=8)
    fig.supylabel("µV", fontsize=8)
    return save_png(fig, path)


def raster(sorting: Sorting, kept: Sequence[bool], depth: np.ndarray | None, duration_s: float, path: Path,
           seconds: float = RASTER_S) -> Path:
    """``depth``: one value per unit (its location's y) to order rows by, or None for id order."""
    fs = sorting.sampling_frequency
    seconds = min(seconds, duration_s)
    end = int(seconds * fs)
    order = np.argsort(depth, kind="stable") if depth is not None else np.arange(len(sorting.unit_ids))
    fig = new_figure(10.0, max(2.5, min(10.0, 0.18 * len(order) + 1.2)))
    ax = fig.add_subplot()
    for row, index in enumerate(order):
        train = sorting.get_unit_spike_train(sorting.unit_ids[index], segment_index=0, start_frame=0, end_frame=end)
        ax.vlines(train / fs, row + 0.1, row + 0.9, color=KEPT if kept[index] else DROPPED, linewidth=0.5)
    ax.set_yticks(np.arange(len(order)) + 0.5, [str(sorting.unit_ids[i]) for i in order], fontsize=6)
    ax.set_xlim(0, seconds)
    ax.set_ylim(0, max(1, len(order)))
    ax.set_xlabel("s")
    ax.set_ylabel("unit (by depth)")
    return save_png(fig, path)


def write_figures(dest: Path, folder: str, phy: str, analyzer: Analyzer | None, sorting: Sorting, metrics: Metrics,
                  kept: Sequence[bool]) -> list[str]:
    """Draw every figure into ``dest/folder``; return the names written, in FIGURES order."""
    out = dest / folder
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if analyzer is not None and len(sorting.unit_ids):
        locations = np.asarray(analyzer.get_extension("unit_locations").get_data())
        unit_locations(analyzer, kept, out / "unit_locations.png")
        metric_distributions(metrics.loc[list(analyzer.unit_ids)], kept, out / "metrics.png")
        top_templates(analyzer, metrics, out / "templates.png")
        raster(sorting, kept, locations[:, 1], analyzer.get_total_duration(), out / "raster.png")
        written += ["unit_locations", "metrics", "templates", "raster"]
    for name, source in KS4_DRIFT.items():
        if (dest / phy / source).is_file():
            shutil.copyfile(dest / phy / source, out / f"{name}.png")
            written.append(name)
    return written
