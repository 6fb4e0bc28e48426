"""Cluster requests for a full sort, sized from duration x channels, or from what its canary
measured (sortcanary.plan.resources)."""

from __future__ import annotations

import math

import pytest

from sortcanary.plan import resources
from sortcanary.plan.resources import sort_mem_mb, sort_runtime_min


def test_one_hour_of_a_neuropixels_probe():
    # 20 min of start-up allowance + 60 min per hour of 384 channels; 4000 MB + 32 MB per channel-hour.
    assert sort_runtime_min(3600, 384) == 80
    assert sort_mem_mb(3600, 384) == 4000 + 32 * 384


def test_requests_grow_with_duration_and_channels():
    assert sort_runtime_min(4 * 3600, 384) > sort_runtime_min(3600, 384) > sort_runtime_min(3600, 32)
    assert sort_mem_mb(4 * 3600, 384) > sort_mem_mb(3600, 384) > sort_mem_mb(3600, 32)
    # a short recording still gets the fixed allowance, rounded up to whole minutes / MB
    assert sort_runtime_min(20, 16) == 21 and sort_mem_mb(20, 16) == 4003


def test_each_retry_asks_for_more():
    """A retry follows a SLURM kill at the time or memory limit: attempt n gets n times as much."""
    for attempt in (2, 3):
        assert sort_runtime_min(7200, 384, attempt) == math.ceil((20 + 120) * attempt)
        assert sort_mem_mb(7200, 384, attempt) == math.ceil((4000 + 32 * 384 * 2) * attempt)
    assert sort_runtime_min(7200, 384, 0) == sort_runtime_min(7200, 384, 1)


@pytest.mark.parametrize("duration_s, num_channels", [(-1, 16), (float("nan"), 16), (float("inf"), 16), (60, 0)])
def test_impossible_sizes_are_refused(duration_s, num_channels):
    with pytest.raises(ValueError, match=r"duration_s|num_channels"):
        sort_runtime_min(duration_s, num_channels)
    with pytest.raises(ValueError, match=r"duration_s|num_channels"):
        sort_mem_mb(duration_s, num_channels)


# A 30 s canary window that took 60 s to sort and 15 s to build its outputs, peaking at 1.5 GB.
CANARY = {"measured": {"window_s": 30.0, "sort_seconds": 60.0, "outputs_seconds": 15.0,
                       "peak_rss_bytes": 1_500_000_000, "peak_gpu_bytes": None}}


def test_a_measured_canary_sizes_the_sort_instead_of_the_formula():
    # time: 2.5 s per second (sort and outputs) x 3600 s = 9000 s; x 1.5 safety + 3 min overhead
    assert resources.forecast_seconds(CANARY["measured"], 3600) == 9000
    assert resources.sized_runtime_min(CANARY, 3600, 384) == math.ceil(1.5 * 9000 / 60 + 3) == 228
    # memory: the peak, plus the formula's per-channel-hour allowance for the hour less the window, x 1.3
    grown = 1500 + 32 * 384 * (1 - 30 / 3600)
    assert resources.sized_mem_mb(CANARY, 3600, 384) == math.ceil(grown * 1.3)
    assert resources.sized_runtime_min(CANARY, 3600, 384) != sort_runtime_min(3600, 384)
    assert resources.sized_mem_mb(CANARY, 3600, 384) != sort_mem_mb(3600, 384)


def test_only_the_passes_over_the_data_scale_with_length():
    """Kilosort4's start-up and saving are paid once: with 12 of the window's 75 s in its data passes,
    an hour costs the other 63 s once plus 12 s per 30 s of recording."""
    affine = {"measured": {**CANARY["measured"], "data_pass_seconds": 12.0}}
    assert resources.forecast_seconds(affine["measured"], 3600) == 63 + 12 * 120
    assert resources.forecast_seconds(affine["measured"], 30) == 75  # the window itself
    assert resources.sized_runtime_min(affine, 3600, 384) == math.ceil(1.5 * (63 + 1440) / 60 + 3)
    assert resources.sized_runtime_min(affine, 3600, 384) < resources.sized_runtime_min(CANARY, 3600, 384)
    # a figure larger than the time it is part of is capped there, not extrapolated
    over = {**CANARY["measured"], "data_pass_seconds": 500.0}
    assert resources.forecast_seconds(over, 3600) == resources.forecast_seconds(CANARY["measured"], 3600)


def test_the_measured_request_grows_with_length_and_each_retry():
    assert resources.sized_runtime_min(CANARY, 7200, 384) > resources.sized_runtime_min(CANARY, 3600, 384)
    assert resources.sized_mem_mb(CANARY, 7200, 384) > resources.sized_mem_mb(CANARY, 3600, 384)
    for attempt in (2, 3):
        assert resources.sized_runtime_min(CANARY, 3600, 384, attempt) == math.ceil((1.5 * 9000 / 60 + 3) * attempt)
        assert resources.sized_mem_mb(CANARY, 3600, 384, attempt) == math.ceil(
            (1500 + 32 * 384 * (1 - 30 / 3600)) * 1.3 * attempt)


def test_short_recordings_get_the_floors():
    quick = {"measured": {**CANARY["measured"], "sort_seconds": 3.0, "outputs_seconds": None,
                          "peak_rss_bytes": 400_000_000}}
    assert resources.sized_runtime_min(quick, 30, 16) == resources.RUNTIME_FLOOR_MIN
    assert resources.sized_mem_mb(quick, 30, 16) == resources.MEM_FLOOR_MB
    assert resources.sized_runtime_min(quick, 30, 16, attempt=2) == 2 * resources.RUNTIME_FLOOR_MIN


@pytest.mark.parametrize("record", [
    {},  # no canary record: canary disabled, or logs removed
    {"status": "passthrough"},  # passed through on an unexpected error: nothing measured
    {"measured": {"window_s": 0, "sort_seconds": 5}},
    {"measured": {"window_s": 30, "sort_seconds": None}},
    {"measured": "garbage"},
])
def test_without_usable_figures_the_formula_applies(record):
    assert resources.sized_runtime_min(record, 3600, 384) == sort_runtime_min(3600, 384)
    assert resources.sized_mem_mb(record, 3600, 384) == sort_mem_mb(3600, 384)


def test_memory_falls_back_alone_while_no_peak_was_measured():
    no_peak = {"measured": {**CANARY["measured"], "peak_rss_bytes": None}}
    assert resources.sized_mem_mb(no_peak, 3600, 384) == sort_mem_mb(3600, 384)
    assert resources.sized_runtime_min(no_peak, 3600, 384) == 228


def test_the_record_is_read_forgivingly(tmp_path):
    assert resources.read_record(tmp_path / "missing.json") == {}
    (tmp_path / "broken.json").write_text("{not json")
    assert resources.read_record(tmp_path / "broken.json") == {}
    (tmp_path / "list.json").write_text("[1]")
    assert resources.read_record(tmp_path / "list.json") == {}
