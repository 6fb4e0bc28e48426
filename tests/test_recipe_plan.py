"""The recipe in the job plan, in the sort identity and at dry run; and what it switches off in the
sorter, seen from the sorter (the KilosortLike test backend, tests/backends.py).

The real Kilosort4 side (a preset chain sorts, a chain that can't run and a dead probe are blocked
by their canaries) is judged on the shared run, in test_recipe.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import OUTPUTS_OFF, read_json, run_snakemake, small_recordings, write_config
from sortcanary.config import ConfigError, validate_config
from sortcanary.plan.overrides import overridden_recordings, recording_config
from sortcanary.plan.recipe import DRIFT_SEARCH_BINS, drift_span_too_short
from sortcanary.plan.recipe_check import check_preprocessing
from sortcanary.plan.sortplan import (
    SortPlan,
    plan_canary,
    plan_full_sort,
    sort_identity,
)
from sortcanary.recordings import RecordingEntry, discover

KS4_LIKE = "backends:KilosortLike"
ENTRY = RecordingEntry(name="rec", source="rec.bin", path="/data/rec.bin", format="binary", sampling_frequency=30000.0,
                       num_channels=32, dtype="<i2", duration_s=600.0, input_files=("/data/rec.bin",))


def config(**keys):
    return validate_config({"recordings_dir": "/d", **keys})


def test_the_default_recipe_leaves_a_finished_sorts_identity_as_it_was():
    """An upgrade must not make every finished sort `existing_result_differs`: without a recipe the
    identity holds the keys it held before recipes existed, and no others."""
    assert sort_identity(config()) == {"sorter": "kilosort4", "sorter_params": {}}
    assert sort_identity(config(preprocessing="none", motion="kilosort", bad_channels={"max_fraction": 0.9})) == {
        "sorter": "kilosort4", "sorter_params": {}}


def test_a_recipe_joins_the_identity_of_the_recordings_it_applies_to_alone():
    cfg = config(recordings={"r2": {"preprocessing": "bandpass", "motion": "apply"}})
    assert sort_identity(recording_config(cfg, "r1")) == sort_identity(cfg)
    r2 = sort_identity(recording_config(cfg, "r2"))
    assert r2["preprocessing"] == [{"name": "bandpass_filter", "params": {"freq_min": 300.0, "freq_max": 6000.0}}]
    assert r2["motion"] == {"mode": "apply", "preset": "dredge_fast"}
    changed = config(recordings={"r2": {"preprocessing": [{"name": "bandpass_filter",
                                                           "params": {"freq_min": 400, "freq_max": 6000}}]}})
    assert sort_identity(recording_config(changed, "r2")) != r2


def test_the_neuropixels_preset_switches_off_what_the_chain_already_does():
    plan = plan_full_sort(config(sorter=KS4_LIKE, preprocessing="neuropixels"), ENTRY)
    assert plan.sorter_params == {"do_CAR": False, "highpass_cutoff": 100.0}
    assert [s["name"] for s in plan.recipe.steps] == ["phase_shift", "highpass_filter",
                                                      "detect_and_remove_bad_channels", "common_reference"]
    assert any(n.startswith("do_CAR=False") for n in plan.recipe.notes), plan.recipe.notes
    # the canary rehearses the same chain and the same switches
    canary = plan_canary(config(sorter=KS4_LIKE, preprocessing="neuropixels"), ENTRY)
    assert canary.recipe == plan.recipe and canary.sorter_params == plan.sorter_params
    assert SortPlan.from_dict(plan.as_dict()) == plan


def test_a_sorter_parameter_the_config_sets_is_kept_with_a_note():
    plan = plan_full_sort(config(sorter=KS4_LIKE, preprocessing="neuropixels", sorter_params={"do_CAR": True}), ENTRY)
    assert plan.sorter_params["do_CAR"] is True and plan.sorter_params["highpass_cutoff"] == 100.0
    assert any("sorter_params.do_CAR=True is kept" in n for n in plan.recipe.notes), plan.recipe.notes


def test_motion_apply_switches_the_sorters_own_correction_off_and_a_band_pass_its_filter_down():
    plan = plan_full_sort(config(sorter=KS4_LIKE, preprocessing="bandpass", motion="apply"), ENTRY)
    assert plan.sorter_params == {"highpass_cutoff": 100.0, "do_correction": False}
    assert plan.recipe.drift_bin_um is None, "no drift check: the sorter does not correct drift"
    assert plan_full_sort(config(sorter=KS4_LIKE), ENTRY).recipe.drift_bin_um == 5.0


def test_the_drift_check_matches_kilosort4s_search_range():
    """Kilosort4's drift estimate rolls its depth fingerprint by up to 15 bins (datashift.align_block2);
    a probe with no more bins than that is too short. An upgrade that changes the range fails here."""
    source = Path(importlib.util.find_spec("kilosort").origin).with_name("datashift.py").read_text()
    align = source[source.index("def align_block2"):source.index("def kernelD")]
    assert f"    n = {DRIFT_SEARCH_BINS}\n" in align  # read, not imported: importing Kilosort4 costs seconds
    assert drift_span_too_short(60.0, 5.0) and drift_span_too_short(69.0, 5.0)
    assert not drift_span_too_short(70.0, 5.0) and not drift_span_too_short(140.0, 5.0)


@pytest.mark.parametrize("preprocessing, message", [
    ("neuropixel", "preprocessing: 'neuropixel' is not a preset (did you mean 'neuropixels'?)"),
    ([{"name": "bandpass_filter", "params": {"freq_mn": 300}}],
     ("preprocessing[0] (bandpass_filter): 'freq_mn' is not a parameter of bandpass_filter "
      "(did you mean 'freq_min'?)")),
    ([{"name": "detect_and_remove_bad_channels", "params": {"sed": 1}}], "(did you mean 'seed'?)"),
    ([{"name": "bandpass_filter", "kwargs": {"freq_min": 300}}],
     ("preprocessing[0] (bandpass_filter): 'kwargs' is ignored by SpikeInterface's pipeline; put the step's "
      "parameters under 'params'")),
])
def test_a_misnamed_preset_parameter_or_kwargs_is_one_line_naming_the_fix(preprocessing, message):
    with pytest.raises(ConfigError) as raised:
        check_preprocessing(preprocessing)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_recordings_override_with_a_misnamed_step_blocks_that_recording_alone_naming_it(tmp_path):
    recordings = small_recordings(tmp_path / "recordings", ["r1", "r2"], duration_s=1.0)
    cfg = config(recordings={"r1": {"preprocessing": [{"name": "common_referenc"}]}})
    found, (problem,) = overridden_recordings(cfg, discover(str(recordings), cfg["formats"]).recordings)
    assert found == {} and problem.name == "r1" and problem.error_class == "preprocessing_invalid"
    assert problem.message == ("recordings (r1): preprocessing[0]: 'common_referenc' is not a SpikeInterface "
                               "preprocessing step (did you mean 'common_reference'?); fix the name in "
                               "config/config.yaml")


def test_a_step_name_typo_stops_the_dry_run_in_one_line(tmp_path):
    recordings = small_recordings(tmp_path / "recordings", ["r1"], duration_s=1.0)
    write_config(tmp_path, recordings_dir=str(recordings), preprocessing=[{"name": "bandpas_filter"}])
    result = run_snakemake(tmp_path, "--dry-run")
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("sortcanary:")]
    assert ours == [("sortcanary: preprocessing[0]: 'bandpas_filter' is not a SpikeInterface preprocessing step "
                     "(did you mean 'bandpass_filter'?); fix the name in config/config.yaml")], result.stderr[-2000:]
    assert not (tmp_path / "results").exists()


def short_probe(folder, name: str, channels: int = 4, pitch_um: float = 20.0):
    """A generated recording on one column of ``channels`` contacts ``pitch_um`` apart."""
    import probeinterface
    from spikeinterface.core import generate_recording

    probe = probeinterface.generate_linear_probe(num_elec=channels, ypitch=pitch_um)
    probe.set_device_channel_indices(list(range(channels)))
    recording = generate_recording(num_channels=channels, durations=[3.0], sampling_frequency=25_000.0, seed=3)
    recording.set_probe(probe)
    recording.save(folder=folder / name)


def test_the_sorter_gets_the_recipes_traces_and_switches(tmp_path):
    """Seen from the sorter (KilosortLike): a probe too short for its drift estimate gets its drift
    correction switched off with a note; motion: apply gives it SpikeInterface's corrected traces
    with its own correction off, and a band-pass chain its filter moved down; the report shows the
    motion estimate and the traces before and after the chain."""
    recordings = small_recordings(tmp_path / "recordings", ["moving"], duration_s=3.0)
    short_probe(recordings, "short")
    write_config(tmp_path, recordings_dir=str(recordings), sorter=KS4_LIKE, canary={"window_s": 2.0},
                 outputs={**OUTPUTS_OFF, "figures": True, "report": True},
                 recordings={"moving": {"preprocessing": "bandpass", "motion": "apply", "motion_preset": "rigid_fast"}})
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    sorted_dir = tmp_path / "results" / "sorted"

    short = read_json(sorted_dir / "short" / "sorter" / "given.json")
    assert short["params"]["do_correction"] is False
    record = read_json(sorted_dir / "short" / "sort.json")
    assert record["sorter_params"]["do_correction"] is False
    assert any(n.startswith("drift correction switched off") and "spans 60 um" in n for n in record["recipe"]["notes"])
    assert any(n.startswith("drift correction switched off") for n in read_json(
        tmp_path / "results" / "canary" / "short.json")["notes"]), "the canary rehearsed it"

    moving = read_json(sorted_dir / "moving" / "sorter" / "given.json")
    assert moving["params"] == {"highpass_cutoff": 100.0, "do_correction": False}
    assert moving["class"] == "InterpolateMotionRecording" and moving["dtype"] == "float32"
    record = read_json(sorted_dir / "moving" / "sort.json")
    assert record["recipe"]["motion_estimate"]["preset"] == "rigid_fast"
    assert (sorted_dir / "moving" / "motion" / "motion").is_dir()
    assert {"recipe_traces", "motion_estimate"} <= set(record["outputs"]["figures"])
    page = (sorted_dir / "moving" / "report.html").read_text()
    assert "<code>bandpass_filter</code>" in page and "apply: SpikeInterface corrected the traces" in page


def test_bad_channels_block_the_canary_only_above_the_fraction(tmp_path):
    from sortcanary.checks.bad_channels import judge_bad_channels
    from sortcanary.taxonomy import SortFailure

    drawn = []

    def draw():
        drawn.append(tmp_path / "figure.png")
        return drawn[-1]

    bad = {"dead": ["0", "1"], "out": ["14", "15"]}
    note = judge_bad_channels(bad, 8, 0.5, "the chain's bad-channel detection", draw)
    assert note.startswith("4/8 channels bad by the chain's bad-channel detection (dead: 0, 1; out: 14, 15)")
    assert not drawn, "exactly the fraction is not more than it"
    assert "found in the full sort" in judge_bad_channels(bad, 7, 0.5, "x", draw, block=False) and not drawn
    with pytest.raises(SortFailure) as raised:
        judge_bad_channels(bad, 7, 0.5, "x", draw)
    verdict = raised.value.verdict
    assert (verdict.category, verdict.error_class) == ("biological", "too_many_bad_channels")
    assert verdict.evidence["figure"] == str(tmp_path / "figure.png") and verdict.evidence["bad_fraction"] == "4/7"
    assert judge_bad_channels({}, 8, 0.5, "x", draw) is None
