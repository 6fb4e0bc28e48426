"""units.nwb a lab can upload: checked by the real validator, with times and places from the data.

* The shared real Kilosort4 run (conftest.ks4_run, NWB with outputs.nwb_metadata set) is checked
  with nwbinspector's DANDI configuration, then organized into a local dandiset and checked with
  `dandi validate` itself (both offline); one of its recordings has metadata of its own (a
  `recordings:` override), laid over the config's in its file alone.
* One workflow run with the threshold test backend and no subject in the config: the preflight
  warning, a SpikeGLX recording whose session start is its .meta's fileCreateTime, and an NWB
  recording whose session, subject and electrodes are carried over.
* Each format's clock is read from small files written by tests/acquisition.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import acquisition as acq
from conftest import BIN, GT_NAME, HEALTHY_B_NWB, NWB_METADATA, job_env, read_json, run_snakemake, write_config

THRESHOLD = "backends:ThresholdSorter"
TINY = Path(__file__).resolve().parent / "data" / "tiny"  # a raw binary recording with its sidecar
GLX = "np1_g0__imec0.ap"
NWB_SOURCE = "session7__ElectricalSeries"
SOURCE_SUBJECT = {"subject_id": "rat-12", "species": "Rattus norvegicus", "sex": "M", "age": "P120D",
                  "description": "Long-Evans"}
# nwbinspector suggestions a correct sortcanary file may still get, and why:
EXPECTED_SUGGESTIONS = {
    # a quality metric that is NaN for every unit: presence_ratio uses 60 s bins (NaN on a 20 s
    # recording) and amplitude_cutoff is NaN below 500 spikes; the column is kept so every
    # recording's table has the same columns
    "check_col_not_nan",
}


def inspect(path: Path) -> list:
    from nwbinspector import inspect_nwbfile, load_config

    return list(inspect_nwbfile(nwbfile_path=str(path), config=load_config("dandi")))


def by_importance(messages) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in messages:
        found.setdefault(m.importance.name, []).append(f"{m.check_function_name}: {m.message[:200]}")
    return found


def dandi(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """The archive's own CLI (`dandi`, test extra), offline: no update check, logs under tmp_path."""
    env = job_env(DANDI_NO_ET="1", XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return subprocess.run([str(BIN / "dandi"), *args], capture_output=True, text=True, env=env, timeout=600)


def dandi_validate(nwb_path: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess, list[Path]]:
    """`dandi organize` the file into a minimal local dandiset, then `dandi validate` it."""
    dandiset = tmp_path / "dandiset"
    dandiset.mkdir()
    (dandiset / "dandiset.yaml").write_text("identifier: DANDI:000000\nname: sortcanary test\n"
                                             "description: units.nwb of a test sort\n")
    organized = dandi("organize", "-d", str(dandiset), "-f", "copy", str(nwb_path), tmp_path=tmp_path)
    assert organized.returncode == 0, organized.stderr[-2000:]
    return dandi("validate", str(dandiset), tmp_path=tmp_path), sorted(dandiset.rglob("*.nwb"))


def read_nwb(path: Path):
    from pynwb import NWBHDF5IO

    io = NWBHDF5IO(str(path), "r")
    return io, io.read()


# -- the real Kilosort4 export -----------------------------------------------------------------


@pytest.mark.ks4
def test_kilosort4_units_nwb_passes_nwbinspector_and_dandi_validate(ks4_run, tmp_path):
    workdir, result, _ = ks4_run
    path = workdir / "results" / "sorted" / GT_NAME / "units.nwb"
    assert path.is_file(), result.stderr[-3000:]
    found = by_importance(inspect(path))
    print("nwbinspector (dandi config) on the Kilosort4 units.nwb:", {k: len(v) for k, v in found.items()})
    for line in found.get("BEST_PRACTICE_SUGGESTION", []):
        print("  suggestion:", line)
    assert found.get("CRITICAL", []) == [] and found.get("BEST_PRACTICE_VIOLATION", []) == [], found
    assert {line.split(":")[0] for line in found.get("BEST_PRACTICE_SUGGESTION", [])} <= EXPECTED_SUGGESTIONS
    io, nwb = read_nwb(path)
    with io:
        subject = NWB_METADATA["subject"]
        assert (nwb.subject.subject_id, nwb.subject.species, nwb.subject.sex, nwb.subject.age) == (
            subject["subject_id"], subject["species"], subject["sex"], subject["age"])
        assert list(nwb.experimenter) == NWB_METADATA["experimenter"] and nwb.institution == "University of Testing"
        assert set(nwb.electrodes["location"][:]) == {"CA1"}  # the config's location: the SI folder names none
        fs = read_json(workdir / "results" / "sorted" / GT_NAME / "sort.json")["sampling_frequency"]
        assert nwb.units.resolution == pytest.approx(1 / fs) and len(nwb.units) >= 1
        assert nwb.session_id == GT_NAME and uuid.UUID(nwb.identifier)  # unique per file, as DANDI wants
        # a SpikeInterface folder has no acquisition clock: the file says its start is a modification time
        assert "modification time" in nwb.notes and "NOT the acquisition start" in nwb.notes
        assert nwb.units["waveform_mean"][0].max() < 1e-2  # volts, not microvolts
    validated, organized = dandi_validate(path, tmp_path)
    print("dandi validate:", validated.stdout.strip()[-1000:])
    assert validated.returncode == 0 and "No errors found" in validated.stdout, validated.stdout + validated.stderr
    assert [p.relative_to(tmp_path / "dandiset").as_posix() for p in organized] == [
        "sub-mouse-007/sub-mouse-007_ecephys.nwb"]


# -- one threshold-backend run: no subject, a SpikeGLX and an NWB recording ----------------------


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    """NWB export on, no subject in the config (timezone only); recordings: a SpikeGLX probe and an
    NWB file that carries its own Subject."""
    root = tmp_path_factory.mktemp("nwb_plain")
    recordings = root / "recordings"
    acq.write_spikeglx(recordings, "np1", probes=1, duration_s=12.0, lf=False, nidq=False)
    acq.write_nwb(recordings / "session7.nwb", {"ElectricalSeries": acq.ground_truth(12.0, 30)}, subject=SOURCE_SUBJECT)
    workdir = root / "wf"
    write_config(workdir, recordings_dir=str(recordings), sorter=THRESHOLD,
                 outputs={"exporters": {"nwb": True}, "figures": False, "report": False,
                          "nwb_metadata": {"timezone": "Europe/Berlin"}})
    result = run_snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir, recordings


def test_missing_subject_is_warned_once_at_preflight_and_the_export_still_runs(plain_run):
    workdir, _ = plain_run
    keys = [f"outputs.nwb_metadata.subject.{k}" for k in ("subject_id", "species", "sex", "age")]
    notice = read_json(workdir / "results" / "preflight.json")["nwb_not_dandi_ready"]
    assert notice["missing"] == keys
    assert "not be DANDI-ready" in notice["message"] and all(k in notice["message"] for k in keys)
    warnings = {str(p.relative_to(workdir / "logs")): [line for line in p.read_text().splitlines()
                                                         if " WARNING " in line and "DANDI-ready" in line]
                for p in (workdir / "logs").rglob("*.log")}
    assert {p: len(lines) for p, lines in warnings.items() if lines} == {"preflight.log": 1}  # once per run
    path = workdir / "results" / "sorted" / GLX / "units.nwb"
    assert path.is_file()
    # and the warning is true: DANDI's validation rejects the file for its missing Subject
    assert any(line.startswith("check_subject_exists") for line in by_importance(inspect(path))["CRITICAL"])


def test_spikeglx_units_nwb_starts_at_the_meta_file_create_time(plain_run):
    workdir, _ = plain_run
    io, nwb = read_nwb(workdir / "results" / "sorted" / GLX / "units.nwb")
    with io:
        # fileCreateTime=2024-05-01T10:00:00 (local, no zone) read in outputs.nwb_metadata.timezone
        assert nwb.session_start_time == datetime(2024, 5, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        assert nwb.session_start_time.utcoffset().total_seconds() == 2 * 3600  # CEST
        assert "SpikeGLX fileCreateTime in np1_g0_t0.imec0.ap.meta" in nwb.notes
        assert "modification time" not in nwb.notes
        assert nwb.units.resolution == pytest.approx(1 / acq.SPIKEGLX_FS)
        device = nwb.devices["probe"]  # from the probe's annotations (probeinterface reads the .meta)
        assert "NP1000" in device.description and device.serial_number == "186500001"


def test_nwb_recording_keeps_its_session_subject_and_electrodes(plain_run):
    workdir, recordings = plain_run
    src_io, source = read_nwb(recordings / "session7.nwb")
    io, nwb = read_nwb(workdir / "results" / "sorted" / NWB_SOURCE / "units.nwb")
    with src_io, io:
        assert nwb.session_start_time == source.session_start_time == acq.NWB_START
        assert {k: getattr(nwb.subject, k) for k in SOURCE_SUBJECT} == SOURCE_SUBJECT
        ours, theirs = nwb.electrodes.to_dataframe(), source.electrodes.to_dataframe()
        assert list(ours.index) == list(theirs.index)
        for column in ("location", "rel_x", "rel_y", "group_name"):
            assert list(ours[column]) == list(theirs[column]), column
        assert set(ours["location"]) == {"CA1"}
        assert nwb.identifier != source.identifier and "session7.nwb" in nwb.notes
        # each unit's electrode is a row of the series the recording came from
        rows = set(source.acquisition["ElectricalSeries"].electrodes.data[:])
        assert len(nwb.units) and set(nwb.units["electrodes"].target.data[:]) <= rows
    found = by_importance(inspect(workdir / "results" / "sorted" / NWB_SOURCE / "units.nwb"))
    assert not [line for line in found.get("CRITICAL", []) if line.startswith("check_subject")], found


# -- each format's clock, from metadata ---------------------------------------------------------


_OPENED: list[list[str]] = []  # while a test listens: the one list the audit hook appends to


def _audit(event, args):
    if event == "open" and _OPENED and isinstance(args[0], (str, bytes, Path)):
        _OPENED[0].append(str(args[0]))


def test_session_start_comes_from_each_formats_own_clock(tmp_path):
    """SpikeGLX, Open Ephys (sync_messages.txt, else settings.xml), NWB, MaxWell, Intan (file-name
    stamp); a raw binary has none: its mtime, said so. No trace file is opened."""
    from sortcanary.recordings import discover
    from sortcanary.recordings.session_start import session_start

    root = tmp_path / "recordings"
    acq.write_spikeglx(root, "glx", probes=1, duration_s=1.0, lf=False, nidq=False)
    epoch_ms = 1714557600123  # 2024-05-01T10:00:00.123Z
    _, oe = acq.write_openephys(root, "oe_sync", duration_s=1.0, software_time_ms=epoch_ms)
    acq.write_openephys(root, "oe_settings", duration_s=1.0)
    probe = acq.write_probe(next(iter(oe.values())), tmp_path / "probe16.json")
    acq.write_nwb(root / "nwbfile.nwb", {"ElectricalSeries": acq.ground_truth(1.0, 1)})
    acq.write_maxwell(root / "chip.raw.h5", samples=20000, start_time_ms=epoch_ms)
    acq.write_intan(root / "rat_240501_103000.rhd", blocks=100)
    acq.write_intan(root / "renamed.rhd", blocks=100)
    shutil.copytree(TINY, root, dirs_exist_ok=True)
    found = discover(root, {"probe": {"openephys": str(probe), "intan": str(probe)}})
    assert found.problems == []
    berlin = ZoneInfo("Europe/Berlin")
    utc_start = datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
    sys.addaudithook(_audit)
    _OPENED.append([])
    try:
        got = {name: session_start(entry, "Europe/Berlin") for name, entry in found.recordings.items()}
        opened = list(_OPENED[0])
    finally:
        _OPENED.clear()
    assert [p for p in opened if p.endswith((".bin", ".dat", ".npy"))] == []
    expected = {
        "glx_g0__imec0.ap": (datetime(2024, 5, 1, 10, 0, tzinfo=berlin), "SpikeGLX fileCreateTime"),
        "oe_sync__Acquisition_Board-100.Rhythm_Data": (utc_start, "Open Ephys Software Time"),
        "oe_settings__Acquisition_Board-100.Rhythm_Data": (datetime(2024, 5, 1, 10, 0, tzinfo=berlin),
                                                           "Open Ephys <INFO><DATE> in settings.xml"),
        "nwbfile__ElectricalSeries": (acq.NWB_START, "session_start_time of nwbfile.nwb"),
        "chip__well000": (utc_start, "MaxWell wells/well000/rec0000/start_time"),
        "rat_240501_103000": (datetime(2024, 5, 1, 10, 30, tzinfo=berlin), "Intan file-name stamp"),
    }
    for name, (when, source) in expected.items():
        assert got[name][0] == when and got[name][0].tzinfo is not None, (name, got[name])
        assert got[name][1].startswith(source), (name, got[name])
    for name in ("renamed", "tiny"):  # no clock in the file: the modification time, and it says so
        when, source = got[name]
        mtime = Path(found.recordings[name].input_files[0]).stat().st_mtime
        assert when == datetime.fromtimestamp(mtime, tz=timezone.utc) and source.startswith("modification time")
    with pytest.raises(ValueError, match=r"outputs\.nwb_metadata\.timezone 'Mars/Olympus'"):
        session_start(found.recordings["glx_g0__imec0.ap"], "Mars/Olympus")


# -- metadata and places ------------------------------------------------------------------------


def test_brain_area_comes_from_the_recording_then_the_probe_then_the_config():
    from probeinterface import generate_linear_probe
    from spikeinterface.core import generate_recording

    from sortcanary.products.nwb import brain_areas

    recording = generate_recording(num_channels=4, durations=[0.1], seed=0)
    assert brain_areas(recording, None) == ["unknown"] * 4
    assert brain_areas(recording, "VISp") == ["VISp"] * 4
    probe = generate_linear_probe(num_elec=4)
    probe.set_device_channel_indices(np.arange(4))
    probe.annotate(brain_area="CA3")
    probe.annotate_contacts(brain_area=np.array(["CA1", "", "unknown", "DG"]))
    recording.set_probe(probe)  # in place
    assert brain_areas(recording, "VISp") == ["CA1", "CA3", "CA3", "DG"]
    recording.set_property("brain_area", np.array(["", "LP", "", ""]))
    assert brain_areas(recording, "VISp") == ["CA1", "LP", "CA3", "DG"]


@pytest.mark.ks4
def test_a_recordings_override_gives_one_recording_its_own_metadata(ks4_run):
    """healthy_b's `recordings:` override (HEALTHY_B_NWB) is laid over outputs.nwb_metadata in its
    units.nwb alone: its subject keys and location replace the config's, the rest is kept."""
    workdir = ks4_run.workdir
    subject = {**NWB_METADATA["subject"], **HEALTHY_B_NWB["subject"]}
    io, nwb = read_nwb(workdir / "results" / "sorted" / "healthy_b" / "units.nwb")
    with io:
        assert {k: getattr(nwb.subject, k) for k in subject} == subject
        assert list(nwb.experimenter) == NWB_METADATA["experimenter"] and nwb.lab == NWB_METADATA["lab"]
        assert set(nwb.electrodes["location"][:]) == {HEALTHY_B_NWB["location"]}
    io, nwb = read_nwb(workdir / "results" / "sorted" / GT_NAME / "units.nwb")
    with io:
        assert nwb.subject.subject_id == NWB_METADATA["subject"]["subject_id"], "the other recordings keep the config's"
