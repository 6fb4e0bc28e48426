"""How many of the probe's channels are bad, and whether that blocks the recording (canary only).

The evidence comes from the recipe's chain when it detects bad channels itself (SpikeInterface's
``detect_bad_channels``, labels ``dead``, ``noise`` and ``out``: outside the brain), else from the
window's data checks (``dead``: constant; ``saturated``: at the rails of the integer range).
More than ``bad_channels.max_fraction`` of the channels (0.5 by default, the Allen Institute's and
IBL's limit) is a biological verdict, ``too_many_bad_channels``, that names them with their
reasons and comes with a figure; fewer are a note in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..taxonomy import SortFailure, verdict_for

FIGURE_NAME = "too_many_bad_channels.png"


def listing(bad: dict[str, list[str]]) -> str:
    return "; ".join(f"{reason}: {', '.join(ids)}" for reason, ids in bad.items() if ids)


def judge_bad_channels(bad: dict[str, list[str]], total: int, max_fraction: float, found_by: str,
                       draw: Callable[[], Path] | None = None, *, block: bool = True) -> str | None:
    """A note about the ``bad`` channels ({reason: [channel ids]}) of ``total``, or None without any.
    With ``block`` (the canary), raise SortFailure(too_many_bad_channels) when they are more than
    ``max_fraction`` of them; ``draw`` then writes the figure the verdict names."""
    count = sum(len(ids) for ids in bad.values())
    if not count or not total:
        return None
    text = f"{count}/{total} channels bad by {found_by} ({listing(bad)})"
    if count / total <= max_fraction:
        return f"{text}: no more than bad_channels.max_fraction ({max_fraction:g}), so the recording is sorted"
    if not block:
        return f"{text}: more than bad_channels.max_fraction ({max_fraction:g}), found in the full sort"
    figure = draw() if draw is not None else None
    raise SortFailure(verdict_for(
        "too_many_bad_channels",
        message=f"{text}: more than bad_channels.max_fraction ({max_fraction:g}) of the probe.",
        bad_channels=bad, bad_fraction=f"{count}/{total}", max_fraction=max_fraction, found_by=found_by,
        figure=str(figure) if figure is not None else None))
