"""``split_by: group``: one canary and one sort per probe group, gathered under their recording.

The Kilosort4 test reads the shared run (conftest.ks4_run), where SHANKS_NAME, a two-shank probe,
is split through a ``recordings:`` override (its two runs joined: test_joined_runs.py). The
others build the DAG's pieces directly: what a default config leaves unchanged, which override a
group takes, and the problems a split can't make.
"""

from __future__ import annotations

import pytest

from conftest import (
    SHANKS_NAME,
    SHANKS_RUNS_S,
    read_json,
    read_summary,
    two_shank_recording,
)
from sortcanary import layout
from sortcanary.config import validate_config
from sortcanary.plan.sortplan import plan_full_sort, sort_identity
from sortcanary.plan.split import split_groups
from sortcanary.recordings import discover

GROUPS = (f"{SHANKS_NAME}__g0", f"{SHANKS_NAME}__g1")


@pytest.mark.ks4
def test_a_two_shank_probe_gives_two_canaries_and_two_sorts_summarised_under_one_recording(ks4_run):
    workdir = ks4_run.workdir
    rows = read_summary(workdir)
    assert SHANKS_NAME not in rows, "the recording itself is not sorted whole"
    for group in GROUPS:
        assert read_json(workdir / layout.MARKER.format(recording=group))["status"] == "pass", group
        sort = read_json(workdir / layout.SORT_JSON.format(recording=group))
        assert sort["num_channels"] == 8 and sort["units"] >= 1, sort
        assert sort["identity"]["split_by"] == "group" and sort["duration_s"] == sum(SHANKS_RUNS_S)
        # each group is sorted alone, with the drift correction its 60 um shank can't carry switched off
        assert any("drift correction switched off" in note for note in sort["recipe"]["notes"]), sort["recipe"]
        assert (rows[group]["canary"], rows[group]["sort"], rows[group]["parent"]) == ("pass", "done", SHANKS_NAME)
        page = (workdir / layout.SORTED.format(recording=group) / layout.IN_SORTED["report"]).read_text()
        assert f"group {group[-1]} of {SHANKS_NAME}" in page
    assert read_json(workdir / layout.RUN_MANIFEST)["parents"] == dict.fromkeys(GROUPS, SHANKS_NAME)
    table = ks4_run.result.stderr[ks4_run.result.stderr.rindex("sortcanary summary"):]
    assert [line.split()[0] for line in table.splitlines() if line.startswith(SHANKS_NAME)] == list(GROUPS)


@pytest.fixture(scope="module")
def shanks_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups") / "recordings"
    two_shank_recording(1.0, seed=0)[0].save(folder=folder / SHANKS_NAME)
    return folder


def test_without_split_by_a_recordings_identity_and_params_are_unchanged(shanks_dir):
    cfg = validate_config({"recordings_dir": str(shanks_dir)})
    assert "split_by" not in sort_identity(cfg), "a finished sort's identity must not change"
    found = discover(shanks_dir).recordings
    assert split_groups(cfg, found, {}) == (found, {}, [])
    assert not {"parent", "group"} & set(found[SHANKS_NAME].as_dict()), "the jobs' params must not change"


def test_a_group_takes_its_recordings_override_and_opens_to_its_own_channels(shanks_dir):
    from sortcanary.plan.overrides import overridden_recordings
    from sortcanary.recordings import open_recording

    cfg = validate_config({"recordings_dir": str(shanks_dir), "sorter": "backends:ThresholdSorter",
                           "recordings": {SHANKS_NAME: {"split_by": "group", "sorter_params": {"threshold": 7}}}})
    found = discover(shanks_dir).recordings
    overridden, problems = overridden_recordings(cfg, found)
    groups, configs, split_problems = split_groups(cfg, found, overridden)
    assert not problems and not split_problems and sorted(groups) == list(GROUPS)
    for k, name in enumerate(GROUPS):
        entry = groups[name]
        assert (entry.parent, entry.group, entry.num_channels) == (SHANKS_NAME, k, 8)
        assert plan_full_sort(configs[name], entry, device_of=str).sorter_params == {"threshold": 7}
        xs = set(open_recording(entry).get_channel_locations()[:, 0])
        assert xs == ({0.0, 20.0} if k == 0 else {300.0, 320.0}), xs


def test_a_group_name_another_recording_has_is_one_problem_and_the_others_go_on(shanks_dir, tmp_path):
    import shutil

    folder = tmp_path / "recordings"
    shutil.copytree(shanks_dir, folder)
    shutil.copytree(shanks_dir / SHANKS_NAME, folder / GROUPS[1])
    cfg = validate_config({"recordings_dir": str(folder), "split_by": "group"})
    groups, _, problems = split_groups(cfg, discover(folder).recordings, {})
    assert [p.name for p in problems] == [SHANKS_NAME]
    assert f"would name its groups {GROUPS[1]}, which another recording is named" in problems[0].message
    # the other (itself a two-shank folder) is split as usual
    assert sorted(groups) == [f"{GROUPS[1]}__g0", f"{GROUPS[1]}__g1"]
