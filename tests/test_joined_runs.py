"""``join: runs``: a recording's runs sorted once, end to end, and split back per run.

The Kilosort4 test reads the shared run (conftest.ks4_run), where SHANKS_NAME, a two-shank probe
recorded in two runs (a two-segment SpikeInterface folder), is sorted per shank with its runs
joined, through a ``recordings:`` override: each group's sorting of each run is compared with that
run's ground truth. The others need no Kilosort4: what the plan makes of a join, a join that breaks
the canary, and the SpikeGLX runs that can't be read together, refused at discovery in one line.
"""

from __future__ import annotations

import numpy as np
import pytest

from acquisition import SPIKEGLX_FS, spikeglx_meta
from conftest import SHANKS_NAME, SHANKS_RUNS_S, SHANKS_TRUTH, read_json, read_summary
from sortcanary import layout
from sortcanary.config import validate_config
from sortcanary.plan.join import join_runs
from sortcanary.plan.sortplan import plan_canary, sort_identity
from sortcanary.recordings import discover

RUNS = (f"{SHANKS_NAME}__seg0", f"{SHANKS_NAME}__seg1")
GROUPS = (f"{SHANKS_NAME}__g0", f"{SHANKS_NAME}__g1")


@pytest.mark.ks4
def test_two_runs_joined_are_sorted_once_and_split_back_with_each_runs_own_spike_times(ks4_run):
    import spikeinterface.core as sc
    from spikeinterface.comparison import compare_sorter_to_ground_truth

    workdir = ks4_run.workdir
    rows = read_summary(workdir)
    assert not set(RUNS) & set(rows), "the runs are sorted once, joined, not each on its own"
    truth = sc.load(workdir.parent / SHANKS_TRUTH)
    found = []
    for group in GROUPS:
        assert (rows[group]["canary"], rows[group]["sort"]) == ("pass", "done")
        marker = read_json(workdir / layout.MARKER.format(recording=group))
        assert marker["join"] == {"runs": list(RUNS), "first_join_s": SHANKS_RUNS_S[0], "window_straddles_join": True}
        window = marker["window"]
        assert window["start_s"] < SHANKS_RUNS_S[0] < window["start_s"] + window["duration_s"]
        sort = read_json(workdir / layout.SORT_JSON.format(recording=group))
        assert sort["duration_s"] == sum(SHANKS_RUNS_S) and sort["identity"]["join"] == "runs"
        assert [(r["run"], r["start_s"], r["duration_s"]) for r in sort["runs"]] == [
            (RUNS[0], 0.0, SHANKS_RUNS_S[0]), (RUNS[1], SHANKS_RUNS_S[0], SHANKS_RUNS_S[1])]
        folder = workdir / layout.SORTED.format(recording=group)
        joined = sc.load(folder / layout.IN_SORTED["sorting"])
        for k, run in enumerate(RUNS):
            own = folder / layout.IN_SORTED["runs"] / run
            assert read_json(own / "run.json")["run"] == run
            sorting = sc.load(own / "sorting")
            assert list(sorting.unit_ids) == list(joined.unit_ids), "one unit id across the runs"
            times = np.load(own / "spike_times.npz")
            assert times["spike_times_s"].min() >= 0 and times["spike_times_s"].max() < SHANKS_RUNS_S[k]
            # The truth holds both shanks' units; each group finds some of its own shank's (on 8
            # channels Kilosort4 merges neighbours: accuracies about 0.5 and 0.9 here). A run's spike
            # times off by the runs before it would match none.
            accuracy = compare_sorter_to_ground_truth(sc.select_segment_sorting(truth, k), sorting,
                                                      exhaustive_gt=False).get_performance()["accuracy"]
            found.append((group, run, str(accuracy.idxmax()), round(float(accuracy.max()), 2)))
    assert all(best >= 0.5 for *_, best in found), found
    assert found[0][2] == found[1][2] and found[2][2] == found[3][2], f"the same unit is found in both runs: {found}"


