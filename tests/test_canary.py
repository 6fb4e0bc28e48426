"""The canary outside Snakemake (`sortcanary canary`), through the real child process and registry."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import sortcanary


def canary(path, tmp_path, **config):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({"recordings_dir": str(tmp_path), **config}))
    result = sortcanary("canary", str(path), "--config", str(cfg))
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_disabled_window_lets_the_full_sort_proceed(demo_dir, tmp_path):
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, canary={"window_s": 0},
                             sorter="backends:ThresholdSorter")
    assert result.returncode == 0 and verdict["verdict"] == "disabled"


def test_short_recording_is_judged_whole_and_the_marker_says_so(demo_dir, tmp_path):
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, canary={"window_s": 1000},
                             sorter="backends:ThresholdSorter")
    assert result.returncode == 0 and verdict["verdict"] == "pass", result.stderr[-2000:]
    assert verdict["window"]["clamped"] is True and verdict["window"]["duration_s"] == pytest.approx(20.0)
    assert "shorter than the window" in verdict["note"]


def test_unclassified_error_passes_through_with_exit_0(demo_dir, tmp_path):
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, canary={"window_s": 5},
                             sorter="backends:FlakyInCanary")
    assert result.returncode == 0 and verdict["verdict"] == "passthrough"
    assert "simulated unexpected failure" in verdict["error"]["message"]


def test_unknown_sorter_is_blocked_as_environment(demo_dir, tmp_path):
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="no_such_sorter")
    assert result.returncode == 3
    assert (verdict["verdict"], verdict["category"], verdict["error_class"]) == (
        "blocked", "environment", "unknown_sorter")


def test_bad_recording_path_is_one_line(tmp_path):
    result = sortcanary("canary", str(tmp_path / "nope.bin"))
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0 and "nope.bin" in result.stderr


def test_markers_are_deterministic(demo_dir, tmp_path):
    """Two canaries with the same verdict write byte-identical markers (no timestamps, hosts or timings),
    so an unchanged verdict never looks new to Snakemake; ``measured``, what the passing window cost
    the sorter (the full sort's resources are sized from it), is in the verdict record instead."""
    from sortcanary.config import validate_config
    from sortcanary.jobs.canary import run_canary
    from sortcanary.recordings import entry_for_path

    cfg = validate_config({"recordings_dir": str(demo_dir), "sorter": "backends:ThresholdSorter",
                           "canary": {"window_s": 5}})
    entry = entry_for_path(demo_dir / "healthy_b.bin")
    texts = []
    for attempt in range(2):
        marker = tmp_path / f"m{attempt}.json"
        code, record = run_canary(entry, cfg, scratch=tmp_path / "scratch", log_path=tmp_path / "c.log",
                                  marker_path=marker, verdict_path=tmp_path / "v.json")
        assert code == 0 and record["seconds"] > 0
        measured = record["measured"]
        assert set(measured) >= {"window_s", "sort_seconds", "peak_rss_bytes", "peak_gpu_bytes"}
        assert measured["window_s"] == 5 and 0 < measured["sort_seconds"] < record["seconds"]
        assert 50e6 < measured["peak_rss_bytes"] < 4e9 and measured["peak_gpu_bytes"] is None  # no GPU in this sorter
        assert "measured" not in json.loads(marker.read_text())
        texts.append(marker.read_text())
    assert texts[0] == texts[1]
    assert "seconds" not in texts[0]
    assert not (tmp_path / "scratch").exists(), "the canary's scratch is cleaned afterwards"


def test_quiet_start_is_confirmed_elsewhere_and_not_blocked(demo_dir, tmp_path):
    """First 10 s silent, the next 20 s active: the leading window fails biologically, a confirmation
    window at 1/2 of the recording sorts, so the recording passes and the marker names the quiet window.
    What is judged is the canary's window policy, so the RefusesSilence backend sorts (it fails on a
    window without spikes, as Kilosort4 does; Kilosort4 on a silent window: test_workflow.py)."""
    from spikeinterface.core import concatenate_recordings

    from sortcanary.demo import ground_truth, silent, write_binary_with_sidecar

    active, _ = ground_truth(20.0, 16, 10, seed=3)
    quiet = silent(10.0, 16, seed=4, like=active)
    write_binary_with_sidecar(concatenate_recordings([quiet, active]), tmp_path, "quiet_start")
    result, verdict = canary(tmp_path / "quiet_start.bin", tmp_path, sorter="backends:RefusesSilence",
                             canary={"window_s": 10, "exercise_outputs": False})
    assert result.returncode == 0 and verdict["verdict"] == "pass", result.stderr[-3000:]
    assert verdict["windows"][0]["outcome"] == "biological/insufficient_activity"
    assert verdict["windows"][1]["outcome"] == "pass" and verdict["windows"][1]["start_s"] == 15.0
    assert "leading window [0 s, 10 s) was biological/insufficient_activity" in verdict["note"]
    assert verdict["units"] >= 1


def test_too_few_spikes_in_the_window_is_judged_on_a_longer_one_before_blocking(demo_dir, tmp_path):
    """The sorter starves in the 5 s window (too few spikes to cluster) although the window is active:
    the canary sorts a 4x longer window from the start (here all 20 s) before blocking, and passes."""
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:StarvedInShortWindows",
                             canary={"window_s": 5, "confirm_windows": 0})
    assert result.returncode == 0 and verdict["verdict"] == "pass", result.stderr[-2000:]
    assert [w["outcome"] for w in verdict["windows"]] == ["environment/detection_config_error", "pass"]
    assert (verdict["windows"][1]["start_s"], verdict["windows"][1]["duration_s"]) == (0.0, 20.0)
    assert "was environment/detection_config_error; window [0 s, 20 s) sorted" in verdict["note"]


def test_a_longer_window_that_starves_too_blocks(demo_dir, tmp_path):
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, sorter="backends:StarvedInShortWindows",
                             canary={"window_s": 2, "confirm_windows": 0})
    assert result.returncode == 3 and verdict["error_class"] == "detection_config_error", result.stderr[-2000:]
    assert [(w["start_s"], w["duration_s"]) for w in verdict["windows"]] == [(0.0, 2.0), (0.0, 8.0)]


def test_exporter_failure_is_caught_by_the_canary_and_blocks_the_full_sort(demo_dir, tmp_path):
    """NWB export requested while pynwb can't be imported in the jobs' environment: the canary (which
    exercises the outputs) blocks it as environment in seconds, and the full sort never starts."""
    import os

    from conftest import job_env, read_json, read_summary, run_snakemake, write_config

    shadow = tmp_path / "shadow" / "pynwb"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'pynwb'\", name='pynwb')\n")
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    for path in demo_dir.glob("healthy_b*"):
        (recordings / path.name).symlink_to(path)
    write_config(tmp_path, recordings_dir=str(recordings), sorter="backends:ThresholdSorter",
                 outputs={"exporters": {"nwb": True}})
    env = job_env(PYTHONPATH=os.pathsep.join([str(shadow.parent), os.environ["PYTHONPATH"]]))
    result = run_snakemake(tmp_path, env=env)
    assert result.returncode != 0
    verdict = read_json(tmp_path / "logs" / "canary" / "healthy_b.verdict.json")
    assert (verdict["verdict"], verdict["category"]) == ("blocked", "environment"), verdict
    assert verdict["error_class"] == "exporter_unavailable" and "pynwb" in verdict["message"]
    assert not (tmp_path / "logs" / "sort" / "healthy_b.log").exists(), "the full sort must not start"
    assert read_summary(tmp_path)["healthy_b"]["sort"] == "blocked"
