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

Attempt n asks for n times as much: the scheduler kills a job at its time or memory limit, and
such a kill is a resource failure, so the retry the profile allows gets more room. A retry after
any other failure exits as soon as it starts (see sortcanary.jobs.full_sort): it costs a queue wait,
never a second long sort.
"""

from __future__ import annotations

import math

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
