"""The seed's guards, run for real: the memory watchdog stops a sorter whose memory runs away before
the kernel does, its limit comes from the job's cgroup or mem_mb where they are smaller, an
I/O-stalled sorter that keeps logging is stopped, and every watchdog event lands in the audit log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from conftest import read_json, run_snakemake, sortcanary, write_config


def canary(path, tmp_path, **config):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({"recordings_dir": str(tmp_path), "preflight": {"enabled": False}, **config}))
    result = sortcanary("canary", str(path), "--config", str(cfg), timeout=300)
    assert result.stdout.strip(), result.stderr[-3000:]
    return json.loads(result.stdout)


def events_of(log: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(log).with_suffix(".events.jsonl").read_text().splitlines()]


GB = 1e9


def test_runaway_memory_is_stopped_by_the_watchdog_with_peak_and_limit(demo_dir, tmp_path):
    verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:GrowsMemory", canary={"window_s": 5},
                     sorter_params={"step_mb": 50, "max_mb": 1500},
                     memory={"limit_gb": 0.8, "warn_fraction": 0.5, "abort_fraction": 0.92})
    assert (verdict["verdict"], verdict["category"], verdict["error_class"]) == (
        "blocked", "resource", "host_memory_watchdog"), verdict
    evidence = verdict["evidence"]
    assert evidence["limit_bytes"] == 0.8 * GB and evidence["limit_source"] == "memory.limit_gb in the config"
    assert 0.92 * 0.8 * GB <= evidence["peak_anon_bytes"] < 1.2 * GB, "stopped at the abort level, not the cap"
    assert evidence["peak_rss_bytes"] >= evidence["peak_anon_bytes"] * 0.9
    assert "cap" not in verdict["message"] and "OOM killer" in verdict["message"]
    sorted_events = [(e["guard"], e["event"]) for e in events_of(verdict["log"]) if e["task"] == "sort"]
    assert sorted_events[:4] == [("inactivity", "armed"), ("disk", "armed"), ("memory", "armed"),
                                 ("io_stall", "armed")]
    assert sorted_events[4:] == [("memory", "warn"), ("memory", "trip"), ("runner", "end")]
    warn, trip = (e for e in events_of(verdict["log"]) if e["event"] in ("warn", "trip"))
    assert 0.5 * 0.8 * GB <= warn["anon_bytes"] < trip["peak_anon_bytes"] and trip["limit_bytes"] == 0.8 * GB


def test_a_memory_mapped_file_larger_than_the_limit_is_not_stopped(demo_dir, tmp_path):
    """Its pages are the kernel's to drop: a sorter that maps and reads a whole file bigger than its
    memory limit holds no more memory than one that doesn't. (An allocating sorter is still
    stopped: test_runaway_memory_is_stopped_by_the_watchdog_with_peak_and_limit.)"""
    data = tmp_path / "big.dat"
    with open(data, "wb") as fh:
        fh.writelines(os.urandom(64 << 20) for _ in range(12))  # 768 MiB, written: a sparse file's holes map no pages
    verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:MapsFile", sorter_params={"path": str(data)},
                     canary={"window_s": 5, "exercise_outputs": False},
                     memory={"limit_gb": 0.6, "warn_fraction": 0.85, "abort_fraction": 0.92})
    assert verdict["verdict"] == "pass", verdict
    mapped = [json.loads(line) for line in Path(verdict["log"]).read_text().splitlines() if line.startswith("{")]
    assert mapped and mapped[-1]["mapped_bytes"] == data.stat().st_size
    assert mapped[-1]["rss_file_bytes"] > 0.6 * GB, "the file's pages were resident beyond the limit"


def test_a_cgroup_limit_is_read_from_v2_and_v1_trees_and_the_smallest_bound_wins(tmp_path):
    from sortcanary.plan.sortplan import GuardBounds
    from sortcanary.runner.guards.memory import cgroup_memory_limit, memory_limit

    v2 = tmp_path / "v2"
    (v2 / "proc/self").mkdir(parents=True)
    (v2 / "proc/self/cgroup").write_text("0::/system.slice/slurmstepd.scope/job_42/step_0\n")
    job = v2 / "sys/fs/cgroup/system.slice/slurmstepd.scope/job_42"
    (job / "step_0").mkdir(parents=True)
    (job / "memory.max").write_text("4294967296\n")  # SLURM's --mem=4G, on the job
    (job / "step_0/memory.max").write_text("max\n")  # the step itself: unlimited
    assert cgroup_memory_limit(v2) == (4294967296, str(job / "memory.max"))

    v1 = tmp_path / "v1"
    (v1 / "proc/self").mkdir(parents=True)
    (v1 / "proc/self/cgroup").write_text("12:cpuset:/slurm/uid_1/job_7\n5:memory:/slurm/uid_1/job_7\n")
    cg = v1 / "sys/fs/cgroup/memory/slurm/uid_1/job_7"
    cg.mkdir(parents=True)
    (cg / "memory.limit_in_bytes").write_text("2147483648\n")
    (v1 / "sys/fs/cgroup/memory/memory.limit_in_bytes").write_text("9223372036854771712\n")  # v1's "none"
    assert cgroup_memory_limit(v1) == (2147483648, str(cg / "memory.limit_in_bytes"))
    assert cgroup_memory_limit(tmp_path / "empty") is None

    bounds = GuardBounds(host_fraction=1.0, limit_bytes=None, mem_mb=None, warn_fraction=0.85, abort_fraction=0.92,
                         io_stall_s=0)
    limit, source = memory_limit(bounds, v1)
    assert limit == 2147483648 and str(cg / "memory.limit_in_bytes") in source
    limit, source = memory_limit(GuardBounds(**{**bounds.__dict__, "mem_mb": 1500}), v1)
    assert (limit, source) == (1_500_000_000, "the job's mem_mb=1500 resource")
    limit, source = memory_limit(bounds, tmp_path / "empty")
    assert source.startswith("memory.host_fraction=1 of the host's")


def test_a_sorter_blocked_on_a_read_while_it_keeps_logging_is_an_io_stall(demo_dir, tmp_path):
    verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:BlockedOnFifo", canary={"window_s": 5},
                     io_stall={"timeout_s": 4})
    assert (verdict["verdict"], verdict["category"], verdict["error_class"]) == (
        "blocked", "environment", "io_stall"), verdict
    evidence = verdict["evidence"]
    assert 4 <= evidence["stalled_s"] < 4 + 3 and evidence["timeout_s"] == 4
    mount = evidence["mount"]
    assert mount in verdict["message"] and os.path.realpath(demo_dir).startswith(mount.rstrip("/") + "/")
    log = Path(verdict["log"]).read_text()
    beats = log.count("still waiting for data")
    assert beats >= 15, f"the sorter kept logging while blocked ({beats} heartbeats)"
    trips = [e for e in events_of(verdict["log"]) if e["event"] == "trip"]
    assert [(e["guard"], e["mount"]) for e in trips] == [("io_stall", mount)]


def test_a_memory_trip_in_the_full_sort_is_a_resource_failure_and_retried(demo_dir, tmp_path):
    """Through Snakemake: the job's mem_mb (here set smaller than anything else) is the limit, the
    trip is a resource verdict, so the sort rule's retries run, each with its own limit logged."""
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:GrowsMemory", canary={"window_s": 0},
                 sorter_params={"step_mb": 50, "max_mb": 1500})
    result = run_snakemake(tmp_path, "--set-resources", "sort:mem_mb=700", "--allowed-rules", "preflight", "canary",
                           "sort", "--", "results/sorted/healthy_b.sort.json", timeout=300)
    assert result.returncode != 0
    verdict = read_json(tmp_path / "logs" / "sort" / "healthy_b.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("resource", "host_memory_watchdog")
    assert verdict["evidence"]["limit_source"] == "the job's mem_mb=700 resource"
    assert verdict["attempt"] == 3, "a memory trip is a resource failure: retried"
    events = [json.loads(line) for line in (tmp_path / "logs/sort/healthy_b.events.jsonl").read_text().splitlines()]
    trips = [(e["attempt"], e["guard"], e["limit_bytes"]) for e in events if e["event"] == "trip"]
    assert trips == [(n, "memory", 700_000_000) for n in (1, 2, 3)]


def test_status_shows_the_last_watchdog_event_of_a_running_job(tmp_path):
    from sortcanary import layout
    from sortcanary.runner.guards.events import EventLog
    from sortcanary.runner.progress import ProgressReporter

    reporter = ProgressReporter(recording="rec", job="sort", sorter="kilosort4", interval_s=60,
                                path=tmp_path / layout.SORT_PROGRESS.format(recording="rec"))
    reporter.follow(tmp_path / "missing.log", "sort")  # this process is the running job
    events = EventLog(tmp_path / layout.SORT_EVENTS.format(recording="rec"), job="sort", task="sort")
    events.emit("memory", "armed", "limit 4.00 GB from the job's mem_mb=4000 resource")
    events.emit("memory", "warn", "RSS 3.50 GB is 88% of the 4.00 GB limit", rss_bytes=3_500_000_000)
    shown = sortcanary("status", str(tmp_path)).stdout
    assert "last watchdog event: memory warn" in shown and "RSS 3.50 GB is 88%" in shown, shown
    assert "armed" not in shown


@pytest.mark.parametrize("job", ["canary", "sort"])
def test_the_events_file_is_named_after_the_jobs_log(job):
    from sortcanary import layout
    from sortcanary.runner.guards.events import events_path

    log = layout.CANARY_LOG if job == "canary" else layout.SORT_LOG
    events = layout.CANARY_EVENTS if job == "canary" else layout.SORT_EVENTS
    assert str(events_path(Path(log.format(recording="a.imec0.ap")))) == events.format(recording="a.imec0.ap")


def test_a_gpu_out_of_memory_leaves_a_snapshot_beside_the_log(demo_dir, tmp_path):
    verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:GpuOutOfMemory", canary={"window_s": 5})
    assert (verdict["category"], verdict["error_class"]) == ("resource", "gpu_out_of_memory"), verdict
    snapshot = Path(verdict["evidence"]["gpu_snapshot"])
    assert snapshot == Path(verdict["log"]).with_suffix(".gpu-oom.txt")
    text = snapshot.read_text()
    assert "== nvidia-smi ==" in text and "== torch.cuda.memory_summary() ==" in text
    assert verdict["evidence"]["peak_rss_bytes"] > 50e6 and "peak_gpu_bytes" not in verdict["evidence"]
    assert [e["path"] for e in events_of(verdict["log"]) if e["guard"] == "gpu"] == [str(snapshot)]


# -- the sorter child's life is tied to its job's process ------------------------------------------


def sort_plan_of(demo_dir, sorter: str):
    from sortcanary.config import validate_config
    from sortcanary.plan.sortplan import plan_full_sort
    from sortcanary.recordings import entry_for_path

    cfg = validate_config({"recordings_dir": str(demo_dir), "sorter": sorter, "preflight": {"enabled": False}})
    return plan_full_sort(cfg, entry_for_path(demo_dir / "healthy_b.bin"))


def test_a_child_whose_parent_is_gone_before_it_starts_does_nothing(demo_dir, tmp_path):
    """The race the parent-death signal leaves open: the parent died before the child set it. The
    child sees another parent than the one it was told of, and stops before the task."""
    import subprocess
    import sys

    from sortcanary.atomic import write_json_atomic
    from sortcanary.runner.watched import PLAN_FILE, RESULT_FILE, TASK_FILE

    write_json_atomic(tmp_path / PLAN_FILE, sort_plan_of(demo_dir, "backends:ThresholdSorter").as_dict())
    write_json_atomic(tmp_path / TASK_FILE, {"task": "sort", "dest": str(tmp_path / "out"), "context": {}})
    gone = subprocess.run([sys.executable, "-m", "sortcanary.runner.child", str(tmp_path), "1"],
                          capture_output=True, text=True, timeout=120)
    assert gone.returncode != 0 and "its parent (pid 1) is gone" in gone.stderr, gone.stderr[-2000:]
    assert not (tmp_path / RESULT_FILE).exists() and not (tmp_path / "out").exists()


JOB_SCRIPT = """
import json, sys
from pathlib import Path
from sortcanary.plan.sortplan import SortPlan
from sortcanary.runner.watched import run_task
folder = Path(sys.argv[1])
plan = SortPlan.from_dict(json.loads((folder / "plan-in.json").read_text()))
(folder / "out").mkdir()
run_task(plan, "sort", dest=folder / "out", workdir=folder / "work", log_path=folder / "job.log")
"""


def test_the_sorter_child_dies_with_its_job(demo_dir, tmp_path):
    """SIGKILL the job's process alone (not its group): its hanging sorter child goes with it."""
    import subprocess
    import sys
    import time

    import psutil

    (tmp_path / "plan-in.json").write_text(json.dumps(sort_plan_of(demo_dir, "backends:Hang").as_dict()))
    job = subprocess.Popen([sys.executable, "-c", JOB_SCRIPT, str(tmp_path)])
    log = tmp_path / "job.log"
    try:
        deadline = time.monotonic() + 120
        while not (log.exists() and "stage: sorting" in log.read_text(errors="replace")):
            assert time.monotonic() < deadline and job.poll() is None, "the sorter child never started sorting"
            time.sleep(0.5)
        child = psutil.Process(job.pid).children()[0]
        job.kill()
        job.wait(timeout=30)
        _, alive = psutil.wait_procs([child], timeout=15)
        assert not alive, "the sorter child outlived its job"
    finally:
        if job.poll() is None:
            job.kill()
