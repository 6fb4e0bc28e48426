"""The workflow on a real one-node SLURM cluster, through profiles/slurm and the SLURM executor plugin.

tests/slurm/local-cluster.sh starts munged, slurmctld and slurmd on loopback (as root); Debian's
slurm-wlm and munge come from `make system-deps`, and without them these tests skip. The node gets
two bookkeeping-only GPUs (LOCAL_SLURM_GPUS), so the profile's `gpu: 1` requests reach SLURM as
`--gpus=1` exactly as on a GPU cluster. What is tested is the scheduler's side (submission,
requests, retries, logs), not Kilosort4 (test_workflow.py runs it): the jobs sort with the
threshold test backend SlowInCanary, which blocks the silent recording as biological the way
Kilosort4 does, in seconds, and takes 5 s per second of a canary window, so the full sorts' requests
sized from their canaries' rate differ from the duration x channels formula's.

The run uses the real profile plus tests/slurm/profile, which only says what differs on this
cluster (partition, no account, squeue for job states), and the workflow profile profiles/default
that Snakemake loads when run from the repository root, whose local GPU cap (set by the workflow
for local runs only) must not serialize the cluster's GPU jobs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SORT_ONLY, TESTS, job_env, read_json, read_summary, run_snakemake, sortcanary, write_config
from sortcanary.plan import resources
from sortcanary.recordings import discover

pytestmark = pytest.mark.slurm

CLUSTER_SCRIPT = TESTS / "slurm" / "local-cluster.sh"
TEST_PROFILE = TESTS / "slurm" / "profile"
FAKE_GPUS = 2
CANARY_WINDOW_S = 0.5
SLURM_PROGRAMS = ("slurmctld", "slurmd", "munged", "sbatch")  # what local-cluster.sh needs installed
# "Job 3 has been submitted with SLURM jobid 12 (log: /.../.snakemake/slurm_logs/rule_canary/silent/12.log)."
SUBMITTED = re.compile(r"Job (\d+) has been submitted with SLURM jobid (\d+) \(log: (\S+)\)\.")


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory, request) -> dict:
    """A running one-node cluster; stopped (by the pids the script started) after the module."""
    if os.geteuid() != 0:
        pytest.skip("the local SLURM cluster needs root: it runs munged, slurmctld and slurmd")
    missing = [p for p in SLURM_PROGRAMS if not (shutil.which(p) or Path("/usr/sbin", p).is_file())]
    if missing:
        pytest.skip(f"SLURM is not installed ({', '.join(missing)} missing): run `make system-deps` as root")
    state = tmp_path_factory.mktemp("slurm-cluster")
    env = {**os.environ, "LOCAL_SLURM_GPUS": str(FAKE_GPUS)}

    def stop():
        stopped = subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(state)], env=env, capture_output=True,
                                 text=True, timeout=120)
        assert stopped.returncode == 0, f"local cluster failed to stop:\n{stopped.stderr[-2000:]}"

    request.addfinalizer(stop)  # registered first: a half-started cluster is stopped too
    started = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", str(state)], env=env, capture_output=True,
                             text=True, timeout=120)
    assert started.returncode == 0, f"local cluster failed to start:\n{started.stderr[-4000:]}"
    conf = re.search(r"^export SLURM_CONF=(\S+)$", started.stdout, re.M)
    assert conf, started.stdout
    return {"SLURM_CONF": conf.group(1), "state": state}


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, demo_dir, tmp_path_factory):
    """`snakemake --profile profiles/slurm` over the demo recordings: two healthy, one silent."""
    workdir = tmp_path_factory.mktemp("slurm-wf")
    # A 0.5 s window: SlowInCanary's rate (5 s per second) sizes the sort the same whatever the window,
    # and the canaries sleep 2.5 s instead of a 10 s window's 50. A canary job then ends (its start on
    # the node takes 4 s) before the plugin's second status check, 12 s after submission, instead of
    # being seen by the third, 21 s later (the plugin waits 10 s longer each time no job has ended).
    # The post-sort outputs are not what is tested here (test_outputs.py judges them): sort only.
    write_config(workdir, recordings_dir=str(demo_dir), sorter="backends:SlowInCanary",
                 canary={**SORT_ONLY["canary"], "window_s": CANARY_WINDOW_S}, outputs=SORT_ONLY["outputs"])
    # run_snakemake also passes the workflow profile profiles/default, as a run from the repo root gets.
    result = run_snakemake(
        workdir,
        "--profile", str(REPO / "profiles" / "slurm"),
        "--profile", str(TEST_PROFILE),
        env=job_env(SLURM_CONF=slurm_cluster["SLURM_CONF"]),
        timeout=1200,
    )
    # {(rule, recording or None): [{slurm_id, log, at (offset in stderr)}, ...]}, from the plugin's
    # log paths: .snakemake/slurm_logs/rule_RULE[/WILDCARDS]/SLURM_ID.log
    submitted = {}
    for match in SUBMITTED.finditer(result.stderr):
        log = Path(match.group(3))
        rule_dir, *wildcards = log.relative_to(workdir / ".snakemake" / "slurm_logs").parts[:-1]
        key = (rule_dir.removeprefix("rule_"), wildcards[0] if wildcards else None)
        submitted.setdefault(key, []).append({"slurm_id": match.group(2), "log": log, "at": match.start()})
    return workdir, result, submitted


def scontrol_job(slurm_cluster, slurm_id: str) -> dict:
    shown = subprocess.run(["scontrol", "show", "job", "-o", slurm_id], capture_output=True, text=True, timeout=30,
                           env={**os.environ, "SLURM_CONF": slurm_cluster["SLURM_CONF"]})
    assert shown.returncode == 0, shown.stderr
    return dict(field.split("=", 1) for field in shown.stdout.split() if "=" in field)


def test_jobs_are_submitted_to_slurm_with_their_ids_in_the_logs(slurm_run, slurm_cluster):
    _, result, submitted = slurm_run
    assert set(submitted) == {("preflight", None), ("canary", "healthy_a"), ("canary", "healthy_b"),
                              ("canary", "silent"), ("sort", "healthy_a"), ("sort", "healthy_b")}, result.stderr[-4000:]
    ctld_log = (slurm_cluster["state"] / "log" / "slurmctld.log").read_text()
    for (rule, recording), jobs in submitted.items():
        for job in jobs:
            # SLURM ran it: the controller allocated the job id Snakemake reported ...
            # (the main scheduler logs "sched: Allocate JobId=N", the backfill one "Started JobId=N")
            assert re.search(rf"(sched: Allocate|_start_job: Started) JobId={job['slurm_id']} ", ctld_log), job
            # ... and its output (kept: slurm-keep-successful-logs) is the job step's Snakemake run.
            assert job["log"].name == f"{job['slurm_id']}.log"
            text = job["log"].read_text()
            assert f"rule {rule}:" in text, (rule, text[-1500:])
            if recording:
                assert f"recording={recording}" in text


def test_profile_requests_reach_slurm(slurm_run, slurm_cluster, demo_dir):
    """A GPU per job; canaries get a short time limit; sorts are sized from their canary's rate.

    Memory: the canary's peak is measured by the runner's watchdog (peak_rss_bytes); until it is,
    the record has none and memory keeps the formula's request, which the test then expects.
    """
    workdir, _, submitted = slurm_run
    entries = discover(demo_dir).recordings
    for (rule, recording), jobs in submitted.items():
        job = scontrol_job(slurm_cluster, jobs[0]["slurm_id"])
        assert job["JobState"] in ("COMPLETED", "FAILED"), job
        assert job["TresPerJob"] == "gres:gpu:1", (rule, job)
        if rule == "canary":
            assert job["TimeLimit"] == "00:15:00"
        if rule == "sort":
            entry = entries[recording]
            canary = read_json(workdir / "logs" / "canary" / f"{recording}.verdict.json")
            measured = canary["measured"]  # a rate of at least 5 s per second of the window
            assert measured["window_s"] == CANARY_WINDOW_S, measured
            assert measured["sort_seconds"] >= 5 * CANARY_WINDOW_S, measured
            minutes = resources.sized_runtime_min(canary, entry.duration_s, entry.num_channels)
            assert minutes > resources.RUNTIME_FLOOR_MIN, "sized by the rate, not the floor"
            assert minutes != resources.sort_runtime_min(entry.duration_s, entry.num_channels)
            assert job["TimeLimit"] == f"{minutes // 60:02d}:{minutes % 60:02d}:00"
            mem_mb = resources.sized_mem_mb(canary, entry.duration_s, entry.num_channels)
            assert job["MinMemoryNode"] == f"{mem_mb}M"
            if measured.get("peak_rss_bytes"):
                assert mem_mb != resources.sort_mem_mb(entry.duration_s, entry.num_channels)


def test_no_global_gpu_cap(slurm_run):
    """All canaries go to the queue at once: the local GPU cap the workflow sets is for local runs only."""
    _, result, submitted = slurm_run
    canary_submissions = [job["at"] for (rule, _), jobs in submitted.items() if rule == "canary" for job in jobs]
    first_canary_end = min(m.start() for m in re.finditer(r"Finished jobid: \d+ \(Rule: canary\)|Error in rule canary",
                                                          result.stderr))
    assert len(canary_submissions) == 3 and max(canary_submissions) < first_canary_end, result.stderr[-4000:]


def test_healthy_recordings_are_sorted(slurm_run):
    workdir, result, _ = slurm_run
    for name in ("healthy_a", "healthy_b"):
        sort = read_json(workdir / "results" / "sorted" / name / "sort.json")
        assert sort["units"] >= 1 and sort["canary"] == "pass", result.stderr[-3000:]
        # the sorter's own folder (the test backend's log) and the SpikeInterface sorting were published
        assert (workdir / "results" / "sorted" / name / "sorter" / "threshold.log").is_file()
        assert (workdir / "results" / "sorted" / name / "sorting").is_dir()


def test_silent_recording_is_blocked_and_its_canary_not_retried(slurm_run):
    workdir, result, submitted = slurm_run
    assert result.returncode != 0  # the blocked canary is a failed job; keep-going ran the rest
    verdict = read_json(workdir / "logs" / "canary" / "silent.verdict.json")
    assert verdict["verdict"] == "blocked"
    assert (verdict["category"], verdict["error_class"]) == ("biological", "insufficient_activity")
    assert ("sort", "silent") not in submitted and not (workdir / "results" / "sorted" / "silent").exists()
    # The profile allows retries, for resource failures of full sorts only: a verdict is final.
    assert len(submitted["canary", "silent"]) == 1
    # SLURM keeps the failed job's log whatever the settings; it shows the job step's failure.
    assert "Error in rule canary" in submitted["canary", "silent"][0]["log"].read_text()


def test_summary_is_built_and_status_follows_it(slurm_run):
    workdir, result, _ = slurm_run
    rows = read_summary(workdir)
    assert (rows["healthy_a"]["sort"], rows["healthy_b"]["sort"]) == ("done", "done")
    assert (rows["silent"]["canary"], rows["silent"]["category"]) == ("blocked", "biological")
    assert "sortcanary summary" in result.stderr
    status = sortcanary("status", str(workdir / "results"))
    assert status.returncode == 1 and "insufficient_activity" in status.stdout
    assert sortcanary("status", str(workdir / "results"), "--allow-biological").returncode == 0
