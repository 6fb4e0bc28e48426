"""sortcanary's Python API (issue 18, item 5): a guarded ``run_sorter`` and ``canary`` for notebooks.

The real test is a plain script (tests/python_api_script.py), run as its own process, as a user
runs one, with the Python of the README's install in a clean virtual environment (conftest
.readme_install: so this run is also the test that the README's install sorts), from a working
directory of its own: real Kilosort4 on the CPU sorts a generated recording that is only lazily
bandpass-filtered, blocks a silent one held in memory with CanaryBlocked, and ``canary`` on the
shared workflow run's mostly dead probe (DEAD_NAME, blocked on its bad channels before Kilosort4
is imported) gives the verdict that run wrote. The script makes as few Kilosort4 runs as that
takes (the healthy canary and sort, the silent windows in memory); the fast tests below need no
sorter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import DEAD_NAME, SORT_ONLY, TESTS, job_env, read_json

SCRIPT = TESTS / "python_api_script.py"
# The script's healthy recording is 12 s; a 5 s canary window before its full sort (Kilosort4 finds
# its units in either; the shared run's canaries sort 6 s windows).
CONFIG = {**SORT_ONLY, "canary": {**SORT_ONLY["canary"], "window_s": 5.0}}
# The sorter's parameters, as a notebook passes them: no drift correction (`nblocks: 0`), for a 12 s
# generated recording has no drift to correct, and estimating it is a third of each sort's CPU here
# (the shared workflow run, conftest.ks4_run, keeps it, and its tests judge it).
PARAMS = {"torch_device": "cpu", "nblocks": 0}


@pytest.fixture(scope="module")
def api_run(ks4_run, readme_install, tmp_path_factory) -> dict:
    """What the script reports, plus where it worked; runs once for the module."""
    root = tmp_path_factory.mktemp("python-api")
    blocked = ks4_run.workdir.parent / "recordings" / DEAD_NAME
    out, notebook = root / "report.json", root / "notebook"  # the script runs elsewhere than its folders
    notebook.mkdir()
    result = subprocess.run([str(readme_install.python), str(SCRIPT), str(out), str(root / "work"), "kilosort4",
                             str(blocked), json.dumps(CONFIG), json.dumps(PARAMS)],
                            cwd=notebook, env=readme_install.env, capture_output=True, text=True, timeout=2400)
    assert result.returncode == 0, result.stderr[-4000:]
    return {**read_json(out), "work": root / "work", "stderr": result.stderr, "notebook": notebook}


def test_run_sorter_sorts_a_lazily_filtered_recording(api_run):
    healthy = api_run["healthy"]
    assert healthy["is_sorting"] and healthy["units"] > 0 and healthy["spikes"] > 0, healthy
    folder = api_run["work"] / "healthy"
    assert read_json(folder / "logs/canary/healthy.verdict.json")["verdict"] == "pass"
    assert read_json(folder / "results/sorted/healthy/sort.json")["units"] == healthy["units"]
    assert (folder / "recording" / "binary.json").is_file(), "a generated recording is saved for the sorter"
    assert "canary healthy" in api_run["stderr"] and "sort healthy" in api_run["stderr"], "no tqdm progress"
    # everything under the folder, nothing where the script runs: Kilosort4's kept defaults too
    assert sorted(p.name for p in api_run["notebook"].iterdir()) == []
    assert list((folder / ".sortcanary" / "sorter-defaults").glob("kilosort4-*.json"))
    assert read_json(folder / "logs/sort/healthy.progress.json")["forecast_s"] > 0
    # sorted by the README's install, nothing borrowed from the test environment
    versions = read_json(folder / "results/sorted/healthy/sort.json")["versions"]
    assert (versions["kilosort"], versions["spikeinterface"]) == ("4.1.7", "0.105.3") and "+cpu" in versions["torch"]


def test_run_sorter_raises_canary_blocked_on_a_silent_recording(api_run):
    blocked = api_run["silent_in_memory"]
    assert blocked["raised"] == "CanaryBlocked", blocked
    verdict = blocked["verdict"]
    assert verdict["category"] == "biological" and verdict["error_class"] and verdict["remediation"], verdict
    assert verdict["message"] in blocked["text"] and verdict["remediation"] in blocked["text"]
    assert not blocked["sorted"], "a blocked canary must not start the full sort"


def test_canary_returns_the_verdict_the_workflow_writes(api_run, ks4_run):
    ours = api_run["canary_on_disk"]
    theirs = read_json(ks4_run.workdir / "logs" / "canary" / f"{DEAD_NAME}.verdict.json")
    assert theirs["verdict"] == "blocked"
    for key in ("verdict", "category", "error_class", "policy", "remediation"):
        assert ours[key] == theirs[key], key
    assert [(w["start_s"], w["duration_s"], w["outcome"]) for w in ours["windows"]] == \
        [(w["start_s"], w["duration_s"], w["outcome"]) for w in theirs["windows"]]
    assert ours["source"] == "BinaryFolderRecording (recording.json)", "a file-backed recording is JSON"


def test_a_file_kilosort4_would_misread_in_the_full_sort_blocks_the_canary(api_run):
    """The window is read through SpikeInterface (which honours the header); the full sort would hand
    Kilosort4 the file by name, read from byte 0. The canary reads it Kilosort4's way and blocks."""
    verdict = api_run["canary_header"]
    assert (verdict["verdict"], verdict["error_class"]) == ("blocked", "input_invalid"), verdict
    assert "with_header.bin: Kilosort4 would read other samples" in verdict["message"]
    assert "start at byte 1024" in verdict["message"]
    assert "sorter_log" not in verdict["evidence"], "found before Kilosort4 sorted anything"


