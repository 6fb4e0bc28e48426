"""Shared test fixtures: small real recordings and a real `snakemake` runner.

Everything runs for real: recordings come from SpikeInterface's ground-truth generator, the
workflow runs through the `snakemake` CLI in a temp working directory, and Kilosort4 runs on the
CPU. Test-only sorter backends (tests/backends.py) are registered the way users register theirs:
by import path in the config's `sorter` key.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

# Small enough for 2 CPU cores, long enough for KS4 to find units: 20 s x 16 channels at 25 kHz.
DEMO_DURATION_S = 20.0
DEMO_CHANNELS = 16
CANARY_WINDOW_S = 10.0
# The shared Kilosort4 run's own ground-truth and silent recordings, and its canaries' window: shorter
# than the demo's, as each second costs every Kilosort4 run of them. The silent one is no longer than
# the window, so that its canary sorts it once, whole: a longer one is confirmed on further windows
# before it is blocked, each a Kilosort4 start of its own (test_canary.py judges that, on a test backend).
KS4_RUN_S = 12.0
KS4_WINDOW_S = 6.0
SILENT_S = KS4_WINDOW_S
# The ground-truth recording beside the demo's in the shared Kilosort4 run (its true sorting kept aside).
GT_NAME = "gt"
GT_UNITS = 5
# The shared run's recipes (config `recordings` overrides): the ground truth is sorted through the
# Neuropixels preset, healthy_b's motion is estimated by SpikeInterface, and two recordings are
# blocked by their canaries before any sorter starts: NYQUIST_NAME (the ground truth again, with a
# band-pass above its Nyquist frequency) and DEAD_NAME (DEAD_CHANNELS of its channels constant).
NYQUIST_NAME = "nyquist"
DEAD_NAME = "dead"
DEAD_CHANNELS = 12
RECIPES = {GT_NAME: {"preprocessing": "neuropixels"},
           "healthy_b": {"motion": "compute", "motion_preset": "rigid_fast"},
           NYQUIST_NAME: {"preprocessing": [{"name": "bandpass_filter", "params": {"freq_min": 300, "freq_max": 20000}}]}}
# A two-shank probe (2 x 8 channels) recorded in two runs (a two-segment SpikeInterface folder),
# sorted per shank with its runs joined (`split_by: group` and `join: runs` through a `recordings:`
# override, with a canary window of 4 s across the join): two canaries and two sorts,
# SHANKS_NAME__g0 and __g1, each split back per run. The true sorting per run is kept aside
# (SHANKS_TRUTH, beside the run's workdir). Kept short: each group costs the run two Kilosort4 starts.
SHANKS_NAME = "shanks"
SHANKS_RUNS_S = (5.0, 5.0)
SHANKS_TRUTH = "shanks_truth"
RECIPES[SHANKS_NAME] = {"split_by": "group", "join": "runs", "canary": {"window_s": 4.0}}
# A run whose outputs aren't what a test judges: sort only, no canary rehearsal of the outputs (the
# post-sort step costs more than a test backend's sort; test_outputs.py judges it on the shared run).
OUTPUTS_OFF = {"curation": {"enabled": False}, "exporters": {"units_npz": False, "nwb": False},
               "figures": False, "report": False}
SORT_ONLY = {"canary": {"window_s": CANARY_WINDOW_S, "exercise_outputs": False}, "outputs": OUTPUTS_OFF}


# pytest-xdist hands out work by group: each test module is one, except that the modules whose
# tests use the shared Kilosort4 run (``ks4_run``) form one group together, so that the run is made
# once, on one worker. (xdist's own ``--dist loadgroup`` marks don't take effect with pytest 9.)
KS4_RUN_MODULES = ("test_workflow.py", "test_outputs.py", "test_nwb.py", "test_progress.py", "test_python_api.py",
                   "test_recipe.py", "test_probe_groups.py",
                   "test_joined_runs.py")
# The longest groups first, so that the two workers finish together (the SLURM run, which mostly
# waits on the queue, beside the Kilosort4 run, which sorts two recordings at a time).
FIRST_GROUPS = ("ks4_run", "tests/test_slurm.py", "tests/test_formats.py", "tests/test_robustness.py",
                "tests/test_failures.py")


def xdist_group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return "ks4_run" if Path(module).name in KS4_RUN_MODULES else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Whole groups (xdist_group) to one worker each, in the order collected."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid)

    config.option.loadscopereorder = False  # else xdist hands out the groups with the most tests first
    return GroupScheduling(config, log)


def pytest_collection_modifyitems(items):
    """FIRST_GROUPS first; and a test that uses ``ks4_run`` outside KS4_RUN_MODULES is an error
    (on another worker it would make the run a second time)."""
    strays = sorted({item.path.name for item in items
                     if "ks4_run" in item.fixturenames and item.path.name not in KS4_RUN_MODULES})
    if strays:
        raise pytest.UsageError(f"tests/conftest.py: add {', '.join(strays)} to KS4_RUN_MODULES (they use ks4_run)")
    rank = {group: i for i, group in enumerate(FIRST_GROUPS)}
    items.sort(key=lambda item: rank.get(xdist_group(item.nodeid), len(rank)))


# One OpenMP/BLAS thread for what the tests start outside a workflow job (the CLI's canary, the
# Python API's script; a job's threads come from its config, see write_config): two workers share
# two cores, and torch's threads spin while they wait for a core.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Every process the suite starts (a few hundred: Snakemake, its job scripts, the sorters' children)
# imports this package from its source folder (an editable install), and tests/backends.py: where the
# machine sets PYTHONDONTWRITEBYTECODE (some build machines do), none would keep what it compiled, and
# each would compile them all anew (0.05-0.1 s of CPU each). Their bytecode goes to __pycache__ beside
# them (ignored by git; what pip installed into .venv has its bytecode already). The README's install
# (readme_install), made without bytecode, needs it most: Kilosort4's import took 10 s there, not 5.5.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# Children of in-process calls (the sorter's child process) must find tests/backends.py as well.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(scope="session", autouse=True)
def _subprocess_tmpdir(tmp_path_factory):
    """The temporary folders of what the tests start (`sortcanary canary` keeps its job folder for
    its logs, as does the Python API's ``canary`` without a folder) go under pytest's own base
    folder, which pytest prunes, not into the system's /tmp. (The tests' own process keeps /tmp:
    tempfile has read it already, and two tests need a folder an unprivileged user can reach.)
    So does numba's cache of what the sorters compile (sortcanary.plan.numba_cache), which would
    otherwise go into the virtual environment beside the sorter's source: one per worker, shared
    by its Kilosort4 runs."""
    os.environ["TMPDIR"] = str(tmp_path_factory.mktemp("tmp"))
    os.environ["NUMBA_CACHE_DIR"] = str(tmp_path_factory.mktemp("numba-cache"))


def job_env(**extra) -> dict:
    """The environment for workflow/CLI subprocesses: test backends importable."""
    env = dict(os.environ)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """Two healthy recordings (SpikeInterface folder + raw binary) and a silent one. Read-only."""
    from sortcanary.demo import write_demo

    folder = tmp_path_factory.mktemp("demo") / "recordings"
    write_demo(folder, duration_s=DEMO_DURATION_S, num_channels=DEMO_CHANNELS, seed=0)
    return folder


def build_wheel(dest: Path) -> Path:
    """A wheel built from a copy of the repository's files (the symlinks in src/sortcanary/share too)."""
    import shutil

    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    tree = dest / "tree"
    for name in filter(None, listed):
        source, target = REPO / name, tree / name
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", str(tree), "-w", str(dest / "dist")], check=True, timeout=300)
    return next((dest / "dist").glob("sortcanary-*.whl"))


