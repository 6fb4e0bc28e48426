"""Threshold curation: which units to trust, and for every dropped unit, why.

Which units pass is SpikeInterface's ``threshold_metrics_label_units`` (inclusive thresholds, all
must pass; a NaN metric passes). What this module adds is the explanation: for every dropped unit
the thresholds it violated, with values, and for every unit the metrics that could not be checked.

Nothing is deleted: the raw unit list stays next to the curated one (the exports keep every unit
and mark the curated ones), so a threshold can be changed later without losing a unit. A metric
that can't be computed (NaN, e.g. presence_ratio on a recording shorter than its 60 s bins) drops
no unit; the unit is listed as unchecked for that metric instead, so the gap is visible.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from ..boundary import JSONDict, Metrics

# (config key under outputs.curation, quality-metric column, kind): "min" drops a unit whose value
# is below the threshold, "max" one whose value is above it. A value equal to it passes.
THRESHOLDS = (
    ("min_firing_rate_hz", "firing_rate", "min"),
    ("min_presence_ratio", "presence_ratio", "min"),
    ("max_isi_violations_ratio", "isi_violations_ratio", "max"),
    ("min_snr", "snr", "min"),
    ("max_amplitude_cutoff", "amplitude_cutoff", "max"),
)


def plain(unit_id: Any) -> int | str:  # a sorter's unit id, from SpikeInterface: a NumPy int, an int, a str
    """A unit id as JSON writes it (numpy ints become ints, anything else a string)."""
    try:
        return int(unit_id)
    except (TypeError, ValueError):
        return str(unit_id)


def _finite(value: Any) -> bool:  # a metric from the pandas table: a float, NaN, None...
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def curate(metrics: Metrics, settings: JSONDict) -> JSONDict:
    """Apply the thresholds in ``settings`` (outputs.curation) to ``metrics`` (one row per unit;
    None for a sorting without units).

    Returns the record written to curation.json: thresholds applied, raw and curated unit lists,
    each dropped unit's reasons, and the metrics that could not be checked per unit.
    """
    units = [] if metrics is None else list(metrics.index)
    active = [(key, column, kind, settings[key]) for key, column, kind in THRESHOLDS if settings.get(key) is not None]
    passing = set(units)
    if units and active:
        from spikeinterface.curation import threshold_metrics_label_units

        labels = threshold_metrics_label_units(
            metrics, {column: {"greater" if kind == "min" else "less": limit} for _, column, kind, limit in active},
            nan_policy="pass")
        passing = set(labels.index[labels["label"] == "good"])
    dropped, unchecked = [], []
    for unit in units:
        reasons, missing = [], []
        for key, column, kind, limit in active:
            value = metrics.at[unit, column]
            if not _finite(value):
                missing.append(column)
            elif (kind == "min" and value < limit) or (kind == "max" and value > limit):
                relation = "<" if kind == "min" else ">"
                reasons.append(f"{column} {float(value):.4g} {relation} {limit} ({key})")
        if unit not in passing:
            dropped.append({"unit_id": plain(unit), "reasons": reasons})
        if missing:
            unchecked.append({"unit_id": plain(unit), "metrics": missing})
    gone = {d["unit_id"] for d in dropped}
    raw = [plain(u) for u in units]
    return {
        "thresholds": {key: limit for key, _, _, limit in active},
        "raw_units": raw,
        "curated_units": [u for u in raw if u not in gone],
        "dropped": dropped,
        "unchecked": unchecked,
    }


def kept_mask(record: JSONDict | None, unit_ids: Collection[object]) -> list[bool]:
    """Per unit (in ``unit_ids`` order): is it in the curated list? All True without curation."""
    if record is None:
        return [True] * len(unit_ids)
    kept = set(record["curated_units"])
    return [plain(u) in kept for u in unit_ids]
