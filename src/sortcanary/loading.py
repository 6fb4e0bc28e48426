"""Open a discovered recording as a lazy SpikeInterface recording.

Nothing here reads traces: the canary's window is a lazy ``frame_slice``, so a canary on an 8-hour
recording touches only its window. A binary-compatible recording is passed to the sorter as is, so
the full sort reads the original file in place (no copy of the traces).
"""

from __future__ import annotations

from spikeinterface.core import BaseRecording

from .config import Window
from .discovery import RecordingEntry


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
    raise ValueError(f"{entry.path}: unknown recording format {entry.format!r}")


def window_of(recording: BaseRecording, window: Window | None) -> BaseRecording:
    """The lazily sliced window, or the recording itself when there is no window."""
    if window is None:
        return recording
    start, end = window.frames(recording.sampling_frequency, recording.get_num_samples())
    return recording.frame_slice(start_frame=start, end_frame=end)