class CleanInstall(NamedTuple):
    """A virtual environment holding what the README's Install gives, and nothing else."""

    python: Path
    env: dict  # its bin/ first on PATH; no PYTHONPATH: nothing of this environment leaks in


@pytest.fixture(scope="session")
def readme_install(tmp_path_factory) -> CleanInstall:
    """The README's install on a machine without a GPU, into a clean virtual environment outside the
    repository: torch first (pip's own configuration resolves the pin to the CPU build here, as the
    README takes it from PyTorch's CPU index), then the built wheel, both with constraints.txt and
    no extras. Used by the Python API's Kilosort4 run (test_python_api.py), which thereby sorts with
    exactly that install: a dependency the sort path needs and the package doesn't declare (the
    test extras would have brought it) fails there."""
    root = tmp_path_factory.mktemp("readme-install")
    wheel = build_wheel(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    # --no-compile: what is installed is the same; modules are compiled as they are first imported
    # instead of all of them at install (torch's thousands: 56 s of the install became 23 s)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
           "--no-compile", "-c", str(REPO / "constraints.txt")]
    for what in ("torch", str(wheel)):
        done = subprocess.run([*pip, what], capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
    # (PYTHONDONTWRITEBYTECODE is gone from os.environ already: see the top of this module)
    hidden = ("PYTHONPATH", "SNAKEMAKE_PROFILE", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return CleanInstall(venv / "bin" / "python", env)


# What a lab sets for DANDI (outputs.nwb_metadata); the shared Kilosort4 run exports NWB with it.
NWB_METADATA = {
    "subject": {"subject_id": "mouse-007", "species": "Mus musculus", "sex": "F", "age": "P90D",
                "description": "C57BL/6J, head-fixed, chronic implant"},
    "experimenter": ["Doe, Jane"],
    "institution": "University of Testing",
    "lab": "Canary Lab",
    "experiment_description": "Spontaneous activity in dorsal CA1 (generated ground-truth recording).",
    "keywords": ["extracellular electrophysiology", "spike sorting"],
    "location": "CA1",
    "timezone": "Europe/Berlin",
}
# One recording's own metadata (a `recordings:` override), laid over NWB_METADATA for it alone.
HEALTHY_B_NWB = {"subject": {"subject_id": "mouse-008", "age": "P120D"}, "location": "VISp"}


class WorkflowRun(NamedTuple):
    """What ``ks4_run`` leaves: the workflow's working directory, the snakemake call, the truth."""

    workdir: Path
    result: subprocess.CompletedProcess
    truth: object  # the ground-truth sorting of GT_NAME (a SpikeInterface sorting)


@pytest.fixture(scope="session")
def ks4_run(demo_dir, tmp_path_factory) -> WorkflowRun:
    """The suite's one real Kilosort4 workflow run, shared by test_workflow.py, test_outputs.py,
    test_nwb.py and test_progress.py.

    Recordings: GT_NAME, a ground-truth SpikeInterface folder whose true sorting is kept aside,
    the demo's healthy_b (raw binary), and a silent one (raw binary; its canary blocks it), the
    ground truth KS4_RUN_S long, the silent one SILENT_S, each canary's window KS4_WINDOW_S. The demo's healthy_a
    is left out: it is a SpikeInterface folder too, and its canary and sort would add a fifth of
    the run. Their recipes are RECIPES; NYQUIST_NAME and DEAD_NAME are blocked in seconds, before
    their canaries start a sorter. Every output of the full sorts on, NWB included, with NWB_METADATA
    (test_nwb.py validates it) and healthy_b's own HEALTHY_B_NWB over it (a `recordings:` override);
    the canaries don't rehearse them (test_canary.py covers that, on a test backend). SHANKS_NAME, a
    two-shank probe in two runs, rides along: split by group (test_probe_groups.py), each group's
    runs joined and sorted once (test_joined_runs.py). A progress
    line every 2 s, watched from outside while healthy_b's full sort runs (``MID_RUN``).
    A KS4 run costs minutes on 2 cores, so the suite makes it once. Read-only: a test that runs
    Snakemake again copies ``workdir`` first. ``result.stderr`` is the whole console, in order.
    """
    from sortcanary.demo import ground_truth, silent, write_binary_with_sidecar

    root = tmp_path_factory.mktemp("ks4-run")
    recordings = root / "recordings"
    recordings.mkdir()
    for path in demo_dir.glob("healthy_b*"):
        (recordings / path.name).symlink_to(path)
    recording, truth = ground_truth(KS4_RUN_S, DEMO_CHANNELS, GT_UNITS, seed=0)
    write_binary_with_sidecar(silent(SILENT_S, DEMO_CHANNELS, seed=2, like=recording), recordings, "silent")
    recording.save(folder=recordings / GT_NAME)
    (recordings / NYQUIST_NAME).symlink_to(recordings / GT_NAME)
    dead_channels(recording.frame_slice(0, int(4 * recording.sampling_frequency)), DEAD_CHANNELS).save(
        folder=recordings / DEAD_NAME)
    truth = truth.save(folder=root / "ground_truth")
    shanks, shanks_truth = two_shank_recording(list(SHANKS_RUNS_S), seed=3)
    shanks.save(folder=recordings / SHANKS_NAME)
    shanks_truth.save(folder=root / SHANKS_TRUTH)
    workdir = root / "wf"
    write_config(workdir, recordings_dir=str(recordings), torch_device="cpu", progress={"interval_s": 2},
                 canary={"window_s": KS4_WINDOW_S, "exercise_outputs": False},
                 outputs={"exporters": {"nwb": True}, "nwb_metadata": NWB_METADATA},
                 recordings={**RECIPES, "healthy_b": {**RECIPES["healthy_b"], "nwb_metadata": HEALTHY_B_NWB}})
    return WorkflowRun(workdir, run_watched(workdir, "healthy_b", root / MID_RUN), truth)


def two_shank_recording(duration_s: float | list[float], seed: int):
    """A generated ground-truth recording on a two-shank probe, 8 contacts per shank 300 um apart
    (int16, as the demo's; a list of durations: one segment each), and its true sorting."""
    import numpy as np
    import probeinterface

    from sortcanary.demo import ground_truth

    probe = probeinterface.generate_multi_shank(num_shank=2, shank_pitch=[300, 0], num_columns=2,
                                                num_contact_per_column=4, xpitch=20, ypitch=20)
    probe.set_device_channel_indices(np.arange(probe.get_contact_count()))
    return ground_truth(duration_s, 16, 8, seed, probe=probe)


def dead_channels(recording, count: int):
    """``recording`` in memory with its first ``count`` channels constant at zero (a dead shank)."""
    from spikeinterface.core import NumpyRecording

    traces = recording.get_traces()
    traces[:, :count] = 0
    dead = NumpyRecording([traces], sampling_frequency=recording.sampling_frequency, channel_ids=recording.channel_ids)
    dead.set_probegroup(recording.get_probegroup())
    dead.set_channel_gains(recording.get_channel_gains())
    dead.set_channel_offsets(recording.get_channel_offsets())
    return dead


# What run_watched saw from outside while the watched full sort ran (JSON beside the run's workdir).
MID_RUN = "mid_run.json"


def run_watched(workdir: Path, recording: str, seen_path: Path, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run the workflow as run_snakemake does, its console (stdout and stderr, interleaved as a
    terminal shows them) in ``result.stderr``; once ``recording``'s full sort reports a percent,
    record what a user would see then: its progress state, the rows the finished jobs kept and
    which summary files exist (before anything but the jobs wrote), `sortcanary status` and the
    summary it wrote, and two redraws of `sortcanary status --watch 1` (written to ``seen_path``)."""
    from sortcanary import layout

    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "workflow" / "Snakefile"), "--directory", str(workdir),
           "--workflow-profile", str(REPO / "profiles" / "default"), "--cores", "2",
           # two sorters at once, one thread each (write_config): without a `gpu` resource of its
           # own, a CPU-only run sorts one recording at a time (every core to one Kilosort4)
           "--resources", "gpu=2"]
    progress_file = workdir / layout.SORT_PROGRESS.format(recording=recording)
    console, seen = workdir.parent / "console.txt", {}
    with open(console, "w") as out:
        run = subprocess.Popen(cmd, cwd=workdir, env=job_env(), stdout=out, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while run.poll() is None and not seen and time.monotonic() < deadline:
                time.sleep(1)
                state = read_json_quietly(progress_file)
                if state.get("percent") is not None and state.get("stage") not in (None, "starting", "loading"):
                    rows = workdir / layout.SUMMARY_ROW.format(recording="*")
                    seen = {"progress": state,
                            "rows_mid_run": {p.name[:-len(".json")]: read_json_quietly(p).get("row")
                                             for p in rows.parent.glob(rows.name)},
                            "summary_files_mid_run": sorted(p.name for p in (workdir / "results").glob("summary.*")),
                            "status": sortcanary("status", str(workdir / "results")).stdout,
                            "summary_after_status": read_text_quietly(workdir / layout.SUMMARY_TSV),
                            "summary_files_after_status": sorted(p.name for p in
                                                                 (workdir / "results").glob("summary.*")),
                            "watch": watch_for(workdir, seconds=4)}
            run.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if run.poll() is None:  # stop snakemake and its jobs, whatever failed above
                os.killpg(run.pid, signal.SIGTERM)
                run.wait(timeout=60)
    seen_path.write_text(json.dumps(seen))
    return subprocess.CompletedProcess(cmd, run.returncode, "", console.read_text())


def read_text_quietly(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def read_json_quietly(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def watch_for(workdir: Path, seconds: float) -> str:
    """`sortcanary status --watch 1` for ``seconds``, then Ctrl-C: what the terminal received.
    (SIGINT is restored for it: a test run in the background may have inherited it ignored.)"""
    watch = subprocess.Popen([str(BIN / "sortcanary"), "status", str(workdir / "results"), "--watch", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=job_env(),
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509 -- only resets a signal
    time.sleep(seconds)
    watch.send_signal(signal.SIGINT)
    out, _ = watch.communicate(timeout=60)
    return out


def small_recordings(folder: Path, names, duration_s: float = 4.0) -> Path:
    """Tiny generated SpikeInterface folders (4 channels at 25 kHz): enough for the threshold sorter."""
    from spikeinterface.core import generate_recording

    for seed, name in enumerate(names):
        recording = generate_recording(num_channels=4, durations=[duration_s], sampling_frequency=25_000.0, seed=seed)
        recording.save(folder=folder / name)
    return folder


def write_config(workdir: Path, **config) -> Path:
    """The test's config.yaml. Sorters get one thread unless a test says otherwise (``threads=None``
    is the default, every core): the suite runs two workers on two cores, and two torch threads per
    sorter there spin against the other worker's processes (a Kilosort4 run's CPU time doubled)."""
    cfg = {"scratch_dir": "scratch", "canary": {"window_s": CANARY_WINDOW_S}, "threads": 1, **config}
    path = workdir / "config" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(cfg))
    return path


def run_snakemake(workdir: Path, *args: str, timeout: float = 900, env: dict | None = None,
                  profile: str | None = "default") -> subprocess.CompletedProcess:
    """Run the real snakemake CLI on the repo's workflow in ``workdir`` (config/config.yaml there)."""
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "workflow" / "Snakefile"), "--directory", str(workdir)]
    if profile:
        cmd += ["--workflow-profile", str(REPO / "profiles" / profile)]
    else:
        cmd += ["--workflow-profile", "none"]
    if not any(a.startswith(("--cores", "--executor")) or a == "-c" for a in args):
        cmd += ["--cores", "2"]
    cmd += list(args)  # last, so callers may end with "--" and targets
    return subprocess.run(cmd, cwd=workdir, env=env or job_env(), capture_output=True, text=True, timeout=timeout)


