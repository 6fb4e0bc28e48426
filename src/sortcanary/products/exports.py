"""The exports a lab member opens: phy (KS4's own folder) and units.npz (NWB: sortcanary.products.nwb).

* phy: KS4 already writes a phy-ready folder (sorter/sorter_output). Re-exporting it through
  SpikeInterface's ``export_to_phy`` would compute principal components for every spike, which has
  been reported slower than the sort itself, to produce what is already there. So it is listed in
  the sort's record and linked from the report (sortcanary.products.build), not re-exported, and
  there is nothing to switch off.
* units.npz: plain NumPy arrays (no pickles), readable anywhere with ``np.load``. Every raw unit
  is in it, with a ``curated`` mask, so a curation decision can be revisited.

Every file is written through sortcanary.atomic (a temporary name, renamed into place).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..atomic import write_atomic
from ..boundary import Analyzer, JSONDict, Sorting
from .curation import kept_mask, plain

# -- phy ------------------------------------------------------------------------------------------


def phy_folder(dest: Path, relative: str) -> str | None:
    """``relative`` if the sorter left a phy-ready folder there (params.py is phy's entry point)."""
    return relative if (dest / relative / "params.py").is_file() else None


# -- units.npz ------------------------------------------------------------------------------------


def spike_vector(sorting: Sorting) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All spikes in time order: sample index, unit index and segment index per spike."""
    vector = sorting.to_spike_vector()
    return vector["sample_index"].astype("int64"), vector["unit_index"], vector["segment_index"]


def _unit_id_array(unit_ids: Iterable[object]) -> np.ndarray:
    ids = [plain(u) for u in unit_ids]
    return np.asarray(ids, dtype="int64" if all(isinstance(u, int) for u in ids) else "U")


def write_units_npz(path: Path, sorting: Sorting, analyzer: Analyzer | None, curation: JSONDict | None) -> Path:
    """Write units.npz: spike trains (samples and seconds), unit ids, templates, best channel,
    locations, metrics, curated mask and sampling rate. Spike ``i`` belongs to unit
    ``unit_ids[spike_unit_index[i]]``; seconds count from the start of the sorted data."""
    fs = float(sorting.sampling_frequency)
    samples, unit_index, segments = spike_vector(sorting)
    unit_ids = _unit_id_array(sorting.unit_ids)
    arrays = {
        "sampling_frequency": np.float64(fs),
        "unit_ids": unit_ids,
        "spike_samples": samples,
        "spike_seconds": samples / fs,
        "spike_unit_ids": unit_ids[unit_index] if len(unit_ids) else unit_ids,
        "spike_unit_index": unit_index.astype("int64"),
        "spike_segment_index": segments.astype("int64"),
        "curated": np.asarray(kept_mask(curation, sorting.unit_ids), dtype=np.bool_),
    }
    if analyzer is not None:
        from .analyzer import best_channels, metrics_table

        templates = analyzer.get_extension("templates")
        metrics = metrics_table(analyzer)
        arrays.update({
            "templates": templates.get_templates(operator="average").astype("float32"),
            "templates_ms_before": np.float64(templates.params["ms_before"]),
            "best_channel_index": np.asarray(best_channels(analyzer), dtype="int64"),
            "channel_ids": np.asarray([str(c) for c in analyzer.channel_ids]),
            "channel_locations": np.asarray(analyzer.get_channel_locations(), dtype="float64"),
            "unit_locations": np.asarray(analyzer.get_extension("unit_locations").get_data(), dtype="float64"),
            "metric_names": np.asarray(list(metrics.columns)),
            "metrics": metrics.loc[list(analyzer.unit_ids)].to_numpy(dtype="float64"),
        })
    return write_atomic(path, lambda tmp: np.savez(tmp, **arrays), ".npz")
