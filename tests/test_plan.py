"""The job plan: resolved once from the config, exactly what the child process reads.

The canary's plan differs from the full sort's only where the canary must (window, the sorter
overrides that make it judge the whole window, an inactivity bound sized for a window); the live
config is never mutated; a retry after a resource failure halves the batch; ``auto`` is resolved.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace

import pytest

from sortcanary.config import validate_config
from sortcanary.plan.sortplan import CanaryDisabled, SortPlan, plan_canary, plan_full_sort
from sortcanary.plan.windows import canary_window, confirmation_windows, sparse_window
from sortcanary.recordings import RecordingEntry, Window

ENTRY = RecordingEntry(name="rec", source="rec.bin", path="/data/rec.bin", format="binary", sampling_frequency=30000.0,
                       num_channels=32, dtype="<i2", duration_s=3600.0, input_files=("/data/rec.bin",))
THRESHOLD = "backends:ThresholdSorter"  # a sorter without torch_device or nskip (tests/backends.py)


def cpu(requested):
    return "cpu"


def config(**keys):
    return validate_config({"recordings_dir": "/d", **keys})


def test_the_canary_plan_is_derived_and_the_live_config_is_untouched():
    live = config(sorter_params={"batch_size": 30000}, canary={"window_s": 45})
    snapshot = copy.deepcopy(live)
    plan = plan_canary(live, ENTRY, device_of=cpu)
    assert live == snapshot, "the live config must never be mutated"
    assert plan.outputs == live["outputs"], "by default the canary exercises the full sort's outputs"
    assert plan.inactivity_timeout_s == 180 + 30 * 45 / 60  # base min(300, max(120, 4 x 45)) + per_min_s x window
    assert plan.sorter == live["sorter"] and plan.sorter_params["batch_size"] == 30000
    plan.sorter_params["batch_size"] = 1
    assert live["sorter_params"]["batch_size"] == 30000, "the plan's parameters must be a deep copy"


@pytest.mark.parametrize("window, base", [(10, 120), (30, 120), (45, 180), (75, 300), (600, 300)])
def test_canary_inactivity_base(window, base):
    plan = plan_canary(config(sorter=THRESHOLD, canary={"window_s": window}), ENTRY)
    assert plan.inactivity_timeout_s == base + 30 * window / 60


@pytest.mark.parametrize("window_s", [0, math.nan])
def test_nan_or_zero_window_disables_the_canary(window_s):
    plan = plan_canary(config(sorter=THRESHOLD, canary={"window_s": window_s}), ENTRY)
    assert isinstance(plan, CanaryDisabled) and plan.reason.startswith("canary.window_s=")


def test_window_is_clamped_to_a_short_recording():
    assert canary_window(30, 3600.0) == Window(0.0, 30.0, clamped=False)
    assert canary_window(30, 12.5) == Window(0.0, 12.5, clamped=True)


def test_window_frames_never_run_past_the_recording():
    assert Window(0.0, 30.0).frames(30000.0, 10 * 30000) == (0, 300000)
    assert Window(0.0, 2.0).frames(30000.0, 10 * 30000) == (0, 60000)


def test_inactivity_timeout_grows_with_duration_up_to_the_cap():
    cfg = config(sorter=THRESHOLD)
    timeouts = [plan_full_sort(cfg, RecordingEntry(**{**ENTRY.as_dict(), "duration_s": d})).inactivity_timeout_s
                for d in (60, 3 * 3600, 24 * 3600)]
    assert timeouts == [630, 6000, 7200]


def test_confirmation_windows_spread_over_the_recording():
    assert confirmation_windows(30, 3600, 2) == (Window(1800.0, 30.0), Window(2700.0, 30.0))
    assert confirmation_windows(30, 3600, 0) == ()
    # too short for both: windows that would overlap the previous one are skipped
    assert confirmation_windows(10, 20, 2) == (Window(10.0, 10.0),)
    assert confirmation_windows(10, 12, 2) == ()


def test_every_canary_window_holds_more_than_one_of_the_sorters_batches():
    """Kilosort4 whitens over every batch but the last: a window of one batch fails whatever the
    recording holds, and the classifier calls that failure a batch_size beyond the data."""
    plan = plan_canary(config(canary={"window_s": 1}), ENTRY, device_of=cpu)  # batch_size 60000 at 30 kHz: 2 s
    assert plan.window == Window(0.0, 3.0) and plan.sparse_window == Window(0.0, 12.0)
    assert plan_canary(config(canary={"window_s": 1}, sorter_params={"batch_size": 90000}), ENTRY,
                       device_of=cpu).window == Window(0.0, 4.5), "the configured batch_size, not the default's"
    assert plan_canary(config(canary={"window_s": 10}), ENTRY, device_of=cpu).window == Window(0.0, 10.0)
    assert plan_canary(config(sorter=THRESHOLD, canary={"window_s": 1}), ENTRY).window == Window(0.0, 1.0), \
        "a sorter without batches keeps the window asked for"
    # a confirmation window the recording's end would cut below that is not sorted
    assert confirmation_windows(3, 10, 3) == (Window(5.0, 3.0), Window(8.75, 1.25, clamped=True))
    assert confirmation_windows(3, 10, 3, shortest_s=2.0) == (Window(5.0, 3.0),)
    short = replace(ENTRY, duration_s=10.0)
    assert plan_canary(config(canary={"window_s": 3}), short, device_of=cpu).confirm_windows == (Window(5.0, 3.0),)


def test_canary_judges_the_whole_window_where_the_sorter_allows_it():
    live = config(sorter_params={"nskip": 25})
    assert plan_canary(live, ENTRY, device_of=cpu).sorter_params["nskip"] == 1
    assert plan_full_sort(live, ENTRY, device_of=cpu).sorter_params["nskip"] == 25, "the full sort keeps the user's setting"
    assert "nskip" not in plan_canary(config(sorter=THRESHOLD), ENTRY).sorter_params


def test_canary_can_skip_the_outputs():
    live = config(canary={"exercise_outputs": False})
    off = plan_canary(live, ENTRY, device_of=cpu).outputs
    assert off["figures"] is False and off["report"] is False and off["curation"]["enabled"] is False
    assert not any(off["exporters"].values())
    assert live["outputs"]["figures"] is True


def test_a_retry_halves_the_batch_and_auto_is_resolved_once():
    asked = []

    def device(requested):
        asked.append(requested)
        return "cpu"

    cfg = config(sorter_params={"batch_size": 60000})
    assert plan_full_sort(cfg, ENTRY, 1, device_of=device).sorter_params == {"batch_size": 60000, "torch_device": "cpu"}
    assert plan_full_sort(cfg, ENTRY, 3, device_of=device).sorter_params["batch_size"] == 15000
    assert asked == ["auto", "auto"], "auto is resolved where the plan is built"
    explicit = plan_full_sort(config(torch_device="cuda"), ENTRY, device_of=device)
    assert explicit.torch_device == "cuda" and len(asked) == 2, "an explicit device goes to the sorter as asked"


def test_the_sparse_window_is_four_leading_windows_from_the_start():
    assert sparse_window(30, 3600) == Window(0.0, 120.0)
    assert sparse_window(30, 60) == Window(0.0, 60.0, clamped=True), "all of a recording shorter than that"
    assert sparse_window(30, 30) is None, "the leading window already held the whole recording"
    plan = plan_canary(config(), ENTRY, device_of=cpu)
    assert plan.sparse_window == Window(0.0, 120.0)
    assert plan.sparse_timeout_s == 300 + 30 * 120 / 60 > plan.inactivity_timeout_s, "sized for its length"
    assert plan.on(plan.sparse_window, plan.sparse_timeout_s).inactivity_timeout_s == plan.sparse_timeout_s


def test_the_plan_round_trips_through_json_exactly():
    plan = plan_canary(config(canary={"window_s": 20, "confirm_windows": 2}), ENTRY, device_of=cpu)
    assert SortPlan.from_dict(json.loads(json.dumps(plan.as_dict()))) == plan
    assert plan.on(plan.confirm_windows[0]).window == Window(1800.0, 20.0)


def test_auto_beside_a_visible_gpu_that_torch_cannot_use_is_an_environment_verdict(tmp_path):
    """A CPU-only torch (this machine's) with NVIDIA device nodes present: auto must not quietly mean cpu."""
    import torch

    from sortcanary.checks.device import resolve_torch_device
    from sortcanary.taxonomy import SortFailure

    if torch.cuda.is_available():
        pytest.skip("torch can use a GPU here; the failure can't be staged")
    (tmp_path / "nvidia0").touch()
    (tmp_path / "nvidiactl").touch()  # the control node is not a GPU
    nodes = str(tmp_path / "nvidia[0-9]*")
    with pytest.raises(SortFailure) as err:
        resolve_torch_device("auto", device_nodes=nodes)
    verdict = err.value.verdict
    assert (verdict.category, verdict.error_class, verdict.policy) == ("environment", "gpu_unused", "block_run")
    assert verdict.evidence["gpus"] == [str(tmp_path / "nvidia0")] and "torch_device: cpu" in verdict.remediation
    assert resolve_torch_device("cpu", device_nodes=nodes) == "cpu", "an explicit cpu sorts on the CPU on purpose"
    assert resolve_torch_device("auto", device_nodes=str(tmp_path / "none[0-9]*")) == "cpu", "no GPU: cpu"


def test_on_a_gpu_cuda_is_resolved_with_a_real_kernel_and_auto_pins_the_visible_ids():
    """The CUDA branch of checks.device and plan.gpus, which only a machine with a GPU torch can use
    reaches: bench/gpu_check.sh runs this test there and fails if it was skipped."""
    import torch

    from sortcanary.checks.device import resolve_torch_device, visible_gpus
    from sortcanary.plan.gpus import resolve_gpu_ids

    if not torch.cuda.is_available():
        pytest.skip("no GPU torch can use here; bench/gpu_check.sh runs this on a GPU machine")
    assert resolve_torch_device("cuda") == "cuda"  # after a kernel launch on the device
    assert resolve_torch_device("auto") == "cuda"
    gpus = visible_gpus()
    assert gpus, "torch uses a GPU, so the machine shows one (device nodes or nvidia-smi -L)"
    assert resolve_gpu_ids("auto", "cuda", environ={}) == tuple(str(i) for i in range(len(gpus)))
    assert resolve_gpu_ids("auto", "cuda", environ={"CUDA_VISIBLE_DEVICES": "0"}) == ("0",)
    assert resolve_gpu_ids("auto", "cuda", environ={"SLURM_JOB_ID": "7"}) == (), "the scheduler's choice stands"


def test_a_sorters_defaults_are_listed_once_per_installed_version(tmp_path, monkeypatch):
    """Listing Kilosort4's defaults imports it (seconds: torch, faiss); a job's plan reads the list
    kept for the installed version instead, while preflight's check still imports the sorter."""
    import subprocess
    import sys

    from sortcanary import layout
    from sortcanary.plan.sorters import resolve_backend

    monkeypatch.chdir(tmp_path)
    backend = resolve_backend("kilosort4")
    listed = backend.default_params()
    (kept,) = (tmp_path / layout.SORTER_DEFAULTS).parent.glob("kilosort4-*.json")
    assert json.loads(kept.read_text()) == listed and "batch_size" in listed
    probe = ("import sys; from sortcanary.plan.sorters import resolve_backend; "
             "print(sorted(resolve_backend('kilosort4').default_params())[0], 'kilosort' in sys.modules)")
    kept.write_text(json.dumps({"0_kept": 1, **listed}))
    read = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert read.stdout.split() == ["0_kept", "False"], "the kept list is read, the sorter not imported"
    backend.check_installed()  # imports the sorter, and keeps what it lists
    assert json.loads(kept.read_text()) == listed