def test_a_recording_object_reaches_the_child_as_it_is(tmp_path):
    """A file-backed chain goes as JSON; a generated or in-memory one, which SpikeInterface's sorters
    refuse to take unsaved, as its traces saved into the job's folder; each reopens with its traces
    and probe."""
    import spikeinterface.core as sc
    import spikeinterface.preprocessing as spre

    from sortcanary.recordings import open_recording
    from sortcanary.recordings.formats import si_object

    generated, _ = sc.generate_ground_truth_recording(durations=[2.0], num_channels=4, num_units=2, seed=1)
    on_disk = generated.save(folder=tmp_path / "saved")
    in_memory = sc.NumpyRecording([generated.get_traces()], generated.sampling_frequency)
    in_memory.set_probegroup(generated.get_probegroup())
    for recording, name in ((spre.bandpass_filter(on_disk), "recording.json"),
                            (spre.bandpass_filter(generated), "recording"), (in_memory, "recording")):
        path = si_object.dump(recording, tmp_path / "job")
        assert path.name == name
        entry = si_object.entry_of(recording, path, "rec")
        reopened = open_recording(entry)
        assert entry.duration_s == pytest.approx(2.0) and entry.num_channels == 4
        assert np.allclose(reopened.get_traces(), recording.get_traces(), atol=0.05)  # saved in filtered chunks
        assert entry.input_files and all(Path(f).is_file() for f in entry.input_files)
        assert np.array_equal(reopened.get_channel_locations(), recording.get_channel_locations())
        assert reopened.has_probe()


ELSEWHERE = """
import sys
import spikeinterface.core as sc
import sortcanary
recording, _ = sc.generate_ground_truth_recording(durations=[4.0], num_channels=4, num_units=2, seed=0)
sortcanary.run_sorter("backends:RecordsDevice", recording, sys.argv[1], seconds=0.1, trace_file=sys.argv[2],
                      config={"gpus": [0], "canary": {"window_s": 1.0}})
"""


def test_everything_goes_under_the_folder_wherever_the_caller_runs(tmp_path):
    """A notebook's working directory is not the folder: the GPU slot's lock (a test backend given
    GPU 0 to pin) and the records the full sort reads (its forecast, from the canary's verdict)
    are the folder's, and nothing appears where the script runs."""
    notebook, folder = tmp_path / "notebook", tmp_path / "sorted" / "rec1"
    notebook.mkdir()
    result = subprocess.run([sys.executable, "-c", ELSEWHERE, str(folder), str(tmp_path / "trace.jsonl")],
                            cwd=notebook, env=job_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in notebook.iterdir()) == [], "nothing is written where the caller runs"
    assert (folder / ".sortcanary" / "gpu-slots" / "0.lock").is_file()
    assert [json.loads(line)["device"] for line in (tmp_path / "trace.jsonl").read_text().splitlines()] == ["0", "0"]
    assert read_json(folder / "logs" / "sort" / "rec1.progress.json")["forecast_s"] > 0, "the canary's record was read"


def test_run_sorter_keeps_an_existing_folder(tmp_path):
    import spikeinterface.core as sc

    import sortcanary

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("kept")
    recording = sc.generate_recording(num_channels=4, durations=[1.0])
    with pytest.raises(FileExistsError, match="remove_existing_folder=True"):
        sortcanary.run_sorter("kilosort4", recording, tmp_path / "out")
    assert (tmp_path / "out" / "mine.txt").read_text() == "kept"
