"""Acquisition formats: SpikeGLX, Open Ephys binary, NWB, MaxWell, Intan (docs/formats.md).

Recordings are written by the tests (tests/acquisition.py) following each format's published
layout, then discovered, loaded and run through the real workflow (`snakemake`, test backend
ThresholdSorter; one real Kilosort4 run on SpikeGLX). Corrupt and truncated files are real files
cut or overwritten on disk.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import acquisition as acq
from conftest import OUTPUTS_OFF, REPO, read_json, read_summary, run_snakemake, sortcanary, write_config
from sortcanary.recordings import RecordingEntry, discover, open_recording

DURATION_S = 12.0
KS4_DURATION_S = 6.0  # Kilosort4's SpikeGLX sort: three of its 2 s batches
UNKNOWN_FILTER = 40000  # an HDF5 filter id from the unregistered range: no plugin provides it
BLOSC_FILTER = 32001
THRESHOLD = "backends:ThresholdSorter"

SPIKEGLX = ["mouse1_g0__imec0.ap", "mouse1_g0__imec1.ap"]
OPENEPHYS = ["oe_sess__Acquisition_Board-100.Rhythm_Data", "oe_sess__Acquisition_Board-102.Rhythm_Data"]
NWB, MAXWELL, INTAN = "nwbsess__ElectricalSeries", "chip1__well000", "rat_240501"
ALL = sorted([*SPIKEGLX, *OPENEPHYS, NWB, MAXWELL, INTAN])


@dataclass
class Acq:
    root: Path  # recordings_dir with one healthy recording set of every format
    probe: Path  # 16-contact probeinterface JSON for the formats without geometry
    truth: dict  # recording name -> (ground-truth recording, how it was stored)

    @property
    def formats(self) -> dict:
        return {"probe": {"openephys": str(self.probe), "intan": str(self.probe)}}


@pytest.fixture(scope="module")
def acq_set(tmp_path_factory) -> Acq:
    base = tmp_path_factory.mktemp("acq")
    root = base / "recordings"
    root.mkdir()
    _, glx = acq.write_spikeglx(root, "mouse1", duration_s=DURATION_S)
    _, oe = acq.write_openephys(root, "oe_sess", duration_s=DURATION_S)
    probe = acq.write_probe(next(iter(oe.values())), base / "probe16.json")
    nwb = acq.ground_truth(DURATION_S, 20)
    acq.write_nwb(root / "nwbsess.nwb", {"ElectricalSeries": nwb})
    maxwell = acq.ground_truth(DURATION_S, 21, fs=20000.0)
    acq.write_maxwell(root / "chip1.raw.h5", maxwell)
    intan = acq.ground_truth(DURATION_S, 22)
    acq.write_intan(root / "rat_240501.rhd", intan)
    truth = {f"mouse1_g0__{k}": (r, "spikeglx") for k, r in glx.items()}
    truth.update({f"oe_sess__{k.replace(' ', '_')}": (r, "int16") for k, r in oe.items()})
    truth.update({NWB: (nwb, "int16"), MAXWELL: (maxwell, "maxwell"), INTAN: (intan, "int16")})
    return Acq(root, probe, truth)


def copy_entry(acq_set: Acq, name: str, dest: Path, new_name: str | None = None) -> Path:
    src = acq_set.root / name
    target = dest / (new_name or name)
    (shutil.copytree if src.is_dir() else shutil.copy2)(src, target)
    return target


def truncate(path: Path, keep: int) -> None:
    """Keep the first ``keep`` bytes (negative: drop that many from the end), as an interrupted copy does."""
    path.write_bytes(path.read_bytes()[:keep])


# -- discovery --------------------------------------------------------------------------------


def test_discovery_finds_one_recording_per_stream(acq_set):
    found = discover(acq_set.root, acq_set.formats)
    assert found.problems == []
    assert sorted(found.recordings) == ALL
    rec = found.recordings
    # SpikeGLX: one wildcard per probe's AP stream; LF and NI-DAQ are skipped; sync channel excluded
    for name in SPIKEGLX:
        entry = rec[name]
        assert (entry.format, entry.num_channels, entry.sampling_frequency) == ("spikeglx", 16, 30000.0)
        assert entry.reader == {"stream_id": entry.stream} and entry.stream in ("imec0.ap", "imec1.ap")
        assert [Path(f).suffix for f in entry.input_files] == [".meta", ".bin"]
    # Open Ephys: AUX and ADC inputs of the first stream are not neural channels
    assert rec[OPENEPHYS[0]].channel_ids == tuple(f"CH{i}" for i in range(1, 17))
    assert rec[OPENEPHYS[1]].channel_ids == ()
    assert rec[OPENEPHYS[0]].reader == {"stream_name": "Record Node 101#Acquisition_Board-100.Rhythm Data"}
    assert rec[OPENEPHYS[0]].probe == str(acq_set.probe) and str(acq_set.probe) in rec[OPENEPHYS[0]].input_files
    assert rec[NWB].reader == {"electrical_series_path": "acquisition/ElectricalSeries"} and rec[NWB].probe == ""
    assert rec[MAXWELL].reader == {"stream_id": "well000", "rec_name": "rec0000"}
    assert rec[MAXWELL].hdf5 == {"filters": [], "plugin_path": None}
    assert rec[INTAN].stream == "" and rec[INTAN].reader == {"stream_id": "0"}
    for name, (truth, _) in acq_set.truth.items():
        assert rec[name].num_channels == truth.get_num_channels()
        assert rec[name].duration_s == pytest.approx(DURATION_S, abs=128 / truth.sampling_frequency)


_OPENED: list[list[str]] = []  # while a test listens: the one list the audit hook appends to


def _audit(event, args):
    if event == "open" and _OPENED and isinstance(args[0], (str, bytes, Path)):
        _OPENED[0].append(str(args[0]))


def test_discovery_opens_no_trace_file(acq_set):
    """Every file Python opens during discovery is metadata: no .bin/.dat/.npy (traces, timestamps)."""
    sys.addaudithook(_audit)
    _OPENED.append([])
    try:
        discover(acq_set.root, acq_set.formats)
        opened = list(_OPENED[0])
    finally:
        _OPENED.clear()
    assert any(p.endswith(".meta") for p in opened) and any(p.endswith("structure.oebin") for p in opened)
    assert [p for p in opened if p.endswith((".bin", ".dat", ".npy"))] == []


def test_loaded_recordings_hold_the_written_traces(acq_set):
    """The extractor, stream, channel selection, gains and probe are the right ones, for every format."""
    found = discover(acq_set.root, acq_set.formats).recordings
    for name, (truth, stored) in acq_set.truth.items():
        recording = open_recording(found[name])
        assert recording.get_num_channels() == 16 and recording.get_num_segments() == 1, name
        assert recording.get_probegroup().get_contact_count() == 16, name
        got = recording.get_traces(start_frame=0, end_frame=3000, return_in_uV=stored != "maxwell")
        if stored == "maxwell":  # uint16 around 2048, as the writer stored it
            expected = acq.int16_traces(truth, acq.MAXWELL_LSB_V * 1e6)[:3000].astype(int) + 2048
            np.testing.assert_array_equal(got.astype(int), expected, err_msg=name)
            continue
        gain = acq.np1_ap_gain_uV() if stored == "spikeglx" else acq.INTAN_GAIN_UV
        expected = truth.get_traces(start_frame=0, end_frame=3000, return_in_uV=True)
        np.testing.assert_allclose(got, expected, atol=gain * 0.51, err_msg=name)


def test_entries_survive_the_params_round_trip(acq_set):
    """Entries travel to the jobs as plain dicts through Snakemake params; older records still load."""
    for entry in discover(acq_set.root, acq_set.formats).recordings.values():
        assert RecordingEntry.from_dict(json.loads(json.dumps(entry.as_dict()))) == entry
    old = {k: v for k, v in discover(REPO / "tests" / "data" / "tiny").recordings["tiny"].as_dict().items()
           if k not in ("stream", "reader", "probe", "channel_ids", "hdf5")}
    assert RecordingEntry.from_dict(old).format == "binary"


def test_formats_streams_and_exclude_select_recordings(acq_set):
    only = discover(acq_set.root, {**acq_set.formats, "include": ["spikeglx", "nwb"]})
    assert sorted(only.recordings) == sorted([*SPIKEGLX, NWB]) and only.problems == []
    probe1 = discover(acq_set.root, {**acq_set.formats, "streams": {"spikeglx": ["imec1.ap"]}})
    assert sorted(probe1.recordings) == sorted(set(ALL) - {SPIKEGLX[0]})
    by_slug = discover(acq_set.root, {**acq_set.formats, "streams": {"openephys": ["*Board-102.Rhythm_Data"]}})
    assert OPENEPHYS[0] not in by_slug.recordings and OPENEPHYS[1] in by_slug.recordings
    excluded = discover(acq_set.root, {**acq_set.formats, "exclude": ["oe_*", "*.rhd", "*__well000"]})
    assert sorted(excluded.recordings) == sorted([*SPIKEGLX, NWB]) and excluded.problems == []


def test_formats_without_geometry_need_a_checked_probe_override(acq_set, tmp_path):
    bare = discover(acq_set.root)
    lines = {p.name: p.line() for p in bare.problems}
    assert sorted(lines) == sorted([*OPENEPHYS, INTAN])
    assert "set formats.probe.openephys" in lines[OPENEPHYS[0]] and "set formats.probe.intan" in lines[INTAN]
    assert "rat_240501.rhd" in lines[INTAN]
    assert sorted(bare.recordings) == sorted([*SPIKEGLX, NWB, MAXWELL])
    small = tmp_path / "probe8.json"
    acq.write_probe(acq.ground_truth(1.0, 1, num_channels=8), small)
    wrong = discover(acq_set.root, {"probe": {"intan": str(small)}})
    assert "has 8 contacts but the recording has 16 channels" in {p.name: p.message for p in wrong.problems}[INTAN]
    unplaced = tmp_path / "unplaced"
    unplaced.mkdir()
    acq.write_nwb(unplaced / "nopos.nwb", {"ElectricalSeries": acq.ground_truth(2.0, 2)}, positions=False)
    problem = discover(unplaced).problems[0]
    assert "no electrode positions" in problem.message and "formats.probe.nwb" in problem.message
    assert "nopos__ElectricalSeries" in discover(unplaced, {"probe": {"nwb": str(acq_set.probe)}}).recordings


# -- corrupt and truncated files --------------------------------------------------------------


def _glx_truncated_bin(a, d):
    session = copy_entry(a, "mouse1_g0", d)
    truncate(next(session.rglob("*imec1.ap.bin")), -1000)
    return ["mouse1_g0__imec1.ap"], "mouse1_g0_t0.imec1.ap.bin", "fileSizeBytes", ["mouse1_g0__imec0.ap"]


def _glx_corrupt_meta(a, d):
    session = copy_entry(a, "mouse1_g0", d)
    next(session.rglob("*imec0.ap.meta")).write_bytes(b"\x00\xffgarbage\nimSampRate=abc\n")
    return ["mouse1_g0"], "mouse1_g0_t0.imec0.ap.meta", "not a readable SpikeGLX .meta", []


def _oe_truncated_dat(a, d):
    session = copy_entry(a, "oe_sess", d)
    truncate(next(session.rglob("Acquisition_Board-102.Rhythm Data/continuous.dat")), -3)
    return [OPENEPHYS[1]], "continuous.dat", "not a whole number", [OPENEPHYS[0]]


def _oe_corrupt_oebin(a, d):
    session = copy_entry(a, "oe_sess", d)
    next(session.rglob("structure.oebin")).write_text('{"continuous": [')
    return ["oe_sess__structure.oebin"], "structure.oebin", "not valid JSON", []


def _nwb_truncated(a, d):
    path = copy_entry(a, "nwbsess.nwb", d)
    truncate(path, path.stat().st_size // 2)
    return ["nwbsess"], "nwbsess.nwb", "truncated", []


def _maxwell_truncated(a, d):
    path = copy_entry(a, "chip1.raw.h5", d)
    truncate(path, path.stat().st_size // 3)
    return ["chip1"], "chip1.raw.h5", "truncated", []


def _intan_truncated(a, d):
    path = copy_entry(a, "rat_240501.rhd", d)
    truncate(path, -100)
    return [INTAN], "rat_240501.rhd", "not a whole number", []


def _intan_corrupt_header(a, d):
    path = copy_entry(a, "rat_240501.rhd", d)
    data = bytearray(path.read_bytes())
    data[:4] = b"\x00\x01\x02\x03"
    path.write_bytes(bytes(data))
    return [INTAN], "rat_240501.rhd", "magic number", []


CORRUPTIONS = [_glx_truncated_bin, _glx_corrupt_meta, _oe_truncated_dat, _oe_corrupt_oebin, _nwb_truncated,
               _maxwell_truncated, _intan_truncated, _intan_corrupt_header]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_corrupt_file_is_one_problem_naming_it(acq_set, tmp_path, corrupt):
    rec_dir = tmp_path / "recordings"
    rec_dir.mkdir()
    for name in ("tiny.bin", "tiny.json", "tiny.probe.json"):
        shutil.copy2(REPO / "tests" / "data" / "tiny" / name, rec_dir / name)
    problem_names, file_name, reason, survivors = corrupt(acq_set, rec_dir)
    found = discover(rec_dir, acq_set.formats)
    assert sorted(p.name for p in found.problems) == sorted(problem_names)
    for problem in found.problems:
        assert file_name in problem.line() and reason in problem.message, problem.line()
        assert "\n" not in problem.line()
    assert sorted(found.recordings) == sorted(["tiny", *survivors])


# -- the workflow on every format -------------------------------------------------------------


def test_workflow_sorts_every_format_and_reports_corrupt_ones(acq_set, tmp_path):
    rec_dir = tmp_path / "recordings"
    shutil.copytree(acq_set.root, rec_dir)
    session, _ = acq.write_spikeglx(tmp_path / "gen", "broken", probes=1, duration_s=2.0, lf=False, nidq=False)
    shutil.move(session, rec_dir / session.name)
    truncate(next((rec_dir / session.name).rglob("*.ap.bin")), -1000)
    shutil.copytree(acq_set.root / "oe_sess", rec_dir / "broken_oe")
    next((rec_dir / "broken_oe").rglob("structure.oebin")).write_text("{")
    for name, new in [("nwbsess.nwb", "broken_nwb.nwb"), ("chip1.raw.h5", "broken_mxw.raw.h5"),
                      ("rat_240501.rhd", "broken_rhd.rhd")]:
        shutil.copy2(acq_set.root / name, rec_dir / new)
        truncate(rec_dir / new, (rec_dir / new).stat().st_size // 2 + 7)
    # every format's post-sort outputs that read its traces (the analyzer, hence curation and
    # exports) come from its full sort; its canary repeating them would double the minute they take
    # (test_canary.py covers a canary exercising outputs). Figures and the report read only the
    # analyzer, whatever the format: test_outputs.py judges them.
    write_config(tmp_path, recordings_dir=str(rec_dir), sorter=THRESHOLD, formats=acq_set.formats,
                 canary={"window_s": 10, "exercise_outputs": False}, outputs={"figures": False, "report": False})
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = read_summary(tmp_path)
    for name in ALL:
        row = summary[name]
        assert (row["canary"], row["sort"]) == ("pass", "done") and int(row["units"]) >= 1, row
        marker = read_json(tmp_path / "results" / "canary" / f"{name}.json")
        assert marker["window"] == {"start_s": 0.0, "duration_s": 10.0, "clamped": False}
    broken = {"broken_g0__imec0.ap": "broken_g0_t0.imec0.ap.bin", "broken_oe__structure.oebin": "structure.oebin",
              "broken_nwb": "broken_nwb.nwb", "broken_mxw": "broken_mxw.raw.h5", "broken_rhd": "broken_rhd.rhd"}
    assert sorted(set(summary) - set(ALL)) == sorted(broken)
    for name, file_name in broken.items():
        row = summary[name]
        assert (row["canary"], row["sort"], row["error_class"]) == ("blocked", "blocked", "input_invalid"), row
        assert file_name in row["message"], row
    # the full sort of a SpikeGLX probe reads the .bin in place and records what it sorted
    sort = read_json(tmp_path / "results" / "sorted" / f"{SPIKEGLX[1]}.sort.json")
    assert sort["num_channels"] == 16 and sort["sampling_frequency"] == 30000.0


# -- MaxWell's HDF5 plugin --------------------------------------------------------------------


def test_missing_hdf5_plugin_stops_the_run_at_preflight(tmp_path):
    rec_dir = tmp_path / "recordings"
    rec_dir.mkdir()
    acq.write_maxwell(rec_dir / "vendor.raw.h5", samples=30000, raw_filter=UNKNOWN_FILTER)
    write_config(tmp_path, recordings_dir=str(rec_dir), sorter=THRESHOLD)
    result = run_snakemake(tmp_path)
    assert result.returncode != 0
    verdict = read_json(tmp_path / "logs" / "preflight.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("environment", "hdf5_plugin_missing")
    assert str(UNKNOWN_FILTER) in verdict["message"] and "formats.hdf5_plugin_path is not set" in verdict["message"]
    row = read_summary(tmp_path)["vendor__well000"]
    assert row["canary"] == "blocked" and row["error_class"] == "hdf5_plugin_missing"


def test_missing_hdf5_plugin_blocks_the_canary_naming_the_file(tmp_path):
    """The job checks again before reading: a canary run without preflight gets the same verdict."""
    rec_dir = tmp_path / "recordings"
    rec_dir.mkdir()
    acq.write_maxwell(rec_dir / "vendor.raw.h5", samples=30000, raw_filter=UNKNOWN_FILTER)
    cfg = tmp_path / "cli.yaml"
    cfg.write_text(f"sorter: '{THRESHOLD}'\nscratch_dir: {tmp_path / 'scratch'}\npreflight: {{enabled: false}}\n")
    result = sortcanary("canary", str(rec_dir / "vendor.raw.h5"), "--config", str(cfg))
    assert result.returncode == 3, result.stderr[-2000:]
    record = json.loads(result.stdout)
    assert (record["verdict"], record["category"], record["error_class"]) == ("blocked", "environment",
                                                                               "hdf5_plugin_missing")
    assert "vendor.raw.h5" in record["message"] and str(UNKNOWN_FILTER) in record["message"]


def _hdf5plugin_dir() -> Path | None:
    spec = importlib.util.find_spec("hdf5plugin")  # located, not imported: importing registers its filters here
    return Path(spec.submodule_search_locations[0]) / "plugins" if spec else None


@pytest.mark.skipif(_hdf5plugin_dir() is None, reason="hdf5plugin (test extra) is not installed")
def test_hdf5_plugin_path_makes_compressed_data_readable(tmp_path):
    """A Blosc-compressed MaxWell file, unreadable with HDF5's default search path, is discovered,
    preflighted, canaried and sorted through formats.hdf5_plugin_path (hdf5plugin's plugin folder)."""
    plugins = _hdf5plugin_dir()
    rec_dir = tmp_path / "recordings"
    rec_dir.mkdir()
    writer = (f"import sys; sys.path.insert(0, {str(REPO / 'tests')!r}); import hdf5plugin, acquisition as acq; "
              f"from pathlib import Path; acq.write_maxwell(Path({str(rec_dir / 'blosc.raw.h5')!r}), "
              f"acq.ground_truth(12.0, 5, fs=20000.0), compression=dict(hdf5plugin.Blosc()))")
    subprocess.run([sys.executable, "-c", writer], check=True, capture_output=True)
    probe = ("from sortcanary.recordings.formats import hdf5; "
             f"print(hdf5.unavailable_filters([{BLOSC_FILTER}]), hdf5.unavailable_filters([{BLOSC_FILTER}], {str(plugins)!r}))")
    check = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert check.stdout.strip() == f"[{BLOSC_FILTER}] []"  # needs the plugin path here
    assert discover(rec_dir).recordings["blosc__well000"].hdf5["filters"] == [BLOSC_FILTER]
    # the full sort's analyzer reads the traces through the plugin as well; the canary's rehearsal of
    # it, the figures and the report add nothing format-specific (as in the every-format run above)
    write_config(tmp_path, recordings_dir=str(rec_dir), sorter=THRESHOLD, formats={"hdf5_plugin_path": str(plugins)},
                 canary={"window_s": 10, "exercise_outputs": False}, outputs={"figures": False, "report": False})
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_json(tmp_path / "results" / "preflight.json")["hdf5_filters"] == [BLOSC_FILTER]
    row = read_summary(tmp_path)["blosc__well000"]
    assert (row["canary"], row["sort"]) == ("pass", "done") and int(row["units"]) >= 1
    outputs = read_json(tmp_path / "results" / "sorted" / "blosc__well000" / "sort.json")["outputs"]
    assert "analyzer" in outputs["files"] and outputs["units_raw"] >= 1


# -- the CLI on a multi-probe session ---------------------------------------------------------


def test_cli_canary_chooses_a_stream_of_a_multi_probe_session(acq_set, tmp_path):
    session = acq_set.root / "mouse1_g0"
    ambiguous = sortcanary("canary", str(session))
    assert ambiguous.returncode == 2
    assert "'imec0.ap', 'imec1.ap'" in ambiguous.stderr and "--stream" in ambiguous.stderr
    cfg = tmp_path / "cli.yaml"
    cfg.write_text(f"sorter: '{THRESHOLD}'\nscratch_dir: {tmp_path / 'scratch'}\ncanary: {{window_s: 10}}\n")
    result = sortcanary("canary", str(session), "--stream", "imec1.ap", "--config", str(cfg))
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads(result.stdout)
    assert (record["recording"], record["verdict"]) == ("mouse1_g0__imec1.ap", "pass")


# -- one real Kilosort4 run -------------------------------------------------------------------


@pytest.mark.ks4
def test_kilosort4_sorts_a_spikeglx_probe(tmp_path):
    """Real Kilosort4 on a SpikeGLX probe, without what costs minutes and is tested elsewhere: its
    drift correction (nblocks: 0; test_outputs.py's run keeps it), the post-sort outputs (every
    format's: test_workflow_sorts_every_format_and_reports_corrupt_ones) and the canary (it sorts
    every format there, and with Kilosort4 in the shared run): the full sort is what is judged."""
    rec_dir = tmp_path / "recordings"
    acq.write_spikeglx(rec_dir, "np1", probes=1, duration_s=KS4_DURATION_S, lf=False, nidq=False)
    write_config(tmp_path, recordings_dir=str(rec_dir), sorter_params={"nblocks": 0}, torch_device="cpu",
                 canary={"window_s": 0}, outputs=OUTPUTS_OFF)
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert read_json(tmp_path / "results" / "canary" / "np1_g0__imec0.ap.json")["status"] == "disabled"
    sort = read_json(tmp_path / "results" / "sorted" / "np1_g0__imec0.ap" / "sort.json")
    assert sort["sorter"] == "kilosort4" and sort["units"] >= 1 and sort["duration_s"] == pytest.approx(KS4_DURATION_S)
    assert (tmp_path / "results" / "sorted" / "np1_g0__imec0.ap" / "sorter" / "sorter_output").is_dir()
