"""The canary-gated workflow end to end: real snakemake CLI, real Kilosort4 on the CPU."""

from __future__ import annotations

import json

import pytest

from conftest import read_json, read_summary, run_snakemake, write_config

pytestmark = pytest.mark.ks4


@pytest.fixture(scope="module")
def ks4_run(demo_dir, tmp_path_factory):
    """One real run over the demo recordings: two healthy (folder + binary), one silent."""
    workdir = tmp_path_factory.mktemp("wf")
    write_config(workdir, recordings_dir=str(demo_dir), torch_device="cpu")
    result = run_snakemake(workdir)
    return workdir, result


def test_healthy_recordings_are_sorted_with_units(ks4_run):
    workdir, result = ks4_run
    for name in ("healthy_a", "healthy_b"):
        sort = read_json(workdir / "results" / "sorted" / name / "sort.json")
        assert sort["units"] >= 1, result.stderr[-3000:]
        assert sort["sorter"] == "kilosort4" and sort["canary"] == "pass"
        assert (workdir / "results" / "sorted" / name / "sorter" / "sorter_output" / "spike_times.npy").is_file()
        assert (workdir / "results" / "sorted" / name / "sorting").is_dir()
        marker = read_json(workdir / "results" / "canary" / f"{name}.json")
        assert marker["status"] == "pass" and marker["units"] >= 1
        assert marker["window"]["duration_s"] == 10.0


def test_binary_input_is_sorted_in_place(ks4_run):
    """The full sort of a binary-compatible input reads the original file: no recording.dat copy."""
    workdir, _ = ks4_run
    sorter_dir = workdir / "results" / "sorted" / "healthy_b" / "sorter"
    assert not list(sorter_dir.rglob("recording.dat"))
    params = (sorter_dir / "sorter_output" / "params.py").read_text()
    assert "healthy_b.bin" in params


def test_silent_recording_is_blocked_before_its_full_sort(ks4_run):
    workdir, result = ks4_run
    assert result.returncode != 0  # the blocked canary is a failed job (keep-going ran the rest)
    assert not (workdir / "results" / "canary" / "silent.json").exists()
    assert not (workdir / "logs" / "sort" / "silent.log").exists(), "the full sort must never start"
    assert not (workdir / "results" / "sorted" / "silent").exists()
    verdict = read_json(workdir / "logs" / "canary" / "silent.verdict.json")
    assert verdict["verdict"] == "blocked"
    assert (verdict["category"], verdict["error_class"]) == ("biological", "insufficient_activity")
    assert "TruncatedSVD" in verdict["evidence"]["matched"]
    assert verdict["remediation"] and verdict["evidence"]["sorter_log_tail"]
    # confirmed before blocking: the leading window, the one confirmation window a 20 s recording has,
    # then (too few spikes) a longer window from the start, here all of it
    assert [w["outcome"] for w in verdict["windows"]] == ["biological/insufficient_activity"] * 3
    assert [(w["start_s"], w["duration_s"]) for w in verdict["windows"]] == [(0.0, 10.0), (10.0, 10.0), (0.0, 20.0)]
    assert "judged on 1" in verdict["confirmation_note"]


def test_summary_lists_every_recording(ks4_run):
    workdir, result = ks4_run
    rows = read_summary(workdir)
    assert rows["healthy_a"]["canary"] == "pass" and rows["healthy_a"]["sort"] == "done"
    assert rows["healthy_b"]["sort"] == "done" and int(rows["healthy_b"]["units"]) >= 1
    assert float(rows["healthy_a"]["canary_s"]) > 0 and float(rows["healthy_a"]["sort_s"]) > 0
    silent = rows["silent"]
    assert (silent["canary"], silent["category"], silent["error_class"], silent["sort"]) == (
        "blocked", "biological", "insufficient_activity", "blocked")
    assert "sortcanary summary" in result.stderr and "insufficient_activity" in result.stderr


def test_rerun_is_a_no_op_and_keeps_results(ks4_run):
    """A second run with nothing changed schedules nothing for the finished recordings."""
    workdir, _ = ks4_run
    before = (workdir / "results" / "sorted" / "healthy_a" / "sort.json").stat().st_mtime_ns
    result = run_snakemake(workdir, "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    scheduled = result.stdout + result.stderr
    assert "recording=silent" in scheduled  # only the blocked recording is left to try again
    assert "recording=healthy_a" not in scheduled and "recording=healthy_b" not in scheduled
    assert "rule preflight" not in scheduled
    assert (workdir / "results" / "sorted" / "healthy_a" / "sort.json").stat().st_mtime_ns == before


def test_unclassified_canary_error_passes_through(demo_dir, tmp_path):
    """A backend that fails only inside the canary window with an error nobody classifies: the
    marker says passthrough and the full sort still runs (the canary is a smoke test, not a gate)."""
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:FlakyInCanary",
                 sorter_params={"fail_below_s": 15})
    result = run_snakemake(tmp_path)
    marker = read_json(tmp_path / "results" / "canary" / "healthy_a.json")
    assert marker["status"] == "passthrough", result.stderr[-3000:]
    assert marker["error"]["type"] == "unclassified"
    assert "simulated unexpected failure" in marker["error"]["message"]
    sort = read_json(tmp_path / "results" / "sorted" / "healthy_a" / "sort.json")
    assert sort["canary"] == "passthrough" and sort["units"] >= 1
    rows = read_summary(tmp_path)
    assert rows["healthy_a"]["canary"] == "passthrough" and rows["healthy_a"]["sort"] == "done"
    assert "simulated unexpected failure" in rows["healthy_a"]["message"]
    # markers are deterministic: no timestamps, no hosts, no durations
    assert "seconds" not in json.dumps(marker) and "time" not in marker
