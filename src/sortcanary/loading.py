"""Open a discovered recording as a lazy SpikeInterface recording.

Nothing here reads traces: the canary's window is a lazy ``frame_slice``, so a canary on an 8-hour
recording touches only its window. A binary-compatible recording is passed to the sorter as is, so
the full sort reads the original file in place (no copy of the traces).

Acquisition formats open through SpikeInterface's extractors with the keyword arguments discovery
stored in ``entry.reader`` (stream id, series path, well); then the channel selection
(``entry.channel_ids``) and the probe override (``entry.probe``) apply, in that order.
"""

from __future__ import annotations

from spikeinterface.core import BaseRecording

from .config import Window
from .discovery import RecordingEntry


def _spikeglx(entry: RecordingEntry) -> BaseRecording:
    from spikeinterface.extractors import read_spikeglx

    return read_spikeglx(entry.path, **entry.reader)


def _openephys(entry: RecordingEntry) -> BaseRecording:
    from spikeinterface.extractors import read_openephys  # binary format: the folder holds no .continuous file

    return read_openephys(entry.path, **entry.reader)


def _nwb(entry: RecordingEntry) -> BaseRecording:
    from spikeinterface.extractors import read_nwb_recording

    return read_nwb_recording(file_path=entry.path, **entry.reader)


def _maxwell(entry: RecordingEntry) -> BaseRecording:
    from spikeinterface.extractors import read_maxwell

    # install_maxwell_plugin would download the vendor plugin at run time; the plugin comes from
    # formats.hdf5_plugin_path instead (checked by preflight and by _check_hdf5_filters).
    return read_maxwell(entry.path, install_maxwell_plugin=False, **entry.reader)


def _intan(entry: RecordingEntry) -> BaseRecording:
    from spikeinterface.extractors import read_intan

    return read_intan(entry.path, **entry.reader)


OPENERS = {"spikeglx": _spikeglx, "openephys": _openephys, "nwb": _nwb, "maxwell": _maxwell, "intan": _intan}


def _check_hdf5_filters(entry: RecordingEntry) -> None:
    """Fail with the environment verdict, naming the file, before any read can hit a missing filter plugin."""
    from .classification import SortFailure, verdict_for
    from .formats import hdf5

    plugin_path = entry.hdf5.get("plugin_path")
    missing = hdf5.unavailable_filters(entry.hdf5.get("filters") or [], plugin_path)
    if missing:
        raise SortFailure(verdict_for(
            "hdf5_plugin_missing", message=hdf5.missing_plugin_message(missing, entry.path, plugin_path),
            file=entry.path, filters=missing,
        ))


def load_recording(entry: RecordingEntry) -> BaseRecording:
    import probeinterface
    import spikeinterface.core as sc

    if entry.format == "si_folder":
        return sc.load(entry.path)
    if entry.format == "binary":
        params = entry.binary
        recording = sc.read_binary(
            file_paths=[entry.path],
            sampling_frequency=params["sampling_frequency"],
            dtype=params["dtype"],
            num_channels=params["num_channels"],
            gain_to_uV=params.get("gain_to_uV"),
            offset_to_uV=params.get("offset_to_uV"),
        )
        probegroup = probeinterface.read_probeinterface(params["probe"])
        recording.set_probegroup(probegroup)
        return recording
    if entry.format not in OPENERS:
        raise ValueError(f"{entry.path}: unknown recording format {entry.format!r}")
    if entry.hdf5:
        _check_hdf5_filters(entry)
    recording = OPENERS[entry.format](entry)
    if entry.channel_ids:
        recording = recording.select_channels(list(entry.channel_ids))
    if entry.probe:
        recording.set_probegroup(probeinterface.read_probeinterface(entry.probe))
    return recording


def window_of(recording: BaseRecording, window: Window | None) -> BaseRecording:
    """The lazily sliced window, or the recording itself when there is no window."""
    if window is None:
        return recording
    start, end = window.frames(recording.sampling_frequency, recording.get_num_samples())
    return recording.frame_slice(start_frame=start, end_frame=end)
