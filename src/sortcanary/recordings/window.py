"""The part of a recording a job sorts, and the lazy slice that gives it.

A canary sorts windows of the recording; the full sort sorts all of it (no window). Slicing is a
lazy ``frame_slice``, so a canary on an 8-hour recording touches only its window's traces.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..boundary import JSONDict, Recording


@dataclass(frozen=True)
class Window:
    """[start_s, start_s + duration_s) of a recording."""

    start_s: float
    duration_s: float
    clamped: bool = False  # the recording was shorter than the requested window

    def frames(self, sampling_frequency: float, num_samples: int) -> tuple[int, int]:
        start = min(int(round(self.start_s * sampling_frequency)), num_samples)
        end = min(start + int(round(self.duration_s * sampling_frequency)), num_samples)
        return start, end

    def as_dict(self) -> JSONDict:
        return {"start_s": self.start_s, "duration_s": self.duration_s, "clamped": self.clamped}


def window_of(recording: Recording, window: Window | None) -> Recording:
    """The lazily sliced window, or the recording itself when there is no window."""
    if window is None:
        return recording
    start, end = window.frames(recording.sampling_frequency, recording.get_num_samples())
    return recording.frame_slice(start_frame=start, end_frame=end)
