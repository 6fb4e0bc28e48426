"""Per-recording settings (the config's ``recordings`` section), through the real snakemake CLI.

A changed override re-sorts the recording it names and no other; ``skip: true`` takes a recording
out of the run and into the summary as skipped, with its reason; an override that names no
recording is a one-line warning. The threshold test backend keeps each run to seconds.
"""

from __future__ import annotations

import json
import re
import shutil

from conftest import (
    OUTPUTS_OFF,
    TESTS,
    read_json,
    read_summary,
    run_snakemake,
    small_recordings,
    sortcanary,
    write_config,
)
from sortcanary.config import validate_config
from sortcanary.plan.overrides import overridden_recordings, recording_config
from sortcanary.plan.sortplan import plan_full_sort, sort_identity
from sortcanary.recordings import discover

NAMES = ("r1", "r2", "r3")


def configure(workdir, recordings, overrides: dict) -> None:
    write_config(workdir, recordings_dir=str(recordings), sorter="backends:ThresholdSorter",
                 sorter_params={"threshold": 5}, canary={"window_s": 1.0}, outputs=OUTPUTS_OFF,
                 resort_on_change=True, recordings=overrides)


def stamps(workdir) -> dict[str, int]:
    return {n: (workdir / "results" / "sorted" / n / "sort.json").stat().st_mtime_ns for n in NAMES}


