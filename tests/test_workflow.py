"""The canary-gated workflow end to end: real snakemake CLI, real Kilosort4 on the CPU.

Most tests read the suite's one real run (conftest's ``ks4_run``): a SpikeInterface folder (the
ground-truth recording GT_NAME), a raw binary (the demo's healthy_b) and the demo's silent
recording. The pass-through test uses the threshold test backend.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import GT_NAME, KS4_WINDOW_S, OUTPUTS_OFF, SILENT_S, read_json, read_summary, run_snakemake, write_config

pytestmark = pytest.mark.ks4


def test_healthy_recordings_are_sorted_with_units(ks4_run):
    workdir, result, _ = ks4_run
    for name in (GT_NAME, "healthy_b"):
        sort = read_json(workdir / "results" / "sorted" / name / "sort.json")
        assert sort["units"] >= 1, result.stderr[-3000:]
        assert sort["sorter"] == "kilosort4" and sort["canary"] == "pass"
        assert (workdir / "results" / "sorted" / name / "sorter" / "sorter_output" / "spike_times.npy").is_file()
        assert (workdir / "results" / "sorted" / name / "sorting").is_dir()
        marker = read_json(workdir / "results" / "canary" / f"{name}.json")
        assert marker["status"] == "pass" and marker["units"] >= 1
        assert marker["window"]["duration_s"] == KS4_WINDOW_S
        # what sizes the full sort: the window's Kilosort4 passes over the data, timed from its own
        # stage headers, are part of the sorter's time and not all of it (imports, set-up, saving)
        measured = read_json(workdir / "logs" / "canary" / f"{name}.verdict.json")["measured"]
        assert 0 < measured["data_pass_seconds"] < measured["sort_seconds"], measured


def test_kilosort4s_compiled_functions_are_cached_for_the_next_job(ks4_run):
    """Each sorting process found numba's cache on (sortcanary.plan.numba_cache): the functions
    Kilosort4 compiles, and those healthy_b's motion estimation detects peaks with, are kept where
    numba keeps them (the suite's NUMBA_CACHE_DIR), for the next canary or sort to load instead of
    compiling them again."""
    cached = {p.name.split("-")[0] for p in Path(os.environ["NUMBA_CACHE_DIR"]).glob("*/*.nbi")}
    assert {"CCG.compute_CCG", "postprocessing.remove_duplicates",
            "locally_exclusive.detect_peaks_numba_locally_exclusive_on_chunk"} <= cached, cached


def test_binary_input_is_sorted_in_place(ks4_run):
    """The full sort of a binary-compatible input reads the original file: no recording.dat copy."""
    workdir = ks4_run.workdir
    sorter_dir = workdir / "results" / "sorted" / "healthy_b" / "sorter"
    assert not list(sorter_dir.rglob("recording.dat"))
    params = (sorter_dir / "sorter_output" / "params.py").read_text()
    assert "healthy_b.bin" in params
    # The canary's window went through recording.dat instead; so it read that file Kilosort4's way
    # where the window starts, and found the same samples SpikeInterface reads there
    checked = [line for line in (workdir / "logs" / "canary" / "healthy_b.log").read_text().splitlines()
               if "the full sort's read of the recording, checked" in line]
    assert checked and "memory-mapped by Kilosort4" in checked[0] and "healthy_b.bin" in checked[0], checked


def test_silent_recording_is_blocked_before_its_full_sort(ks4_run):
    workdir, result, _ = ks4_run
    assert result.returncode != 0  # the blocked canary is a failed job (keep-going ran the rest)
    assert not (workdir / "results" / "canary" / "silent.json").exists()
    assert not (workdir / "logs" / "sort" / "silent.log").exists(), "the full sort must never start"
    assert not (workdir / "results" / "sorted" / "silent").exists()
    verdict = read_json(workdir / "logs" / "canary" / "silent.verdict.json")
    assert verdict["verdict"] == "blocked"
    assert (verdict["category"], verdict["error_class"]) == ("biological", "insufficient_activity")
    assert "TruncatedSVD" in verdict["evidence"]["matched"]
    assert verdict["remediation"] and verdict["evidence"]["sorter_log_tail"]
    # the same message as an active recording the config hides (test_evidence.py): the window's data names it
    assert verdict["evidence"]["data_checks"]["active_channels"] == "0/16" and "looks silent" in verdict["message"]
    # no longer than the window: sorted once, whole, with nothing left to confirm it on (the windows a
    # longer recording is confirmed on: test_canary.py)
    assert [(w["start_s"], w["duration_s"], w["outcome"]) for w in verdict["windows"]] == [
        (0.0, SILENT_S, "biological/insufficient_activity")]
    assert "judged on 0" in verdict["confirmation_note"]


def test_summary_lists_every_recording(ks4_run):
    workdir, result, _ = ks4_run
    rows = read_summary(workdir)
    assert rows[GT_NAME]["canary"] == "pass" and rows[GT_NAME]["sort"] == "done"
    assert rows["healthy_b"]["sort"] == "done" and int(rows["healthy_b"]["units"]) >= 1
    assert float(rows[GT_NAME]["canary_s"]) > 0 and float(rows[GT_NAME]["sort_s"]) > 0
    silent = rows["silent"]
    assert (silent["canary"], silent["category"], silent["error_class"], silent["sort"]) == (
        "blocked", "biological", "insufficient_activity", "blocked")
    assert "sortcanary summary" in result.stderr and "insufficient_activity" in result.stderr


def test_rerun_is_a_no_op_and_keeps_results(ks4_run, tmp_path):
    """A second run with nothing changed schedules nothing for the finished recordings, and running
    it for real leaves their results untouched."""
    workdir = tmp_path / "wf"
    shutil.copytree(ks4_run.workdir, workdir, symlinks=True)  # leave the shared run untouched
    before = (workdir / "results" / "sorted" / GT_NAME / "sort.json").stat().st_mtime_ns
    result = run_snakemake(workdir, "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    scheduled = result.stdout + result.stderr
    assert "recording=silent" in scheduled  # only the blocked recording is left to try again
    assert f"recording={GT_NAME}" not in scheduled and "recording=healthy_b" not in scheduled
    assert "rule preflight" not in scheduled
    healthy = [f"results/sorted/{name}.sort.json" for name in (GT_NAME, "healthy_b")]
    again = run_snakemake(workdir, "--", *healthy)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr, again.stderr[-2000:]
    assert (workdir / "results" / "sorted" / GT_NAME / "sort.json").stat().st_mtime_ns == before


# What a canary marker holds (sortcanary.jobs.canary): the verdict and nothing about the run that
# wrote it, so an unchanged verdict never looks new to Snakemake.
PASSTHROUGH_MARKER_KEYS = {"recording", "source", "sorter", "window", "windows", "status", "error"}


def test_unclassified_canary_error_passes_through(demo_dir, tmp_path):
    """A backend that fails only inside the canary window with an error nobody classifies: the
    marker says passthrough and the full sort still runs (the canary is a smoke test, not a gate).
    In the same run, a lab's rule (config ``classification.rules``) recognises healthy_b's error,
    which no built-in rule knows: its canary blocks with the lab's class and remediation."""
    from sortcanary.classification import classify

    lab_error = "flaky backend: GPFS lease expired on /gpfs/lab (simulated)"
    assert not classify(lab_error).classified, "without the lab's rule the error passes through"
    rule = {"pattern": r"GPFS lease (expired|lost)", "category": "environment", "class": "gpfs_lease_expired",
            "remediation": "Ask the cluster admins to check the node's GPFS client."}
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:FlakyInCanary",
                 sorter_params={"fail_below_s": 15}, classification={"rules": [rule]},
                 recordings={"healthy_b": {"sorter_params": {"message": lab_error}}}, outputs=OUTPUTS_OFF)
    result = run_snakemake(tmp_path, "--", "results/sorted/healthy_a.sort.json", "results/canary/healthy_b.json")
    marker_path = tmp_path / "results" / "canary" / "healthy_a.json"
    marker = read_json(marker_path)
    assert marker["status"] == "passthrough", result.stderr[-3000:]
    assert marker["error"]["type"] == "unclassified"
    assert "simulated unexpected failure" in marker["error"]["message"]
    sort = read_json(tmp_path / "results" / "sorted" / "healthy_a" / "sort.json")
    assert sort["canary"] == "passthrough" and sort["units"] >= 1
    rows = read_summary(tmp_path)
    assert rows["healthy_a"]["canary"] == "passthrough" and rows["healthy_a"]["sort"] == "done"
    assert "simulated unexpected failure" in rows["healthy_a"]["message"]
    blocked = read_json(tmp_path / "logs" / "canary" / "healthy_b.verdict.json")
    assert not (tmp_path / "results" / "canary" / "healthy_b.json").exists()
    assert (blocked["verdict"], blocked["category"], blocked["error_class"], blocked["policy"]) == (
        "blocked", "environment", "gpfs_lease_expired", "block"), result.stderr[-3000:]
    assert blocked["remediation"] == rule["remediation"] and lab_error in blocked["evidence"]["matched"]
    assert rows["healthy_b"]["canary"] == "blocked" and rows["healthy_b"]["error_class"] == "gpfs_lease_expired"
    # markers are deterministic: no timestamps, no hosts, no durations ...
    assert "seconds" not in json.dumps(marker) and "time" not in marker
    assert set(marker) == PASSTHROUGH_MARKER_KEYS
    # ... so the same canary run again writes the same bytes
    written = marker_path.read_bytes()
    canary_log = tmp_path / "logs" / "canary" / "healthy_a.log"
    logged = canary_log.stat().st_mtime_ns
    again = run_snakemake(tmp_path, "--forcerun", "canary", "--", "results/canary/healthy_a.json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert canary_log.stat().st_mtime_ns > logged, "the canary must have run again"
    assert marker_path.read_bytes() == written
