"""What a full sort asks a cluster scheduler for, from the recording's cheap metadata.

A batch scheduler needs a wall-time limit and a memory request before a job starts. Too small and
a multi-hour sort is killed near its end; too large and it waits in the queue for nothing. Kilosort4's
cost grows with the amount of data, duration x channels, and discovery already knows both from
headers and file sizes (no trace is read), so the request is sized per recording.

The figures are deliberately generous: one hour of a 384-channel probe gets one hour of sorting on
top of a fixed start-up allowance (Kilosort4 on one GPU usually runs several times faster than
real time), and host memory covers Python, torch and Kilosort4's state plus the spike features,
which grow with the data. A site tunes them with ``set-resources`` in its Snakemake profile (see
docs/slurm.md) rather than here.

Once the recording's canary has run, its measured rate and peak memory size the sort instead
(``sized_runtime_min``, ``sized_mem_mb``; the model is stated above their constants); the formula
remains for a recording whose canary measured nothing.

Attempt n asks for n times as much: the scheduler kills a job at its time or memory limit, and
such a kill is a resource failure, so the retry the profile allows gets more room. A retry after
any other failure exits as soon as it starts (see sortcanary.jobs.full_sort): it costs a queue wait,
never a second long sort.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..atomic import read_json
from ..boundary import JSONDict

# Channels of one Neuropixels 1.0 probe: the unit the per-hour figures below are given for.
REFERENCE_CHANNELS = 384

# Wall time: a fixed allowance (start-up, drift correction set-up, writing the results) plus
# minutes per hour of REFERENCE_CHANNELS-channel data.
SORT_BASE_MIN = 20
SORT_MIN_PER_PROBE_HOUR = 60

# Host memory: a fixed base for Python, torch and Kilosort4, plus MB per channel-hour of data.
SORT_BASE_MEM_MB = 4000
SORT_MEM_MB_PER_CHANNEL_HOUR = 32


def _data_size(duration_s: float, num_channels: int) -> tuple[float, int]:
    """(hours, channels), checked: a negative or missing size would silently request nothing."""
    if not duration_s >= 0 or not math.isfinite(duration_s):
        raise ValueError(f"duration_s must be a finite number >= 0, got {duration_s!r}")
    if int(num_channels) < 1:
        raise ValueError(f"num_channels must be >= 1, got {num_channels!r}")
    return duration_s / 3600.0, int(num_channels)


def sort_runtime_min(duration_s: float, num_channels: int, attempt: int = 1) -> int:
    """Wall-time limit in minutes for the full sort of a recording, for retry ``attempt``."""
    hours, channels = _data_size(duration_s, num_channels)
    minutes = SORT_BASE_MIN + SORT_MIN_PER_PROBE_HOUR * hours * channels / REFERENCE_CHANNELS
    return math.ceil(minutes * max(1, attempt))


def sort_mem_mb(duration_s: float, num_channels: int, attempt: int = 1) -> int:
    """Host memory in MB for the full sort of a recording, for retry ``attempt``."""
    hours, channels = _data_size(duration_s, num_channels)
    mem = SORT_BASE_MEM_MB + SORT_MEM_MB_PER_CHANNEL_HOUR * channels * hours
    return math.ceil(mem * max(1, attempt))


# -- Sized by the canary -------------------------------------------------------------------------
#
# The canary has just run the same sorter, parameters and code path on a window of the same
# recording, on the same kind of node (sortcanary.jobs.canary writes what it measured, ``measured``,
# into its verdict record, layout.CANARY_VERDICT: not into the marker, which must stay the same
# when a re-run canary reaches the same verdict). Its figures replace the guesses above; without them (canary disabled,
# passed through on an unexpected error, a marker from an older version) the formula applies.
#
# Time is affine in the length: a part paid once (imports, device and filter set-up, saving, the
# post-sort outputs) plus the sorter's passes over the data in batches and the clustering of the
# spikes they find, which grow about linearly with duration. The runner times the second part from
# the sorter's own stage headers in its log (``data_pass_seconds``, sortcanary.runner.progress
# .DATA_PASSES); only it is scaled. Scaling the whole canary instead counted Kilosort4's ~18 s of
# start-up 2x to 60x over (bench/forecast.py: +49 % and +107 % on 1 and 3 min). A sorter whose
# stages are unknown has all its time scaled: longer, the safe side of a time limit.
#
# Memory does not scale with length the same way. The recording reaches Kilosort4 as a memory-mapped
# binary: its pages are clean and shared, and a cgroup reclaims them before it kills a job, so a
# longer file needs no more request (and the memory watchdog, runner.guards.memory, leaves them out
# of what it compares with mem_mb). The canary's peak RSS, which counts the window's mapped pages,
# errs on the high side. What grows is the spike features Kilosort4 keeps on the host
# (about 240 bytes a spike), i.e. channels x duration; for it the formula's per-channel-hour
# allowance is added for the part of the recording the window did not cover. Torch, Kilosort4
# and one batch are in the canary's peak already.

# A sort runs this much longer than the canary's rate foretells before it is killed: Kilosort4's
# clustering is not exactly linear in the spikes, and a shared node can be slower than the
# canary's.
RUNTIME_SAFETY = 1.5
# Minutes the canary's rate does not cover: the job's start on a node (environment, a cold shared
# filesystem), publishing the result folder and the summary refresh.
RUNTIME_OVERHEAD_MIN = 3
# No full sort asks for less: below a few minutes a shorter limit gains no backfill, and a
# half-minute canary on a tiny file can't tell start-up noise from the rate.
RUNTIME_FLOOR_MIN = 5

# Host memory over the canary's peak: allocator fragmentation, and a drifting recording that
# keeps more templates than the window did.
MEM_SAFETY = 1.3
# No full sort asks for less: Python, torch and Kilosort4 alone take about a gigabyte.
MEM_FLOOR_MB = 2000
# The spike features a longer recording adds (see above): the formula's allowance.
MEM_GROWTH_MB_PER_CHANNEL_HOUR = SORT_MEM_MB_PER_CHANNEL_HOUR

# mem_mb is in megabytes; the executor plugin passes it as --mem=<mem_mb>, which SLURM reads as
# mebibytes, so the grant is 5 % over the bytes asked for: the safe side.
MB = 1_000_000


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0 else None


def measured_of(record: JSONDict) -> JSONDict | None:
    """The canary's ``measured`` figures when they can size a sort (a window of positive length
    and its sort time), else None: the formula applies."""
    measured = record.get("measured") if isinstance(record, dict) else None
    if not isinstance(measured, dict):
        return None
    window_s, sort_s = _number(measured.get("window_s")), _number(measured.get("sort_seconds"))
    if not window_s or sort_s is None:
        return None
    return measured


def forecast_seconds(measured: JSONDict, duration_s: float) -> float:
    """The expected wall time of the full sort, in seconds: the canary's once-only part plus its
    data passes scaled from the window to the length (no safety margin: this is the figure shown
    as the forecast finish and compared in bench/forecast.py)."""
    spent = float(measured["sort_seconds"]) + (_number(measured.get("outputs_seconds")) or 0.0)
    passes = _number(measured.get("data_pass_seconds"))
    passes = spent if passes is None else min(passes, spent)
    return spent - passes + passes / float(measured["window_s"]) * max(0.0, float(duration_s))


def sized_runtime_min(canary: JSONDict, duration_s: float, num_channels: int, attempt: int = 1) -> int:
    """Wall-time limit in minutes for the full sort, from its ``canary``'s verdict record when that
    measured the rate (see the section's comment), else sort_runtime_min; attempt n asks n times
    as much."""
    measured = measured_of(canary)
    if measured is None:
        return sort_runtime_min(duration_s, num_channels, attempt)
    _data_size(duration_s, num_channels)  # the same checks as the formula's
    minutes = RUNTIME_SAFETY * forecast_seconds(measured, duration_s) / 60 + RUNTIME_OVERHEAD_MIN
    return math.ceil(max(RUNTIME_FLOOR_MIN, minutes) * max(1, attempt))


def sized_mem_mb(canary: JSONDict, duration_s: float, num_channels: int, attempt: int = 1) -> int:
    """Host memory in MB for the full sort, from the peak in its ``canary``'s verdict record when
    that measured one (see the section's comment), else sort_mem_mb; attempt n asks n times as much."""
    measured = measured_of(canary)
    peak = _number(measured.get("peak_rss_bytes")) if measured else None
    if not peak or measured is None:
        return sort_mem_mb(duration_s, num_channels, attempt)
    hours, channels = _data_size(duration_s, num_channels)
    window_hours = min(hours, float(measured["window_s"]) / 3600.0)
    growth = MEM_GROWTH_MB_PER_CHANNEL_HOUR * channels * (hours - window_hours)
    mem = max(MEM_FLOOR_MB, (peak / MB + growth) * MEM_SAFETY)
    return math.ceil(mem * max(1, attempt))


def read_record(path: str | Path) -> JSONDict:
    """The canary's verdict record at ``path``, or {} when it is missing or unreadable: a resource
    request must never fail a job, the formula applies instead. One small file, read per job."""
    record = read_json(path, default={})
    return record if isinstance(record, dict) else {}


def forecast_for(recording: str, duration_s: float, root: str = ".") -> float | None:
    """The full sort's expected seconds from its canary's record under ``root`` (None when the
    canary measured nothing): the start time plus this is the forecast finish that the progress
    lines and `sortcanary status` show."""
    from .. import layout

    measured = measured_of(read_record(layout.path(layout.CANARY_VERDICT, root, recording=recording)))
    return None if measured is None else round(forecast_seconds(measured, duration_s), 1)
