"""Sorter jobs get the cores: Snakemake pins OMP_NUM_THREADS (torch's and BLAS's thread count) to a
job's threads, so a sorter rule without threads ran Kilosort4 on one core (found by
bench/bench_workflow_vs_bare.py). Real snakemake runs, with the threshold test backend."""

from __future__ import annotations

import pytest

from conftest import OUTPUTS_OFF, run_snakemake, write_config


@pytest.mark.parametrize("threads, expected", [(None, "2"), (1, "1")])
def test_sorter_children_get_the_configured_threads(demo_dir, tmp_path, threads, expected):
    extra = {"threads": threads}  # None: the default, every core --cores gives
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:ThresholdSorter", outputs=OUTPUTS_OFF, **extra)
    result = run_snakemake(tmp_path, "--cores", "2", "--", "results/sorted/healthy_b.sort.json", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for stage in ("canary", "sort"):
        log = (tmp_path / "logs" / stage / "healthy_b.log").read_text()
        assert f"sorter child: OMP_NUM_THREADS={expected}," in log, log[-2000:]
