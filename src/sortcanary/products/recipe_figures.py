"""The recipe's figures: the traces before and after the chain, SpikeInterface's motion estimate,
and the probe's bad channels (the canary's ``too_many_bad_channels`` evidence).

Drawn like every other figure of a sort (sortcanary.products.figures: matplotlib's Agg canvas,
never pyplot), from the recordings the sorter's child already holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..boundary import Motion, Recording
from .figures import new_figure, save_png

SNIPPET_S = 0.2
SNIPPET_CHANNELS = 8
REASON_COLOURS = {"dead": "#444444", "noise": "#c8553d", "out": "#e0a100", "saturated": "#7b3fa0"}


def _snippet(recording: Recording, channel_ids: list[object], start: int, end: int) -> np.ndarray:
    uv = recording.has_scaleable_traces()
    traces = recording.get_traces(start_frame=start, end_frame=end, channel_ids=channel_ids, return_in_uV=uv)
    traces = traces.astype("float64")
    centred: np.ndarray = traces - np.median(traces, axis=0)
    return centred


def traces_before_after(before: Recording, after: Recording, path: Path, seconds: float = SNIPPET_S) -> Path:
    """``seconds`` of up to SNIPPET_CHANNELS channels (spread over the probe, kept by the chain) from
    40 % into the recording, as read and as the sorter gets them, each centred on its median."""
    ids = list(after.get_channel_ids())
    pick = [ids[i] for i in np.unique(np.linspace(0, len(ids) - 1, min(SNIPPET_CHANNELS, len(ids))).astype(int))]
    total = after.get_num_samples()
    length = min(total, int(seconds * after.sampling_frequency))
    start = int((total - length) * 0.4)
    panels = [("as read", _snippet(before, pick, start, start + length)),
              ("after the chain", _snippet(after, pick, start, start + length))]
    spread = max(float(np.median(np.abs(panels[1][1]))) / 0.6745, 1e-9) * 12
    times_ms = np.arange(length) / after.sampling_frequency * 1000.0
    fig = new_figure(10.0, 0.45 * len(pick) + 1.6)
    for ax, (title, traces) in zip(fig.subplots(1, 2, sharey=True), panels, strict=True):
        for row in range(traces.shape[1]):
            ax.plot(times_ms, traces[:, row] - row * spread, color="#1f5fa8", linewidth=0.6)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"ms from {start / after.sampling_frequency:.2f} s")
    fig.axes[0].set_yticks([-row * spread for row in range(len(pick))], [str(c) for c in pick], fontsize=7)
    fig.axes[0].set_ylabel("channel")
    return save_png(fig, path)


def motion_estimate(motion: Motion, path: Path) -> Path:
    """SpikeInterface's displacement estimate over time, one line per spatial bin (one: rigid)."""
    fig = new_figure(8.0, 3.2)
    ax = fig.add_subplot()
    displacement = np.asarray(motion.displacement[0])
    times = np.asarray(motion.temporal_bins_s[0])
    for column in range(displacement.shape[1]):
        ax.plot(times, displacement[:, column], linewidth=0.8,
                label=f"{motion.spatial_bins_um[column]:.0f} µm" if displacement.shape[1] <= 8 else None)
    if displacement.shape[1] <= 8:
        ax.legend(fontsize=7, title="depth", title_fontsize=7)
    ax.set_xlabel("s")
    ax.set_ylabel("displacement (µm)")
    return save_png(fig, path)


def bad_channels_map(recording: Recording, bad: dict[str, list[str]], path: Path, title: str) -> Path:
    """The probe's contacts, each bad one coloured by its reason and labelled with its id."""
    locations = np.asarray(recording.get_channel_locations())
    ids = [str(c) for c in recording.get_channel_ids()]
    span = np.ptp(locations[:, 1]) if len(locations) > 1 else 1.0
    fig = new_figure(5.0, min(12.0, max(4.0, span / 60.0)))
    ax = fig.add_subplot()
    ax.scatter(locations[:, 0], locations[:, 1], marker="s", s=30, color="0.85", label="good")
    for reason, channels in bad.items():
        where = [ids.index(c) for c in channels if c in ids]
        ax.scatter(locations[where, 0], locations[where, 1], marker="s", s=30,
                   color=REASON_COLOURS.get(reason, "#c8553d"), label=f"{reason} ({len(where)})")
        for index in where:
            ax.annotate(ids[index], locations[index], fontsize=6, xytext=(4, -2), textcoords="offset points")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("depth (µm)")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper right", fontsize=7)
    return save_png(fig, path)
