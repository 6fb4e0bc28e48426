"""The windows a canary sorts: the leading one, the confirmation windows and the longer one.

The canary sorts a short window first; a biological verdict there is confirmed on windows further on
before a recording is blocked, and a window with too few spikes is sorted once more, longer, from the
start (sortcanary.jobs.canary). Each is cut here, from the lengths the plan resolved
(sortcanary.plan.sortplan), never longer than the recording, and never shorter than the sorter can sort
unless the recording itself is (then it is sorted whole, as the full sort will sort it).
"""

from __future__ import annotations

import math

from ..boundary import JSONDict
from ..recordings import Window

# A window in which the sorter finds too few spikes ("no spikes", "too few to cluster") is sorted
# once more, this many times longer from the start, before the canary blocks: a sparse or faint
# recording can leave Kilosort4 fewer isolated spikes in 30 s than its templates need (6) and
# still sort in full (bench/fidelity.py, BENCHMARKS.md "Fidelity map").
SPARSE_WINDOW_FACTOR = 4
# A sorter that cuts the traces into batches of ``batch_size`` samples (Kilosort4) whitens over every
# batch but the last: a window of one batch fails whatever the recording holds (the classifier's
# ks4-one-batch calls that a batch_size beyond the data). Every window the canary sorts therefore
# holds more than one batch, the last at least half of one: a shorter canary.window_s is widened, and
# a confirmation window the recording's end would cut shorter is not sorted.
MIN_WINDOW_BATCHES = 1.5


def canary_enabled(window_s: float | None) -> bool:
    """A window that is missing, NaN or <= 0 disables the canary."""
    return window_s is not None and not math.isnan(window_s) and window_s > 0


def canary_window(window_s: float, duration_s: float, straddle_s: float | None = None) -> Window:
    """The leading window; a recording shorter than it is sorted whole, and the window says so.
    ``straddle_s``: a time the window must hold in its middle, as far as the recording allows (the
    first join of runs joined end to end, where stitching artefacts show: sortcanary.plan.join)."""
    if duration_s <= window_s:
        return Window(0.0, float(duration_s), clamped=True)
    if straddle_s is not None:
        return Window(round(min(max(0.0, straddle_s - window_s / 2), duration_s - window_s), 6), float(window_s))
    return Window(0.0, float(window_s))


def min_window_s(params: JSONDict, defaults: JSONDict, sampling_frequency: float) -> float:
    """The shortest window the sorter can sort: MIN_WINDOW_BATCHES of its batches (0 for a sorter
    without ``batch_size``)."""
    batch = params.get("batch_size", defaults.get("batch_size"))
    if isinstance(batch, bool) or not isinstance(batch, (int, float)) or batch <= 0 or sampling_frequency <= 0:
        return 0.0
    return MIN_WINDOW_BATCHES * float(batch) / sampling_frequency


def confirmation_windows(window_s: float, duration_s: float, count: int, shortest_s: float = 0.0) -> tuple[Window, ...]:
    """Further windows to confirm a biological verdict, starting at 1/2, 3/4, 7/8... of the recording.

    A quiet start (electrode settling, a late injection) must not condemn a whole recording.
    Windows that would overlap the previous one, or that the recording's end cuts shorter than
    ``shortest_s`` (min_window_s), are skipped: a recording too short for all of them is judged on
    what it has.
    """
    windows: list[Window] = []
    previous_end = min(window_s, duration_s)
    for k in range(1, count + 1):
        start = duration_s * (1.0 - 0.5**k)
        if start < previous_end or duration_s - start < shortest_s:
            continue
        length = min(window_s, duration_s - start)
        windows.append(Window(round(start, 6), round(length, 6), clamped=length < window_s))
        previous_end = start + length
    return tuple(windows)


def sparse_window(window_s: float, duration_s: float) -> Window | None:
    """The leading window SPARSE_WINDOW_FACTOR times longer (all of a shorter recording); None
    when the leading window already held the whole recording."""
    if duration_s <= window_s:
        return None
    length = min(SPARSE_WINDOW_FACTOR * window_s, duration_s)
    return Window(0.0, float(length), clamped=length < SPARSE_WINDOW_FACTOR * window_s)