def read_summary(workdir: Path) -> dict[str, dict]:
    lines = (workdir / "results" / "summary.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    return {row.split("\t")[0]: dict(zip(header, row.split("\t"), strict=True)) for row in lines[1:]}


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def sortcanary(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 600,
               cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sortcanary"), *args], input=stdin, capture_output=True, text=True,
                          env=env or job_env(), timeout=timeout, cwd=cwd)


def chromium_dom(page: Path, script: str, tmp_path: Path) -> str:
    """Open a copy of ``page`` with ``script`` added at the end of its body in headless Chromium
    (the copy sits beside the page, so relative paths resolve) and return the DOM it left. Skips
    without Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("headless Chromium is not installed: run `make system-deps` as root")
    probe = page.with_name(f".check-{page.name}")
    probe.write_text(page.read_text().replace("</body>", script + "</body>"))
    try:
        return subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'chr'}",
             "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
            capture_output=True, text=True, timeout=120,
        ).stdout
    finally:
        probe.unlink()


def dom_json(dom: str, element_id: str):
    """The JSON a check script left as the text of ``<pre id=element_id>``."""
    import html

    start = dom.find(f'<pre id="{element_id}">')
    assert start >= 0, f"the check script did not run: {dom[-500:]}"
    return json.loads(html.unescape(dom[start + len(f'<pre id="{element_id}">'): dom.index("</pre>", start)]))


def evidence_paths(record: dict) -> set[str]:
    """Every file path a verdict record names: in its evidence (values, lists, texts) and its message."""
    import re

    texts: list[str] = [record.get("message", "")]
    pending = list((record.get("evidence") or {}).items())
    while pending:
        key, value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.items())
        elif isinstance(value, list):
            pending.extend((key, v) for v in value)
        elif isinstance(value, str):  # a log tail starts mid-line: its first line may be a cut path
            texts.append(value.partition("\n")[2] if str(key).endswith("_tail") else value)
    found = set()
    for text in texts:
        found |= set(re.findall(r"(?<![\w./-])((?:/|(?:logs|scratch|results)/)[^\s'\"(),;:]+\.[A-Za-z]{2,4})\b", text))
    return found
