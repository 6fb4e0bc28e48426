"""What every benchmark shares: measured runs, interleaving, recordings, the workflow CLI, results.

The machine these run on is shared and noisy, so a benchmark never trusts an absolute time: it
measures a *ratio inside one run*, with the two sides interleaved (ABBA order, so a slow drift of
the background load hits both sides alike), several repeats, and medians. Absolute seconds and the
load average are recorded as context only.

Each benchmark writes ``bench/results/<name>.json`` (``<name>.quick.json`` with ``--quick``) and
prints a table. Scratch data lives in ``bench/work/`` (git-ignored; generated recordings are cached
there between runs, keyed by their parameters).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
WORK = BENCH / "work"
BIN = Path(sys.executable).parent  # the venv's bin: snakemake, sortcanary, python
PYTHON = sys.executable


# -- command line and results ------------------------------------------------------------------


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a fast smoke run (small sizes, fewer repeats)")
    p.add_argument("--repeats", type=int, help="interleaved pairs to run (default: see the script)")
    p.add_argument("--keep", action="store_true", help="keep the working folders under bench/work/")
    return p


def load() -> dict:
    """The background load, as context for the absolute numbers."""
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)], "at": time.strftime("%Y-%m-%d %H:%M:%S")}


def machine() -> dict:
    import importlib.metadata as md

    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    info = {"cpus": os.cpu_count(), "cpu_model": model, "mem_gib": round(mem_kib / 2**20, 1),
            "python": platform.python_version(), "kernel": platform.release()}
    for pkg in ("sortcanary", "snakemake", "spikeinterface", "kilosort", "torch"):
        try:
            info[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            info[pkg] = None
    try:
        import torch

        info["torch_cuda"] = torch.version.cuda
        info["cuda_available"] = torch.cuda.is_available()
    except ImportError:
        pass
    return info


def code_version() -> str:
    """The commit measured (with "+dirty" when the working tree differs from it)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "workflow", "profiles")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def save(name: str, quick: bool, record: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}{'.quick' if quick else ''}.json"
    record = {"benchmark": name, "quick": quick, "command": " ".join(["python", *sys.argv]), "code": code_version(),
              "machine": machine(), **record}
    # Paths inside the repository are written relative to it: a result names no machine's folders.
    text = json.dumps(record, indent=2, sort_keys=False, default=str).replace(f"{REPO}{os.sep}", "")
    path.write_text(text + "\n")
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


def table(rows: list[list], headers: list[str]) -> str:
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def median(values) -> float:
    return float(statistics.median(values))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def abba(i: int, pair: tuple) -> tuple:
    """The order of pair ``i``: A B, B A, A B, ... so drift in the background load cancels."""
    return pair if i % 2 == 0 else pair[::-1]


# -- measured runs -----------------------------------------------------------------------------


def measured(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, label: str = "",
             output: Path | None = None) -> dict:
    """Run ``cmd`` under bench/_measured.py: wall time, peak RSS and I/O of its whole process tree.

    With ``output``, stdout goes to that file and stderr to the same name + ``.err``.
    """
    out = WORK / f".measured-{os.getpid()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:
        stdout = files.enter_context(open(output, "w")) if output else None
        stderr = files.enter_context(open(f"{output}.err", "w")) if output else None
        rc = subprocess.call([PYTHON, str(BENCH / "_measured.py"), str(out), "--", *cmd], cwd=cwd, env=env,
                             stdout=stdout, stderr=stderr)
    record = json.loads(out.read_text())
    out.unlink()
    record["load_after"] = load()["loadavg"]
    if label:
        print(f"  {label}: {record['wall_s']:.1f} s, peak RSS {record['maxrss_mib']:.0f} MiB, rc {rc}", flush=True)
    return record


def env(**extra) -> dict:
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e.update(extra)
    return e


# -- recordings --------------------------------------------------------------------------------


def ground_truth_binary(folder: Path, stem: str, *, duration_s: float, channels: int = 16, units: int = 10,
                        seed: int = 0) -> Path:
    """A healthy ground-truth recording as raw .bin + JSON sidecar + probe JSON, cached by its parameters."""
    from sortcanary.demo import ground_truth, write_binary_with_sidecar

    key = {"duration_s": duration_s, "channels": channels, "units": units, "seed": seed, "v": 1}
    stamp = folder / f".{stem}.params.json"
    raw = folder / f"{stem}.bin"
    if raw.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == key:
        return raw
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"  generating {stem}: {duration_s:.0f} s x {channels} ch ...", flush=True)
    recording, _ = ground_truth(duration_s, channels, units, seed)
    write_binary_with_sidecar(recording, folder, stem)
    stamp.write_text(json.dumps(key))
    print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    return raw


