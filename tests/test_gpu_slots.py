"""GPU slots without a GPU: each sorter child is pinned to one device id no other running job holds.

The workflow test runs the real snakemake CLI with ``gpus: [0, 1]`` and ``--resources gpu=2`` over
four recordings; the test backend (backends:RecordsDevice) writes down the CUDA_VISIBLE_DEVICES it
was given and when it ran. The unit tests claim slots from real processes, one of them SIGKILLed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from conftest import OUTPUTS_OFF, read_json, read_summary, run_snakemake, small_recordings, write_config
from sortcanary.plan.gpus import resolve_gpu_ids
from sortcanary.runner.gpu_slots import child_env, gpu_slot, try_claim


def test_two_gpus_four_recordings_no_device_shared_by_overlapping_jobs(tmp_path):
    recordings = small_recordings(tmp_path / "recordings", ["r1", "r2", "r3", "r4"])
    trace = tmp_path / "trace.jsonl"
    write_config(tmp_path, recordings_dir=str(recordings), sorter="backends:RecordsDevice", gpus=[0, 1],
                 sorter_params={"seconds": 2, "trace_file": str(trace)}, canary={"window_s": 1.0},
                 outputs=OUTPUTS_OFF)
    result = run_snakemake(tmp_path, "--resources", "gpu=2")
    assert result.returncode == 0, result.stderr[-3000:]
    runs = [json.loads(line) for line in trace.read_text().splitlines()]
    assert len(runs) == 8, runs  # a canary and a full sort per recording
    assert {r["device"] for r in runs} == {"0", "1"}, runs
    for i, a in enumerate(runs):
        for b in runs[i + 1:]:
            overlap = a["start"] < b["end"] and b["start"] < a["end"]
            assert not (overlap and a["device"] == b["device"]), (a, b)
    assert any(a["start"] < b["end"] and b["start"] < a["end"] for i, a in enumerate(runs) for b in runs[i + 1:]), \
        "two sorter jobs must have run at once"
    rows = read_summary(tmp_path)
    for name in ("r1", "r2", "r3", "r4"):
        sort = read_json(tmp_path / "results" / "sorted" / name / "sort.json")
        canary = read_json(tmp_path / "logs" / "canary" / f"{name}.verdict.json")
        assert sort["gpu"] in ("0", "1") and canary["gpu"] in ("0", "1")
        assert (rows[name]["sort_gpu"], rows[name]["canary_gpu"]) == (sort["gpu"], canary["gpu"])
        assert "gpu" not in read_json(tmp_path / "results" / "canary" / f"{name}.json"), "markers stay deterministic"


HOLDER = """
import sys, time
from sortcanary.runner.gpu_slots import gpu_slot
with gpu_slot(["0"], root=sys.argv[1]) as gpu:
    print(gpu, flush=True)
    time.sleep(600)
"""


def test_a_killed_holder_frees_its_slot(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert holder.stdout.readline().strip() == "0"
        assert try_claim("0", str(tmp_path)) is None, "a held slot can't be claimed"
        with gpu_slot(["0", "1"], root=str(tmp_path)) as gpu:
            assert gpu == "1", "the next job gets the free device"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    claimed = try_claim("0", str(tmp_path))
    assert claimed is not None, "SIGKILL released the slot"
    claimed.close()


def test_nothing_is_pinned_without_gpus_under_slurm_or_on_the_cpu(tmp_path):
    assert resolve_gpu_ids([], environ={}) == ()
    assert resolve_gpu_ids("auto", environ={"CUDA_VISIBLE_DEVICES": ""}) == ()
    assert resolve_gpu_ids("auto", environ={"CUDA_VISIBLE_DEVICES": "2,3"}) == ("2", "3")
    assert resolve_gpu_ids([0, 1], environ={"SLURM_JOB_ID": "7", "CUDA_VISIBLE_DEVICES": "1"}) == ()
    assert resolve_gpu_ids([0, 1], torch_device="cpu", environ={}) == ()
    with gpu_slot((), root=str(tmp_path)) as gpu:
        assert gpu is None and child_env(gpu) is None
    assert not (tmp_path / ".sortcanary").exists()


def test_without_a_gpu_resource_the_workflow_runs_one_sorter_per_slot(tmp_path):
    """The default profile sets no `gpu` resource: the workflow sets it to the GPU slots (here 2)."""
    recordings = small_recordings(tmp_path / "recordings", ["a", "b", "c"])
    trace = tmp_path / "trace.jsonl"
    write_config(tmp_path, recordings_dir=str(recordings), sorter="backends:RecordsDevice", gpus=[0, 1],
                 sorter_params={"seconds": 2, "trace_file": str(trace)}, canary={"window_s": 0},
                 outputs=OUTPUTS_OFF)
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = [json.loads(line) for line in trace.read_text().splitlines()]
    assert {r["device"] for r in runs} == {"0", "1"}
    assert any(a["start"] < b["end"] and b["start"] < a["end"] for i, a in enumerate(runs) for b in runs[i + 1:])
