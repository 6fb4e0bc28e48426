"""NWB (HDF5): one recording per ElectricalSeries under ``/acquisition``.

Read with h5py as metadata only: each group's ``neurodata_type`` attribute, the ``data`` dataset's
shape, dtype and filters, the ``starting_time`` rate (or the first timestamps when the series has
timestamps instead), and the electrodes table's columns. Processed series (``/processing``, e.g.
LFP) are not raw data and are skipped. The stream label is the series name; the reader gets
``electrical_series_path="acquisition/<name>"``.

Geometry: SpikeInterface places channels from the electrodes table's ``rel_x``/``rel_y`` columns;
a file without them needs ``formats.probe.nwb`` (which, when set, replaces them for every series).

Session start: the file's own ``/session_start_time`` (ISO 8601, with a zone since NWB 2). The
units.nwb written from such a recording reuses it, with the file's subject and electrodes
(sortcanary.products.nwb).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from ...boundary import H5, Recording
from ..entry import EntryError, Problem, RecordingEntry, recording_name
from . import hdf5
from .context import FormatContext, session_name

FORMAT = "nwb"
SUFFIXES = (".nwb",)
ELECTRODES_TABLE = "general/extracellular_ephys/electrodes"
RATE_SAMPLES = 1000  # timestamps read to estimate the rate, as SpikeInterface does


def _rate(series: H5, what: str) -> float:
    if "starting_time" in series and "rate" in series["starting_time"].attrs:
        return float(series["starting_time"].attrs["rate"])
    if "timestamps" in series:
        stamps = np.asarray(series["timestamps"][:RATE_SAMPLES], dtype="float64")
        steps = np.diff(stamps)
        if steps.size and np.median(steps) > 0:
            return float(1.0 / np.median(steps))
    raise EntryError(f"{what} has neither starting_time/rate nor usable timestamps; fix the file")


def _series_entry(path: Path, f: H5, name: str, has_geometry: bool, ctx: FormatContext) -> RecordingEntry:
    series = f["acquisition"][name]
    what = f"ElectricalSeries '{name}'"
    if "data" not in series:
        raise EntryError(f"{what} has no data dataset; the file is incomplete")
    data = series["data"]
    if data.ndim != 2 or data.shape[0] == 0 or data.shape[1] == 0:
        raise EntryError(f"{what} data has shape {data.shape}; expected (samples, channels) with both > 0")
    frames, channels = int(data.shape[0]), int(data.shape[1])
    if "electrodes" in series and len(series["electrodes"]) != channels:
        raise EntryError(f"{what} names {len(series['electrodes'])} electrodes for {channels} data columns; fix the file")
    fs = _rate(series, what)
    probe = ctx.probe_override(FORMAT, channels)
    if not probe and not has_geometry:
        probe = ctx.require_probe(FORMAT, channels, f"{path.name} has no electrode positions (rel_x/rel_y in the "
                                                    "electrodes table)")
    return RecordingEntry(
        name=recording_name(session_name(path, SUFFIXES), name),
        source=path.name,
        path=str(path.resolve()),
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=channels,
        dtype=np.dtype(data.dtype).str,
        duration_s=frames / fs,
        input_files=(str(path.resolve()),) + ((probe,) if probe else ()),
        stream=name,
        reader={"electrical_series_path": f"acquisition/{name}"},
        probe=probe,
        hdf5={"filters": hdf5.required_filters(data), "plugin_path": ctx.hdf5_plugin_path},
    )


def detect(path: Path, is_dir: bool) -> bool:
    return not is_dir and path.name.lower().endswith(SUFFIXES)


def entries(path: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    with hdf5.open_file(path, "NWB") as f:
        acquisition = f.get("acquisition")
        names = sorted(
            name for name, obj in (acquisition.items() if acquisition is not None else [])
            if hdf5.text(obj.attrs.get("neurodata_type", "")) == "ElectricalSeries"
        )
        if not names:
            raise EntryError(f"{path.name} holds no ElectricalSeries under /acquisition; nothing to sort")
        table = f.get(ELECTRODES_TABLE)
        has_geometry = table is not None and "rel_x" in table and "rel_y" in table
        results: list[RecordingEntry | Problem] = []
        for name in names:
            try:
                results.append(_series_entry(path, f, name, has_geometry, ctx))
            except EntryError as exc:
                results.append(Problem(recording_name(session_name(path, SUFFIXES), name), str(path), str(exc), name))
    return results


def open_recording(entry: RecordingEntry) -> Recording:
    from spikeinterface.extractors import read_nwb_recording

    return read_nwb_recording(file_path=entry.path, **entry.reader)


def session_start(entry: RecordingEntry) -> tuple[datetime, str] | None:
    """The file's ``session_start_time`` and its source; None if the file lacks it."""
    path = Path(entry.path)
    with hdf5.open_file(path, "NWB") as f:
        if "session_start_time" not in f:
            return None
        text = hdf5.text(f["session_start_time"][()])
    return datetime.fromisoformat(text), f"session_start_time of {path.name}"
