"""Can the sorter work at the recording's sampling rate? (An LFP stream or a mis-set rate can't be
sorted meaningfully, and Kilosort4 would not say so clearly.)"""

from __future__ import annotations

from typing import Protocol

from ..taxonomy import SortFailure, verdict_for


def accepted_range(low: float | None, high: float | None) -> str:
    """``10000-100000 Hz``, ``at least 10000 Hz``, ``at most 5000 Hz``: a range either end of which
    may be open (None)."""
    if low is not None and high is not None:
        return f"{low:g}-{high:g} Hz"
    return f"at least {low:g} Hz" if low is not None else f"at most {high:g} Hz"


class _Sorter(Protocol):
    """A sorter backend (sortcanary.plan.sorters.SorterBackend), as far as this check reads it."""

    name: str
    sampling_frequency_range: tuple[float | None, float | None]


def check_sampling_frequency(backend: _Sorter, sampling_frequency: float, source: str) -> None:
    """An input error (named, with the fix) when the sorter can't work at this sampling rate."""
    low, high = backend.sampling_frequency_range
    if (low is not None and sampling_frequency < low) or (high is not None and sampling_frequency > high):
        raise SortFailure(verdict_for(
            "input_invalid",
            message=f"{source}: sampling rate {sampling_frequency:g} Hz is outside what {backend.name} accepts "
            f"({accepted_range(low, high)}); check sampling_frequency in its metadata, or that this is the "
            "spike-band stream.",
        ))
