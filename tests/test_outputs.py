"""What a sorted recording leaves behind: analyzer, curation, exports, figures, reports, summary.

The suite's one real workflow run (conftest's ``ks4_run``: real snakemake, real Kilosort4 on the
CPU, over a ground-truth recording, the demo's healthy_b and its silent one) serves most tests (test_nwb.py shares it);
exporter failures use the threshold test backend, with pynwb made unimportable or broken in the
jobs' environment by a package earlier on PYTHONPATH.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import (
    DEMO_CHANNELS,
    GT_NAME,
    REPO,
    chromium_dom,
    dom_json,
    job_env,
    read_json,
    read_summary,
    run_snakemake,
    sortcanary,
    write_config,
)

NAME = GT_NAME


def sorted_dir(workdir: Path, name: str = NAME) -> Path:
    return workdir / "results" / "sorted" / name


def load_units(workdir: Path) -> dict:
    with np.load(sorted_dir(workdir) / "units.npz", allow_pickle=False) as data:
        return dict(data)


def trains_by_unit(units: dict) -> dict:
    return {int(u): units["spike_samples"][units["spike_unit_ids"] == u] for u in units["unit_ids"]}


@pytest.mark.ks4
def test_sorted_folder_holds_every_output(ks4_run):
    workdir, result, _ = ks4_run
    folder = sorted_dir(workdir)
    sort = read_json(folder / "sort.json")
    assert sort["outputs"]["ok"], result.stderr[-3000:]
    for name in ("analyzer", "curation.json", "units.npz", "units.nwb", "report.html", "figures"):
        assert (folder / name).exists(), name
    assert sort["outputs"]["files"]["phy"] == "sorter/sorter_output"
    assert (folder / "sorter" / "sorter_output" / "params.py").is_file()
    assert '<a href="sorter/sorter_output">' in (folder / "report.html").read_text()  # phy's folder, linked
    from spikeinterface.core import load_sorting_analyzer

    analyzer = load_sorting_analyzer(folder / "analyzer")
    for extension in ("random_spikes", "waveforms", "templates", "noise_levels", "unit_locations",
                      "spike_amplitudes", "quality_metrics"):
        assert analyzer.has_extension(extension), extension
    assert not analyzer.has_extension("principal_components")  # only what the outputs read
    columns = set(analyzer.get_extension("quality_metrics").get_data().columns)
    assert {"firing_rate", "presence_ratio", "isi_violations_ratio", "snr", "amplitude_cutoff"} <= columns
    figures = set(sort["outputs"]["figures"])
    assert {"unit_locations", "metrics", "templates", "raster"} <= figures
    assert "ks4_drift_amount" in figures  # KS4 4.1.7 saves its drift plot; it is carried over
    assert sorted(p.stem for p in (folder / "figures").glob("*.png")) == sorted(figures)


@pytest.mark.ks4
def test_units_npz_spike_trains_equal_the_sorter_output(ks4_run):
    workdir, _, _ = ks4_run
    units = load_units(workdir)
    phy = sorted_dir(workdir) / "sorter" / "sorter_output"
    times = np.load(phy / "spike_times.npy").ravel()
    clusters = np.load(phy / "spike_clusters.npy").ravel()
    assert sorted(units["unit_ids"].tolist()) == sorted(np.unique(clusters).tolist())
    for unit, train in trains_by_unit(units).items():
        np.testing.assert_array_equal(train, np.sort(times[clusters == unit]))
    fs = float(units["sampling_frequency"])
    assert fs == read_json(sorted_dir(workdir) / "sort.json")["sampling_frequency"]
    np.testing.assert_array_equal(units["spike_seconds"], units["spike_samples"] / fs)
    n = len(units["unit_ids"])
    assert units["templates"].shape[0] == n and units["templates"].shape[2] == DEMO_CHANNELS
    assert units["unit_locations"].shape[0] == n and units["best_channel_index"].max() < DEMO_CHANNELS
    assert units["metrics"].shape == (n, len(units["metric_names"])) and units["curated"].shape == (n,)


@pytest.mark.ks4
def test_units_kilosort4_finds_match_ground_truth(ks4_run):
    from spikeinterface.comparison import compare_sorter_to_ground_truth
    from spikeinterface.core import NumpySorting

    workdir, _, truth = ks4_run
    units = load_units(workdir)
    found = NumpySorting.from_samples_and_labels([units["spike_samples"]], [units["spike_unit_ids"]],
                                                 float(units["sampling_frequency"]))
    comparison = compare_sorter_to_ground_truth(truth, found, exhaustive_gt=True)
    assert len(found.unit_ids) >= 1
    # every unit KS4 reports is made of a true unit's spikes (merges of true units count as matched)
    assert comparison.count_false_positive_units() == 0, comparison.agreement_scores
    assert comparison.count_well_detected_units(0.8) >= 1, comparison.get_performance()


@pytest.mark.ks4
def test_nwb_opens_with_the_same_units(ks4_run):
    from pynwb import NWBHDF5IO

    workdir, _, _ = ks4_run
    units = load_units(workdir)
    with NWBHDF5IO(str(sorted_dir(workdir) / "units.nwb"), "r") as io:
        nwb = io.read()
        table = nwb.units.to_dataframe()
        assert len(table) == len(units["unit_ids"])
        assert len(nwb.electrodes) == DEMO_CHANNELS
        for row, unit in zip(table.itertuples(), units["unit_ids"], strict=True):
            assert row.unit_name == str(unit)
            np.testing.assert_allclose(row.spike_times, units["spike_seconds"][units["spike_unit_ids"] == unit])
        assert list(table["curated"]) == units["curated"].tolist()


def expected_drops(metrics: pd.DataFrame, thresholds: dict) -> set[int]:
    """The units a threshold set drops, computed here independently of sortcanary.products.curation."""
    rules = {"min_firing_rate_hz": ("firing_rate", min), "min_presence_ratio": ("presence_ratio", min),
             "max_isi_violations_ratio": ("isi_violations_ratio", max), "min_snr": ("snr", min),
             "max_amplitude_cutoff": ("amplitude_cutoff", max)}
    drops = set()
    for key, limit in thresholds.items():
        if limit is None:
            continue
        column, kind = rules[key]
        for unit, value in metrics[column].items():
            if not math.isnan(value) and (value < limit if kind is min else value > limit):
                drops.add(int(unit))
    return drops


@pytest.mark.ks4
def test_changed_thresholds_rebuild_only_the_outputs_and_drop_exactly_the_violators(ks4_run, tmp_path):
    """A new curation threshold re-runs only the post-sort step (the sort is reused through hard
    links) and drops exactly the units that violate a threshold, each with its reason."""
    from spikeinterface.core import load_sorting_analyzer

    workdir = tmp_path / "wf"
    shutil.copytree(ks4_run.workdir, workdir, symlinks=True)  # leave the shared run untouched
    before = read_json(sorted_dir(workdir) / "sort.json")
    metrics = load_sorting_analyzer(sorted_dir(workdir) / "analyzer").get_extension("quality_metrics").get_data()
    snr = sorted(metrics["snr"])
    assert len(snr) >= 2, "the ground-truth recording should give KS4 at least two units"
    thresholds = {"min_firing_rate_hz": 0.1, "min_presence_ratio": 0.9, "max_isi_violations_ratio": 0.5,
                  "min_snr": float((snr[0] + snr[1]) / 2), "max_amplitude_cutoff": 0.1}
    config_path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["outputs"]["curation"] = thresholds
    config_path.write_text(yaml.safe_dump(config))
    result = run_snakemake(workdir, str(Path("results") / "sorted" / f"{NAME}.sort.json"))
    assert result.returncode == 0, result.stderr[-3000:]
    after = read_json(sorted_dir(workdir) / "sort.json")
    assert after["sort_seconds"] == before["sort_seconds"], "the sort itself must not run again"
    curation = read_json(sorted_dir(workdir) / "curation.json")
    dropped = {d["unit_id"]: d["reasons"] for d in curation["dropped"]}
    assert set(dropped) == expected_drops(metrics, thresholds) and set(dropped)
    assert any("snr" in reason for reasons in dropped.values() for reason in reasons)
    assert sorted(curation["raw_units"]) == sorted(int(u) for u in metrics.index)
    assert sorted(curation["curated_units"] + list(dropped)) == sorted(curation["raw_units"])
    assert after["outputs"]["units_curated"] == len(curation["curated_units"])


def test_exporters_phy_is_refused_in_one_line_and_a_sort_recorded_with_it_keeps_its_outputs():
    """``outputs.exporters.phy`` built nothing (the phy folder is the sorter's own): the key is
    refused, by the CLI's validation and the workflow's, with what to do; and a finished sort whose
    record still carries it (0.1) is not rebuilt for it."""
    from types import SimpleNamespace

    from snakemake.utils import validate

    from sortcanary.config import ConfigError, validate_config
    from sortcanary.config import describe_validation_error as describe
    from sortcanary.jobs.full_sort import outputs_current

    config = {"recordings_dir": ".", "outputs": {"exporters": {"phy": False, "nwb": True}}}
    with pytest.raises(ConfigError, match=r"outputs\.exporters\.phy is gone: .*; delete the key$"):
        validate_config(config)
    with pytest.raises(Exception) as raised:
        validate(dict(config), str(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    assert describe(raised.value).startswith("outputs.exporters.phy is gone")
    outputs = validate_config({"recordings_dir": "."})["outputs"]
    recorded = {**outputs, "exporters": {**outputs["exporters"], "phy": True}}
    plan = SimpleNamespace(outputs=outputs)
    assert outputs_current({"outputs": {"ok": True, "config": recorded}}, plan)
    assert not outputs_current({"outputs": {"ok": True, "config": {**recorded, "figures": False}}}, plan)


def test_curation_drops_exactly_the_units_past_a_threshold():
    """Boundaries: a value equal to a threshold passes, NaN drops nothing (it is listed as
    unchecked), a null threshold is off, and every reason names the metric and the threshold."""
    from sortcanary.products.curation import curate

    metrics = pd.DataFrame(
        {"firing_rate": [0.05, 0.1, 5.0, 5.0, 5.0], "presence_ratio": [1.0, 1.0, math.nan, 0.5, 1.0],
         "isi_violations_ratio": [0.0, 0.5, 0.0, 0.0, 0.51], "snr": [1.0, 1.0, 1.0, 1.0, 1.0],
         "amplitude_cutoff": [0.0, 0.1, 0.0, math.nan, 0.2]},
        index=np.array([10, 11, 12, 13, 14]))
    thresholds = {"enabled": True, "min_firing_rate_hz": 0.1, "min_presence_ratio": 0.9,
                  "max_isi_violations_ratio": 0.5, "min_snr": None, "max_amplitude_cutoff": 0.1}
    record = curate(metrics, thresholds)
    dropped = {d["unit_id"]: d["reasons"] for d in record["dropped"]}
    assert set(dropped) == {10, 13, 14} == expected_drops(metrics, {k: v for k, v in thresholds.items() if k != "enabled"})
    assert dropped[10] == ["firing_rate 0.05 < 0.1 (min_firing_rate_hz)"]
    assert dropped[13] == ["presence_ratio 0.5 < 0.9 (min_presence_ratio)"]
    assert [r.split()[0] for r in dropped[14]] == ["isi_violations_ratio", "amplitude_cutoff"]
    assert record["raw_units"] == [10, 11, 12, 13, 14] and record["curated_units"] == [11, 12]
    assert record["unchecked"] == [{"unit_id": 12, "metrics": ["presence_ratio"]},
                                   {"unit_id": 13, "metrics": ["amplitude_cutoff"]}]
    assert "min_snr" not in record["thresholds"]


@pytest.mark.ks4
def test_default_curation_drops_exactly_the_violators(ks4_run):
    from spikeinterface.core import load_sorting_analyzer

    workdir, _, _ = ks4_run
    curation = read_json(sorted_dir(workdir) / "curation.json")
    metrics = load_sorting_analyzer(sorted_dir(workdir) / "analyzer").get_extension("quality_metrics").get_data()
    assert {d["unit_id"] for d in curation["dropped"]} == expected_drops(metrics, curation["thresholds"])
    # a 20 s recording is shorter than presence_ratio's 60 s bins: NaN drops nothing, and says so
    assert all("presence_ratio" in u["metrics"] for u in curation["unchecked"])
    assert sorted(u["unit_id"] for u in curation["unchecked"]) == sorted(curation["raw_units"]), "for every unit"


@pytest.mark.ks4
def test_summary_lists_the_blocked_recording_with_its_reason(ks4_run):
    workdir, result, _ = ks4_run
    assert result.returncode != 0  # the silent recording's canary blocked it
    rows = read_summary(workdir)
    assert (rows["silent"]["canary"], rows["silent"]["sort"]) == ("blocked", "blocked")
    assert rows["silent"]["error_class"] == "insufficient_activity" and rows["silent"]["remediation"]
    assert rows[NAME]["sort"] == "done" and int(rows[NAME]["curated"]) <= int(rows[NAME]["units"])
    # the row's counts are those of Kilosort4's own output and of the curation record
    clusters = np.load(sorted_dir(workdir) / "sorter" / "sorter_output" / "spike_clusters.npy")
    assert int(rows[NAME]["units"]) == len(np.unique(clusters))
    assert int(rows[NAME]["curated"]) == len(read_json(sorted_dir(workdir) / "curation.json")["curated_units"])
    page = (workdir / "results" / "summary.html").read_text()
    assert page.index("silent") < page.index(f">{NAME}<"), "blocked recordings come first"
    assert "insufficient_activity" in page and rows["silent"]["remediation"] in page
    assert f'href="sorted/{NAME}/report.html"' in page
    assert (workdir / "results" / "summary.png").stat().st_size > 0
    status = sortcanary("status", str(workdir / "results"))
    listed = [line.split()[0] for line in status.stdout.splitlines()[1:] if not line.startswith(" ")]
    blocked = {name for name, row in rows.items() if row["canary"] == "blocked"}
    assert status.returncode != 0 and "silent" in blocked and set(listed[:len(blocked)]) == blocked, status.stdout


CHECK_IMAGES = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images).map(i => [i.getAttribute("src"), i.naturalWidth]);
  const out = document.createElement("pre");
  out.id = "image-check";
  out.textContent = JSON.stringify(images);
  document.body.appendChild(out);
});
</script>"""


def chromium_images(page: Path, tmp_path: Path) -> list:
    """Open ``page`` in headless Chromium with a script that lists each <img> and its naturalWidth
    (0 = failed to load)."""
    return dom_json(chromium_dom(page, CHECK_IMAGES, tmp_path), "image-check")


def png_width(path: Path) -> int:
    """A PNG's width in pixels, from its IHDR chunk (bytes 16-20 of every PNG file)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big")


@pytest.mark.ks4
def test_recording_report_renders_with_its_figures_in_chromium(ks4_run, tmp_path):
    workdir, _, _ = ks4_run
    page = sorted_dir(workdir) / "report.html"
    text = page.read_text()
    for fact in ("Canary verdict", "pass", "kilosort4", "Versions", "units (curated)", "torch_device"):
        assert fact.lower() in text.lower(), fact
    images = chromium_images(page, tmp_path)
    figures = read_json(sorted_dir(workdir) / "sort.json")["outputs"]["figures"]
    assert sorted(src for src, _ in images) == sorted(f"figures/{name}.png" for name in figures)
    assert all(width > 0 for _, width in images), images
    # each image Chromium loaded is the PNG file on disk: its width is the file's own
    assert dict(images) == {src: png_width(page.parent / src) for src, _ in images}
    summary = chromium_images(workdir / "results" / "summary.html", tmp_path)
    assert summary == [["summary.png", png_width(workdir / "results" / "summary.png")]] and summary[0][1] > 0


@pytest.mark.ks4
def test_snakemake_report_collects_the_flagged_outputs(ks4_run, tmp_path):
    """`snakemake --report` works after a run with a blocked recording (no missing flagged file)."""
    workdir, _, _ = ks4_run
    report = tmp_path / "report.html"
    result = run_snakemake(workdir, "--report", str(report))
    assert result.returncode == 0, result.stderr[-3000:]
    text = report.read_text()
    assert "summary.png" in text and "unit_locations.png" in text and "raster.png" in text


# -- exporter failures (threshold backend: no KS4) ------------------------------------------------


def shadow_pynwb(folder: Path, body: str) -> dict:
    """A job environment in which `import pynwb` finds ``body`` first."""
    (folder / "pynwb").mkdir(parents=True)
    (folder / "pynwb" / "__init__.py").write_text(body)
    env = job_env()
    env["PYTHONPATH"] = f"{folder}:{env['PYTHONPATH']}"
    return env


@pytest.fixture
def one_recording(demo_dir, tmp_path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    shutil.copytree(demo_dir / "healthy_a", folder / "healthy_a")
    return folder


def test_nwb_without_pynwb_fails_before_the_sort_as_environment(one_recording, tmp_path):
    """The full sort's own check (the canary, which would catch it first, skips the outputs here;
    test_canary.py covers the canary catching it)."""
    env = shadow_pynwb(tmp_path / "shadow", "raise ImportError(\"No module named 'pynwb'\")\n")
    workdir = tmp_path / "wf"
    write_config(workdir, recordings_dir=str(one_recording), sorter="backends:ThresholdSorter",
                 outputs={"exporters": {"nwb": True}}, canary={"window_s": 10, "exercise_outputs": False})
    result = run_snakemake(workdir, env=env)
    assert result.returncode != 0
    verdict = read_json(workdir / "logs" / "sort" / "healthy_a.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("environment", "exporter_unavailable")
    assert "outputs.exporters.nwb" in verdict["message"] and "sortcanary[nwb]" in verdict["message"]
    assert not (workdir / "results" / "sorted" / "healthy_a").exists(), "no sort may start"
    row = read_summary(workdir)["healthy_a"]
    assert (row["sort"], row["error_class"]) == ("failed", "exporter_unavailable")


def test_a_failed_post_sort_step_keeps_the_sort_and_the_next_run_rebuilds_only_the_outputs(one_recording, tmp_path):
    # a broken install that imports (so the check before the sort passes) and fails when used, with a message no
    # rule knows (so the canary passes it through; a classified one is blocked by the canary, test_workflow)
    broken = shadow_pynwb(tmp_path / "shadow", (
        "class NWBFile:\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        raise RuntimeError('the NWB writer of this install is broken')\n"
        "class NWBHDF5IO:\n"
        "    pass\n"))
    workdir = tmp_path / "wf"
    write_config(workdir, recordings_dir=str(one_recording), sorter="backends:ThresholdSorter",
                 outputs={"exporters": {"nwb": True}})
    first = run_snakemake(workdir, env=broken)
    assert first.returncode != 0
    sort = read_json(sorted_dir(workdir, "healthy_a") / "sort.json")
    assert sort["outputs"]["ok"] is False and sort["units"] >= 1, first.stderr[-3000:]
    assert (sorted_dir(workdir, "healthy_a") / "sorting").is_dir()
    assert "the NWB writer of this install is broken" in sort["outputs"]["message"]
    row = read_summary(workdir)["healthy_a"]
    assert row["sort"] == "failed" and row["message"].startswith("sort kept")
    spikes = sorted_dir(workdir, "healthy_a") / "sorting"
    inode = next(p for p in spikes.rglob("*") if p.is_file()).stat().st_ino

    second = run_snakemake(workdir)
    assert second.returncode == 0, second.stderr[-3000:]
    again = read_json(sorted_dir(workdir, "healthy_a") / "sort.json")
    assert again["outputs"]["ok"] and again["sort_seconds"] == sort["sort_seconds"]
    assert (sorted_dir(workdir, "healthy_a") / "units.nwb").is_file()
    assert next(p for p in spikes.rglob("*") if p.is_file()).stat().st_ino == inode  # linked, not re-sorted
    assert read_summary(workdir)["healthy_a"]["sort"] == "done"