def test_a_join_is_one_recording_of_its_runs_length_and_its_canary_window_holds_the_join(tmp_path):
    from spikeinterface.core import generate_recording

    generate_recording(num_channels=4, durations=[6.0, 30.0], seed=0).save(folder=tmp_path / "multi")
    cfg = validate_config({"recordings_dir": str(tmp_path), "sorter": "backends:ThresholdSorter", "join": "runs",
                           "canary": {"window_s": 4.0}})
    assert sort_identity(cfg)["join"] == "runs"
    assert "join" not in sort_identity(validate_config({"recordings_dir": str(tmp_path)}))
    joined, _, problems = join_runs(cfg, discover(tmp_path).recordings, {})
    assert not problems and list(joined) == ["multi"]
    entry = joined["multi"]
    assert entry.duration_s == 36.0 and [r["name"] for r in entry.runs] == ["multi__seg0", "multi__seg1"]
    plan = plan_canary(cfg, entry, device_of=str)
    assert (plan.window.start_s, plan.window.duration_s) == (4.0, 4.0), "the window is centred on the join at 6 s"
    from sortcanary.recordings import open_recording

    opened = open_recording(entry)
    assert (opened.get_num_segments(), opened.get_total_duration()) == (1, 36.0)


def _spikeglx_run(session, trigger: int, channels: int) -> None:
    data = np.zeros((int(SPIKEGLX_FS), channels + 1), dtype="<i2")
    stem = f"sess_g0_t{trigger}.imec0.ap"
    (session / f"{stem}.bin").write_bytes(data.tobytes())
    meta = spikeglx_meta("sess", "imec0", "ap", channels, data.nbytes, SPIKEGLX_FS)
    (session / f"{stem}.meta").write_text(meta.replace("_g0_t0.", f"_g0_t{trigger}."))


def test_runs_of_different_channel_counts_are_refused_at_discovery_in_one_line(tmp_path):
    session = tmp_path / "recordings" / "sess_g0"
    session.mkdir(parents=True)
    _spikeglx_run(session, 0, 16)
    _spikeglx_run(session, 1, 12)
    found = discover(tmp_path / "recordings")
    assert not found.recordings
    [problem] = found.problems
    assert "\n" not in problem.line()
    assert "run sess_g0_t1.imec0.ap.meta has 12 channels where sess_g0_t0.imec0.ap.meta has 16" in problem.line()
    # the same runs matching: one recording per run, which a join sorts as one
    (session / "sess_g0_t1.imec0.ap.bin").unlink()
    _spikeglx_run(session, 1, 16)
    found = discover(tmp_path / "recordings")
    assert sorted(found.recordings) == ["sess_g0__imec0.ap__seg0", "sess_g0__imec0.ap__seg1"]
    joined, _, _ = join_runs(validate_config({"recordings_dir": str(tmp_path), "join": "runs"}), found.recordings, {})
    assert list(joined) == ["sess_g0__imec0.ap"] and joined["sess_g0__imec0.ap"].duration_s == 2.0


def test_a_join_that_breaks_the_canary_gets_a_verdict_naming_the_join(tmp_path):
    """Two runs whose offsets differ by 5000 counts: each sorts alone, but the canary's window across
    their stitch fails where a window inside the first run passes: the join is blocked, and its
    verdict names it (the sorter's own message is one no rule knows, which would pass through)."""
    from spikeinterface.core import NumpyRecording

    from sortcanary.jobs.canary import run_canary

    rng = np.random.default_rng(0)
    runs = [rng.normal(offset, 5, size=(25_000 * 4, 4)).astype("int16") for offset in (0, 5000)]
    stitched = NumpyRecording(runs, sampling_frequency=25_000.0)
    stitched.set_dummy_probe_from_locations(np.c_[np.zeros(4), np.arange(4) * 20.0])
    stitched.save(folder=tmp_path / "recordings" / "offset")
    found = discover(tmp_path / "recordings").recordings
    outcomes = {}
    for join in ("none", "runs"):
        cfg = validate_config({"recordings_dir": str(tmp_path / "recordings"), "sorter": "backends:FailsOnAStep",
                               "join": join, "canary": {"window_s": 2.0}})
        recordings, _, _ = join_runs(cfg, found, {})
        for name, entry in recordings.items():
            _, record = run_canary(entry, cfg, scratch=tmp_path / "scratch", log_path=tmp_path / f"{name}.log")
            outcomes[name] = record
    assert [outcomes[f"offset__seg{k}"]["verdict"] for k in (0, 1)] == ["pass", "pass"], "each run sorts alone"
    joined = outcomes["offset"]
    assert (joined["verdict"], joined["error_class"], joined["policy"]) == ("blocked", "runs_join_broken", "block")
    assert joined["message"].startswith("runs offset__seg0 and offset__seg1, joined end to end, fail to sort across "
                                        "their join at 4 s (unclassified: RuntimeError: template matching diverged"), joined
    assert [(w["start_s"], w["outcome"]) for w in joined["windows"]] == [(3.0, "unclassified/unclassified"),
                                                                         (0.0, "pass")]
    assert joined["evidence"]["join"]["window_straddles_join"]