def copy_recording(raw: Path, folder: Path, stem: str) -> Path:
    """Copy a raw recording with its sidecar and probe under another name."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = json.loads(raw.with_suffix(".json").read_text())
    probe_src = raw.parent / meta["probe"]
    for src, dst in ((raw, folder / f"{stem}.bin"), (probe_src, folder / f"{stem}.probe.json")):
        dst.unlink(missing_ok=True)  # never write through an old link to the source
        shutil.copyfile(src, dst)
    meta["probe"] = f"{stem}.probe.json"
    (folder / f"{stem}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder / f"{stem}.bin"


def recording_bytes(raw: Path) -> int:
    return raw.stat().st_size


def allocated_bytes(path: Path) -> int:
    return path.stat().st_blocks * 512


# -- the workflow ------------------------------------------------------------------------------


def write_config(workdir: Path, **config) -> Path:
    """config/config.yaml in a workflow working folder (the same layout tests/conftest.py uses)."""
    path = workdir / "config" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"scratch_dir": "scratch", **config}))
    return path


def snakemake_cmd(workdir: Path, *args: str, cores: int = 2, profile: str | None = "default") -> list[str]:
    """The real snakemake CLI on the repo's workflow, run in ``workdir`` (as tests/conftest.py does)."""
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "workflow" / "Snakefile"), "--directory", str(workdir),
           "--workflow-profile", str(REPO / "profiles" / profile) if profile else "none", "--cores", str(cores)]
    return cmd + list(args)


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def tree_bytes(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


# -- reading logs --------------------------------------------------------------------------------

_KS4_STAGE = re.compile(r"kilosort\.run_kilosort INFO (.+?) in (\d+(?:\.\d+)?)s; total")


def ks4_stages(log_text: str) -> list[list]:
    """Kilosort4's own stage timings from a log: [[stage, seconds], ...] in order (for diagnosis)."""
    stages = []
    for match in _KS4_STAGE.finditer(log_text):
        label = " ".join(w for w in match.group(1).split() if not w.isdigit())
        stages.append([label, float(match.group(2))])
    return stages


_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_START = re.compile(r"^(?:local)?rule (\w+):$")
_FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)")
_ERROR = re.compile(r"^Error in rule (\w+):")


def parse_job_log(text: str) -> list[dict]:
    """Jobs from a Snakemake job log: rule, jobid, recording, start, end (datetimes), status."""
    jobs: dict[int, dict] = {}
    now = None
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if m := _STAMP.match(stripped):
            now = dt.datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
            continue
        if m := _START.match(stripped):
            current = {"rule": m.group(1), "start": now, "end": None, "status": "running", "recording": None}
            continue
        if m := _ERROR.match(stripped):
            current = {"error": True}
            continue
        if current is not None and stripped.startswith("jobid:"):
            jobid = int(stripped.split(":")[1])
            if current.get("error"):
                if jobid in jobs:
                    jobs[jobid].update(end=now, status="failed")
            else:
                jobs[jobid] = {**current, "jobid": jobid}
                current = jobs[jobid]
            continue
        if current is not None and stripped.startswith("wildcards:") and "jobid" in current:
            found = re.search(r"recording=([^,\s]+)", stripped)
            current["recording"] = found.group(1) if found else None
            continue
        if m := _FINISHED.match(stripped):
            jobid = int(m.group(1))
            if jobid in jobs:
                jobs[jobid].update(end=now, status="done")
    return sorted(jobs.values(), key=lambda j: (j["start"], j["jobid"]))


def add_threads(parser) -> None:
    """--threads, shared by the benchmarks that compare a workflow sort with a bare one."""
    parser.add_argument("--threads", type=int, help="CPU threads per sort (config threads; OMP_NUM_THREADS for "
                        "the bare side); default: the workflow's default, every core")


def add_preprocessing(parser) -> None:
    """--preprocessing, shared by the benchmarks that run a recipe (sortcanary.plan.recipe.PRESETS)."""
    from sortcanary.plan.recipe import PRESETS

    parser.add_argument("--preprocessing", choices=sorted(PRESETS), default="none",
                        help="the recipe's preprocessing preset on every side (default: none)")


def preprocessing_suffix(preprocessing: str) -> str:
    """A result file's name suffix for a recipe other than none."""
    return "" if preprocessing == "none" else f"_{preprocessing}"


_WRITE_BINARY = re.compile(r"write_binary[^|\r\n]*: 100%\|[^|]*\|\s*\d+/\d+ \[(?:(\d+):)?(\d+):(\d+)<")


def binary_copy_s(log_path: Path) -> float | None:
    """Seconds of SpikeInterface's copy of a recording that is not binary-compatible into the
    sorter's ``recording.dat`` (its write_binary progress bar, finished, in a log); None without one."""
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return None
    found = _WRITE_BINARY.findall(text)
    if not found:
        return None
    hours, minutes, seconds = found[-1]
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