def test_one_recordings_override_re_sorts_it_alone_and_skip_lists_it_as_skipped(tmp_path):
    recordings = small_recordings(tmp_path / "recordings", NAMES)
    configure(tmp_path, recordings, {"r2": {"sorter_params": {"threshold": 6}}})
    first = run_snakemake(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "wildcards: recording=r1" in first.stderr  # what the second run must not show
    sorted_with = {n: read_json(tmp_path / "results" / "sorted" / n / "sort.json")["sorter_params"] for n in NAMES}
    assert sorted_with == {"r1": {"threshold": 5}, "r2": {"threshold": 6}, "r3": {"threshold": 5}}
    before = stamps(tmp_path)

    configure(tmp_path, recordings, {"r2": {"sorter_params": {"threshold": 7}}})
    second = run_snakemake(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    after = stamps(tmp_path)
    assert after["r2"] > before["r2"], "the overridden recording is sorted again"
    assert (after["r1"], after["r3"]) == (before["r1"], before["r3"]), "the others keep their results"
    assert "wildcards: recording=r1" not in second.stderr and "wildcards: recording=r3" not in second.stderr
    assert read_json(tmp_path / "results" / "sorted" / "r2" / "sort.json")["sorter_params"] == {"threshold": 7}

    configure(tmp_path, recordings, {"r2": {"sorter_params": {"threshold": 7}},
                                     "r3": {"skip": True, "reason": "reference electrode came loose"},
                                     "session_42*": {"canary": {"window_s": 2.0}}})
    third = sortcanary("run", str(recordings), "--directory", str(tmp_path), "--cores", "2")
    assert third.returncode == 0, third.stderr[-3000:]  # a skipped recording is neither blocked nor failed
    assert "2 of 3 recordings sorted; skipped: r3" in third.stderr
    assert sortcanary("status", str(tmp_path / "results")).returncode == 0, "run and status agree"
    warnings = [line for line in third.stderr.splitlines() if "recordings.session_42*" in line]
    assert warnings == ["sortcanary: warning: recordings.session_42* matches no discovered recording; check the name"]
    assert stamps(tmp_path) == after, "nothing is sorted again"
    row = read_summary(tmp_path)["r3"]
    assert (row["canary"], row["sort"]) == ("skipped", "skipped")
    assert row["message"] == "skipped: reference electrode came loose"

    # a probe file given by an override is one of the canary's inputs: editing it canaries again;
    # an override's nwb_metadata changes that recording's outputs only: its sort job alone re-runs
    # (to rebuild the outputs), without a canary
    probe = shutil.copy(recordings / "r1" / "probegroup.json", tmp_path / "r1-probe.json")
    configure(tmp_path, recordings, {"r1": {"probe": str(probe)},
                                     "r2": {"sorter_params": {"threshold": 7}, "nwb_metadata": {"location": "VISp"}},
                                     "r3": {"skip": True, "reason": "reference electrode came loose"}})
    planned = run_snakemake(tmp_path, "--dry-run")
    assert planned.returncode == 0, planned.stderr[-3000:]
    jobs = (planned.stdout + planned.stderr).split("\n\n")
    canaries = [job for job in jobs if "rule canary:" in job]
    assert len(canaries) == 1 and "recording=r1" in canaries[0], canaries
    inputs = next(line for line in canaries[0].splitlines() if line.strip().startswith("input:"))
    assert str(probe) in inputs, canaries[0]
    sorts = sorted(re.search(r"recording=(\w+)", job)[1] for job in jobs if "rule sort:" in job)
    assert sorts == ["r1", "r2"], sorts


def test_a_bad_override_blocks_its_recording_and_the_others_go_on(tmp_path):
    """An override is one recording's: a parameter name the sorter doesn't know is reported in one
    line when the DAG is built, a value it rejects blocks that recording's canary; neither stops
    the run (the same value in the global sorter_params stops it: every recording would fail)."""
    recordings = small_recordings(tmp_path / "recordings", NAMES)
    write_config(tmp_path, recordings_dir=str(recordings), sorter="backends:ListsParams", canary={"window_s": 1.0},
                 outputs=OUTPUTS_OFF, recordings={"r1": {"sorter_params": {"treshold": 6}},
                                                  "r2": {"sorter_params": {"threshold": -1}}})
    result = sortcanary("run", str(recordings), "--directory", str(tmp_path), "--cores", "2")
    assert result.returncode == 1, result.stderr[-3000:]  # 1: the run ended with recordings blocked
    assert "1 of 3 recordings sorted; not sorted: r1, r2" in result.stderr
    named = [line for line in result.stderr.splitlines() if line.startswith("sortcanary: skipping")]
    assert len(named) == 1 and "recordings (r1): sorter_params: 'treshold' (did you mean 'threshold'?)" in named[0]
    assert not (tmp_path / "logs" / "canary" / "r1.log").exists(), "r1 gets no job"
    rows = read_summary(tmp_path)
    assert (rows["r1"]["sort"], rows["r1"]["error_class"]) == ("blocked", "sorter_params_invalid")
    assert (rows["r2"]["canary"], rows["r2"]["error_class"]) == ("blocked", "sorter_params_invalid")
    verdict = read_json(tmp_path / "logs" / "canary" / "r2.verdict.json")
    assert verdict["policy"] == "block" and "recordings.r2.sorter_params" in verdict["remediation"]
    assert rows["r3"]["sort"] == "done", "r3's sort ran after r2's canary failed: the run was not stopped"
    assert not (tmp_path / "results" / "halt.json").exists()


def test_overrides_merge_in_order_and_a_probe_goes_through_the_recording(tmp_path, monkeypatch):
    cfg = validate_config({"recordings_dir": str(TESTS / "data" / "tiny"), "sorter": "backends:ThresholdSorter",
                           "sorter_params": {"threshold": 5, "seconds": 1},
                           "recordings": {"t*": {"sorter_params": {"threshold": 6}, "canary": {"window_s": 5}},
                                          "tiny": {"sorter_params": {"threshold": 7}, "probe": "probe.json"}}})
    effective = recording_config(cfg, "tiny")
    assert effective["sorter_params"] == {"threshold": 7, "seconds": 1} and effective["canary"]["window_s"] == 5
    assert recording_config(cfg, "other")["sorter_params"] == {"threshold": 5, "seconds": 1}
    assert cfg["sorter_params"] == {"threshold": 5, "seconds": 1}, "the global config is left as it was"
    entry = discover(cfg["recordings_dir"], cfg["formats"]).recordings["tiny"]
    probe = tmp_path / "probe.json"
    shutil.copy(TESTS / "data" / "tiny" / "tiny.probe.json", probe)
    monkeypatch.chdir(tmp_path)  # a relative probe path is relative to the working directory
    plan = plan_full_sort(cfg, entry)
    assert plan.recording.probe == str(probe) and str(probe) in plan.recording.input_files
    assert plan.identity == sort_identity(overridden_recordings(cfg, {"tiny": entry})[0]["tiny"])
    assert plan.identity["probe"] == str(probe) and plan.sorter_params["threshold"] == 7
    data = json.loads(probe.read_text())
    data["probes"][0]["contact_positions"] = data["probes"][0]["contact_positions"][:2]
    probe.write_text(json.dumps(data))
    found, (problem,) = overridden_recordings(cfg, {"tiny": entry})
    assert found == {} and (problem.name, problem.error_class) == ("tiny", "probe_config_error")
    assert problem.message.startswith("recordings (t*, tiny): the probe (probe.json) has 2 contacts")
