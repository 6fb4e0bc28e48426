"""The lab's recipe on real Kilosort4, judged on the suite's shared run (conftest's ``ks4_run`` and
its RECIPES): the ground truth sorts through the Neuropixels preset, healthy_b's motion is
estimated by SpikeInterface, a band-pass above Nyquist and a mostly dead probe are blocked by
their canaries in seconds, before any sorter starts. A changed recipe re-runs its recording alone.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from conftest import DEAD_CHANNELS, DEAD_NAME, GT_NAME, NYQUIST_NAME, read_json, read_summary, run_snakemake

pytestmark = pytest.mark.ks4

# A canary that never starts a sorter: the child's start, the window checks, the chain. Generous
# against a loaded 2-core machine; a Kilosort4 window takes longer than this here.
SECONDS = 60


def test_a_preset_chain_sorts(ks4_run):
    workdir, result, _ = ks4_run
    folder = workdir / "results" / "sorted" / GT_NAME
    record = read_json(folder / "sort.json")
    assert record["units"] >= 1 and record["canary"] == "pass", result.stderr[-3000:]
    recipe = record["recipe"]
    assert recipe["preset"] == "neuropixels"
    # the generated recording has no inter_sample_shift: phase_shift is dropped, and the plan says so
    assert [s["name"] for s in recipe["steps"]] == ["highpass_filter", "detect_and_remove_bad_channels",
                                                    "common_reference"]
    assert any(note.startswith("phase_shift dropped") for note in recipe["notes"]), recipe["notes"]
    # Kilosort4 got what the chain does switched off: SpikeInterface's own record of its call
    given = read_json(folder / "sorter" / "spikeinterface_params.json")["sorter_params"]
    assert given["do_CAR"] is False and given["highpass_cutoff"] == 100.0, given
    assert record["sorter_params"]["do_CAR"] is False
    # ... and the chain's traces, not the file's
    sorted_recording = json.dumps(read_json(folder / "sorter" / "spikeinterface_recording.json"))
    assert "CommonReferenceRecording" in sorted_recording and "HighpassFilterRecording" in sorted_recording
    # the canary rehearsed the same chain
    marker = read_json(workdir / "results" / "canary" / f"{GT_NAME}.json")
    assert any(note.startswith("phase_shift dropped") for note in marker["notes"])
    # the report lists the steps with their parameters, the note, and the traces before and after
    page = (folder / "report.html").read_text()
    assert "<h2>Recipe</h2>" in page and "<code>detect_and_remove_bad_channels</code>" in page
    assert "phase_shift dropped" in page and "&quot;operator&quot;: &quot;median&quot;" in page
    assert "recipe_traces" in record["outputs"]["figures"] and (folder / "figures" / "recipe_traces.png").is_file()


def test_motion_compute_keeps_kilosorts_correction_and_reports_spikeinterfaces_estimate(ks4_run):
    folder = ks4_run.workdir / "results" / "sorted" / "healthy_b"
    record = read_json(folder / "sort.json")
    assert record["recipe"]["motion"] == "compute"
    assert record["recipe"]["motion_estimate"]["preset"] == "rigid_fast"
    assert (folder / "motion" / "motion").is_dir(), "the estimate is kept with the sort"
    figures = set(record["outputs"]["figures"])
    assert {"motion_estimate", "ks4_drift_amount"} <= figures, "both estimates are shown; Kilosort4 still corrected"
    assert "recipe_traces" not in figures, "no preprocessing steps: nothing to compare"
    assert record["sorter_params"] == {"torch_device": "cpu"}, "compute changes nothing the sorter gets"
    assert "SpikeInterface estimated motion for this report" in (folder / "report.html").read_text()


def test_a_chain_that_cannot_run_on_the_recording_is_blocked_in_seconds_as_configuration(ks4_run):
    workdir, result, _ = ks4_run
    verdict = read_json(workdir / "logs" / "canary" / f"{NYQUIST_NAME}.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("environment", "preprocessing_invalid"), verdict
    assert verdict["evidence"]["step"] == "bandpass_filter" and verdict["evidence"]["step_index"] == 1
    assert "step 1 (bandpass_filter)" in verdict["message"] and "fs/2=12500" in verdict["message"]
    assert verdict["seconds"] < SECONDS and len(verdict["windows"]) == 1, "not re-tried on other windows"
    assert "stage: sorting" not in (workdir / "logs" / "canary" / f"{NYQUIST_NAME}.log").read_text()
    assert not (workdir / "logs" / "sort" / f"{NYQUIST_NAME}.log").exists(), "the full sort never starts"
    assert not (workdir / "results" / "halt.json").exists(), "one recording's recipe stops no other"
    row = read_summary(workdir)[NYQUIST_NAME]
    assert (row["canary"], row["category"], row["error_class"]) == ("blocked", "environment", "preprocessing_invalid")
    assert f"canary BLOCKED {NYQUIST_NAME}: environment / preprocessing_invalid" in result.stderr


def test_a_probe_with_most_channels_dead_is_blocked_with_the_bad_channel_verdict_and_its_figure(ks4_run):
    workdir = ks4_run.workdir
    verdict = read_json(workdir / "logs" / "canary" / f"{DEAD_NAME}.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("biological", "too_many_bad_channels"), verdict
    dead = [str(c) for c in range(DEAD_CHANNELS)]
    assert verdict["evidence"]["bad_channels"] == {"dead": dead}
    assert verdict["evidence"]["bad_fraction"] == f"{DEAD_CHANNELS}/16" and verdict["evidence"]["max_fraction"] == 0.5
    assert f"dead: {', '.join(dead)}" in verdict["message"]
    figure = verdict["evidence"]["figure"]
    assert figure == f"logs/canary/{DEAD_NAME}/too_many_bad_channels.png" and figure in verdict["evidence"]["kept"]
    assert (workdir / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert verdict["seconds"] < SECONDS
    assert "stage: sorting" not in (workdir / "logs" / "canary" / f"{DEAD_NAME}.log").read_text()
    assert not (workdir / "logs" / "sort" / f"{DEAD_NAME}.log").exists()


def test_a_changed_recipe_runs_its_recording_again_and_no_other(ks4_run, tmp_path):
    """The recipe is part of the sort identity: a dry run after a change schedules that recording's
    canary and sort, not the others' (the finished sort is then replaced or kept: resort_on_change)."""
    workdir = tmp_path / "wf"
    shutil.copytree(ks4_run.workdir, workdir, symlinks=True)  # leave the shared run untouched
    config_path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["recordings"][GT_NAME]["preprocessing"] = "bandpass"
    config_path.write_text(yaml.safe_dump(config))
    result = run_snakemake(workdir, "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    scheduled = result.stdout + result.stderr
    assert f"results/sorted/{GT_NAME}.sort.json" in scheduled and f"recording={GT_NAME}" in scheduled
    assert "recording=healthy_b" not in scheduled
