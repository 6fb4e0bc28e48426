"""The exports a lab member opens: phy (KS4's own folder), units.npz, and NWB.

* phy: KS4 already writes a phy-ready folder (sorter/sorter_output). Re-exporting it through
  SpikeInterface's ``export_to_phy`` would compute principal components for every spike, which has
  been reported slower than the sort itself, to produce what is already there. So it is recorded,
  not re-exported.
* units.npz: plain NumPy arrays (no pickles), readable anywhere with ``np.load``. Every raw unit
  is in it, with a ``curated`` mask, so a curation decision can be revisited.
* NWB: the units and electrodes tables through pynwb, an optional dependency (the ``nwb`` extra).
  Asking for NWB without pynwb is an environment failure raised before any sorting starts.

Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .classification import SortFailure, verdict_for
from .curation import kept_mask, plain
from .outputs import temp_beside


def _atomic_target(path: Path, suffix: str) -> str:
    fd, tmp = temp_beside(path, suffix)
    os.close(fd)
    return tmp


# -- phy ------------------------------------------------------------------------------------------


def phy_folder(dest: Path, relative: str) -> str | None:
    """``relative`` if the sorter left a phy-ready folder there (params.py is phy's entry point)."""
    return relative if (dest / relative / "params.py").is_file() else None


# -- units.npz ------------------------------------------------------------------------------------


def spike_vector(sorting):
    """All spikes in time order: sample index, unit index and segment index per spike."""
    vector = sorting.to_spike_vector()
    return vector["sample_index"].astype("int64"), vector["unit_index"], vector["segment_index"]


def _unit_id_array(unit_ids) -> np.ndarray:
    ids = [plain(u) for u in unit_ids]
    return np.asarray(ids, dtype="int64" if all(isinstance(u, int) for u in ids) else "U")


def write_units_npz(path: Path, sorting, analyzer, curation: dict | None) -> Path:
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
        "curated": np.asarray(kept_mask(curation, sorting.unit_ids), dtype=bool),
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
    tmp = _atomic_target(path, ".npz")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- NWB ------------------------------------------------------------------------------------------


def require_pynwb():
    """pynwb's NWBHDF5IO and NWBFile, or an environment verdict saying how to get them."""
    try:
        from pynwb import NWBHDF5IO, NWBFile
    except ImportError as exc:
        raise SortFailure(verdict_for(
            "exporter_unavailable",
            message=f"sortcanary: outputs.exporters.nwb is on but pynwb can't be imported ({exc}); "
                    "pip install 'sortcanary[nwb]' or set outputs.exporters.nwb: false.",
        )) from exc
    return NWBHDF5IO, NWBFile


def write_nwb(path: Path, recording, sorting, analyzer, curation: dict | None, *, name: str,
              session_start: datetime | None = None) -> Path:
    """Write an NWB file with the electrodes table (the probe's channels) and the units table
    (spike times in seconds, best electrode, mean waveform, metrics, curated flag)."""
    NWBHDF5IO, NWBFile = require_pynwb()

    nwbfile = NWBFile(
        session_description=f"Spike sorting of {name} by sortcanary",
        identifier=f"sortcanary-{name}",
        session_start_time=session_start or datetime(1970, 1, 1, tzinfo=timezone.utc),
    )
    device = nwbfile.create_device(name="probe", description="recording probe")
    groups = {}
    channel_groups = recording.get_channel_groups() if recording.get_property("group") is not None else None
    locations = recording.get_channel_locations()
    for index, channel in enumerate(recording.channel_ids):
        group_name = f"group{channel_groups[index] if channel_groups is not None else 0}"
        if group_name not in groups:
            groups[group_name] = nwbfile.create_electrode_group(
                name=group_name, description="channels of one probe group", location="unknown", device=device)
        x, y = float(locations[index][0]), float(locations[index][1])
        nwbfile.add_electrode(group=groups[group_name], location="unknown", rel_x=x, rel_y=y)
    if "channel_name" not in nwbfile.electrodes.colnames:
        nwbfile.electrodes.add_column("channel_name", "the recording's channel id",
                                      data=[str(c) for c in recording.channel_ids])

    if len(sorting.unit_ids):  # NWB can't type the columns of an empty units table: leave it out
        _add_units(nwbfile, sorting, analyzer, curation)
    tmp = _atomic_target(path, ".nwb")
    try:
        with NWBHDF5IO(tmp, "w") as io:
            io.write(nwbfile)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _add_units(nwbfile, sorting, analyzer, curation: dict | None) -> None:
    """The units table: spike times (s), sorter's id, curated flag, and with an analyzer the best
    electrode, mean waveform and metrics."""
    fs = float(sorting.sampling_frequency)
    kept = kept_mask(curation, sorting.unit_ids)
    nwbfile.add_unit_column("unit_name", "the sorter's unit id")
    nwbfile.add_unit_column("curated", "true if the unit passed sortcanary's curation thresholds")
    if analyzer is not None:
        from .analyzer import best_channels, metrics_table

        metrics = metrics_table(analyzer)
        templates = analyzer.get_extension("templates").get_templates(operator="average")
        best = best_channels(analyzer)
        for column in metrics.columns:
            nwbfile.add_unit_column(column, f"SpikeInterface quality metric {column}")
    for index, unit in enumerate(sorting.unit_ids):
        row = {"spike_times": sorting.get_unit_spike_train(unit, segment_index=0) / fs,
               "unit_name": str(plain(unit)), "curated": bool(kept[index]), "id": index}
        if analyzer is not None:
            row["electrodes"] = [best[index]]
            row["waveform_mean"] = templates[index]
            row.update({column: float(metrics.at[unit, column]) for column in metrics.columns})
        nwbfile.add_unit(**row)
