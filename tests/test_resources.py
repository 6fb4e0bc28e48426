"""Cluster requests for a full sort, sized from duration x channels (sortcanary.plan.resources)."""

from __future__ import annotations

import math

import pytest

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
    with pytest.raises(ValueError, match="duration_s|num_channels"):
        sort_runtime_min(duration_s, num_channels)
    with pytest.raises(ValueError, match="duration_s|num_channels"):
        sort_mem_mb(duration_s, num_channels)
