"""What bench/run_scale.py builds and reads: synthetic run folders, small recordings, job timelines.

A synthetic run folder holds N finished recordings as a real run leaves them, at the paths
sortcanary.layout names: the manifest, preflight, and per recording its canary marker and verdict,
progress files, its sort record, sort.json, five small PNG figures and report page, the sort's
verdict, and the row its last job kept. Cached in bench/work/ by N and a version.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import common

VERSION = 1
FIGURES = ("unit_locations", "metrics", "templates", "raster", "ks4_drift_amount")
OUTPUTS_OFF = {"curation": {"enabled": False}, "exporters": {"units_npz": False, "nwb": False},
               "figures": False, "report": False}
# per 100 recordings: what they ended as (the rest are sorted)
MIX = [("blocked", "insufficient_activity")] * 4 + [("blocked", "flat_signal")] + [("blocked", "device_unavailable")] \
    + [("blocked", "gpu_out_of_memory")] + [("failed", "host_out_of_memory")] + [("passthrough", "")] * 2


def kinds(n: int) -> list[tuple[str, str, str]]:
    """(name, what it ended as, its failure class) for the N recordings of a synthetic run."""
    return [(f"rec{i:05d}", *(MIX[i % 100] if i % 100 < len(MIX) else ("sorted", ""))) for i in range(n)]


def _verdict(error_class: str) -> dict:
    from sortcanary.taxonomy import verdict_for

    return verdict_for(error_class).as_dict()


def _write(path: Path, data) -> None:
    """A file as a job leaves it (JSON for a dict), without the jobs' fsync: this is set-up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2, sort_keys=True) + "\n")


def _png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.2, 0.9), dpi=50)
    FigureCanvasAgg(fig)
    fig.subplots().plot([0, 1, 0])
    tmp = common.WORK / ".scale.png"
    fig.savefig(tmp)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def synthetic_run(folder: Path, n: int) -> Path:
    """A finished run of N recordings (see the module doc), cached."""
    from sortcanary import layout
    from sortcanary.views.report_figures import collect_report_figures
    from sortcanary.views.rows import write_row

    stamp = folder / ".synthetic.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == {"n": n, "v": VERSION}:
        return folder
    common.fresh(folder)
    started = time.monotonic()
    print(f"  building a synthetic run of {n} recordings ...", flush=True)
    rng, png = random.Random(n), _png()
    dead = _dead_pid()

    def p(pattern: str, name: str = "") -> Path:
        return folder / pattern.format(recording=name)

    names = [name for name, _, _ in kinds(n)]
    _write(p(layout.RUN_MANIFEST), {"problems": [], "recordings": names, "skipped": {}})
    _write(p(layout.PREFLIGHT), {"status": "pass"})
    _write(p(layout.PREFLIGHT_VERDICT), {"status": "pass"})
    for name, kind, error_class in kinds(n):
        canary_s, sort_s = rng.uniform(25, 70), rng.uniform(300, 4000)
        for job, pattern in (("canary", layout.CANARY_PROGRESS), ("sort", layout.SORT_PROGRESS)):
            if job == "sort" and kind == "blocked":
                continue
            _write(p(pattern, name), {"host": socket.gethostname(), "pid": dead, "pid_started": 1.0, "job": job,
                                      "recording": name, "stage": "saving the sorting", "interval_s": 60.0,
                                      "started": 1.0, "updated": 2.0})
        window = {"clamped": False, "duration_s": 30.0, "start_s": 0.0}
        _write(p(layout.CANARY_LOG, name), f"{name}: canary log\n")
        if kind == "blocked":
            _write(p(layout.CANARY_VERDICT, name), {"recording": name, "verdict": "blocked", "seconds": canary_s,
                                                   "windows": [window], **_verdict(error_class)})
            continue
        marker = {"recording": name, "source": f"{name}.bin", "sorter": "kilosort4", "window": window,
                  "windows": [{**window, "outcome": "pass"}], "status": "pass"}
        if kind == "passthrough":
            marker.update(status="passthrough", error={"type": "unclassified", "message": "simulated"})
        _write(p(layout.MARKER, name), marker)
        _write(p(layout.CANARY_VERDICT, name), {**marker, "verdict": marker["status"], "seconds": canary_s,
                                               "measured": {"sort_seconds": canary_s - 5, "window_s": 30.0}})
        _write(p(layout.SORT_LOG, name), f"{name}: sort log\n")
        if kind == "failed":
            _write(p(layout.SORT_VERDICT, name), {"recording": name, "status": "failed", "seconds": sort_s,
                                                 "stage": "sort", **_verdict(error_class)})
            continue
        units = rng.randint(0, 60)
        record = {"recording": name, "units": units, "seconds": sort_s, "canary": marker["status"], "gpu": None,
                  "outputs": {"ok": True, "units_curated": rng.randint(0, units), "figures": list(FIGURES)}}
        _write(p(layout.SORT_JSON, name), record)
        _write(p(layout.SORT_DONE, name), record)
        _write(p(layout.SORTED, name) / layout.IN_SORTED["report"], f"<html><body>{name}</body></html>\n")
        for figure in FIGURES:
            _write(p(layout.SORTED, name) / layout.IN_SORTED["figures"] / f"{figure}.png", png)
        _write(p(layout.SORT_VERDICT, name), {"recording": name, "status": "done", "seconds": sort_s, "units": units})
    for name in names:  # the row each recording's last job kept
        write_row(name, str(folder))
    collect_report_figures([name for name, kind, _ in kinds(n) if kind in ("sorted", "passthrough")], str(folder))
    stamp.write_text(json.dumps({"n": n, "v": VERSION}))
    print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
    return folder


def _dead_pid() -> int:
    """The pid of a process that has ended: no synthetic job is running."""
    done = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True)
    return int(done.stdout)


def small_recordings(folder: Path, n: int) -> Path:
    """N raw recordings (5 s x 8 ch, 3 units): one generated binary linked under every name, each
    with its own sidecar naming one shared probe file."""
    base = common.ground_truth_binary(common.WORK / "scale-base", "base", duration_s=5.0, channels=8, units=3)
    folder.mkdir(parents=True, exist_ok=True)
    sidecar = json.loads(base.with_suffix(".json").read_text())
    shutil.copyfile(base.parent / sidecar["probe"], folder / "probe.json")
    for i in range(n):
        (folder / f"r{i:04d}.bin").symlink_to(base)
        (folder / f"r{i:04d}.json").write_text(json.dumps({**sidecar, "probe": "probe.json"}))
    return folder


# What each process of a job imports before it works, as a fresh interpreter's one line.
IMPORT_CASES = {
    "interpreter": "pass",
    "Snakemake's script preamble": "import pickle; from snakemake.logging import logger; "
                                   "from snakemake.iocontainers import Snakemake; import snakemake.script",
    "canary adapter": "import sortcanary.jobs.canary, sortcanary.jobs.joblog, sortcanary.recordings, "
                      "sortcanary.views.notify, sortcanary.views.rows",
    "sort adapter": "import sortcanary.jobs.full_sort, sortcanary.jobs.joblog, sortcanary.recordings, "
                    "sortcanary.views.notify, sortcanary.views.rows",
    "sorter child": "import sortcanary.runner.child, sortcanary.recordings, spikeinterface.core, backends",
}


def import_costs(repeats: int = 5) -> dict:
    """Seconds to start a Python process that imports what each part of a job imports (median)."""
    env = common.env(PYTHONPATH=str(common.REPO / "tests"))
    out = {}
    for label, code in IMPORT_CASES.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([common.PYTHON, "-c", code], check=True, env=env)
            times.append(time.perf_counter() - started)
        out[label] = round(common.median(times), 3)
    return out


_STAMP = "%Y-%m-%d %H:%M:%S,%f"


def _log_times(path: Path) -> list[tuple[float, str]]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            stamp = dt.datetime.strptime(line[:23], _STAMP).timestamp()
        except ValueError:
            continue
        lines.append((stamp, line[24:]))
    return lines


def _first(lines, text: str) -> float | None:
    return next((t for t, line in lines if text in line), None)


def create_time_offset(repeats: int = 5) -> float:
    """psutil's process start time minus the wall clock's (it counts from the boot time, which Linux
    gives in whole seconds): subtracted from progress.json's ``pid_started``."""
    import psutil

    offsets = []
    for _ in range(repeats):
        before = time.time()
        child = subprocess.Popen(["sleep", "0.2"])
        offsets.append(psutil.Process(child.pid).create_time() - before)
        child.wait()
    return common.median(offsets)


def job_phases(workdir: Path, job: str, name: str, offset: float = 0.0) -> dict | None:
    """One job's timeline from its own files (see run_scale's docstring)."""
    from sortcanary import layout
    from sortcanary.atomic import read_json

    patterns = {"canary": (layout.CANARY_PROGRESS, layout.CANARY_LOG, [layout.CANARY_VERDICT, layout.MARKER]),
                "sort": (layout.SORT_PROGRESS, layout.SORT_LOG, [layout.SORT_VERDICT, layout.SORT_DONE,
                                                                 layout.SUMMARY_ROW])}[job]
    progress = read_json(workdir / patterns[0].format(recording=name)) or {}
    lines = _log_times(workdir / patterns[1].format(recording=name))
    ends = [os.stat(workdir / p.format(recording=name)).st_mtime for p in patterns[2]
            if (workdir / p.format(recording=name)).exists()]
    started = progress.get("pid_started")
    marks = [started - offset if started else None, lines[0][0] if lines else None, _first(lines, "sorter child:"),
             _first(lines, "stage: sorting"), _first(lines, "stage: saving the sorting"),
             lines[-1][0] if lines else None, max(ends) if ends else None]
    if any(m is None for m in marks):
        return None
    steps = ("process start, imports, plan", "sorter child start", "loading, data checks", "sorting",
             "saving, result", "records")
    return {"job": job, "name": name, "start": marks[0], "end": marks[-1],
            **{step: marks[i + 1] - marks[i] for i, step in enumerate(steps)}}


def timeline(workdir: Path, started: float) -> dict:
    """Medians of each job step, the gaps between jobs (Snakemake's), the run's start and end."""
    names = sorted(p.name[:-len(".json")] for p in (workdir / "results" / "canary").glob("*.json"))
    offset = create_time_offset()
    jobs = [j for name in names for job in ("canary", "sort") if (j := job_phases(workdir, job, name, offset))]
    jobs.sort(key=lambda j: j["start"])
    gaps = [b["start"] - a["end"] for a, b in itertools.pairwise(jobs)]
    steps = [k for k in jobs[0] if k not in ("job", "name", "start", "end")] if jobs else []
    phases = {f"{job} {step}": round(common.median([j[step] for j in jobs if j["job"] == job]), 3)
              for job in ("canary", "sort") for step in steps}
    third = len(gaps) // 3
    return {"jobs": len(jobs), "phases_s": phases, "create_time_offset_s": round(offset, 3),
            "gap_s": round(common.median(gaps), 3) if gaps else None,
            "gap_by_third_s": [round(common.median(g), 3) for g in (gaps[:third], gaps[third:2 * third],
                                                                     gaps[2 * third:]) if g],
            "before_first_job_s": round(jobs[0]["start"] - started, 1) if jobs else None,
            "after_last_job_s": round(time.time() - jobs[-1]["end"], 1) if jobs else None}


CHECK_LOAD = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByType("paint").map(e => [e.name, Math.round(e.startTime)]);
  const out = document.createElement("pre");
  out.id = "load-check";
  out.textContent = JSON.stringify({dom_ms: Math.round(nav.domContentLoadedEventEnd),
    load_ms: Math.round(nav.loadEventEnd || performance.now()), paint: Object.fromEntries(paint),
    rows: document.querySelectorAll("#rows tbody tr").length});
  document.body.appendChild(out);
}, 0));
</script>"""


def page_load(folder: Path) -> dict | None:
    """The summary page in headless Chromium: milliseconds to DOMContentLoaded, load, first paint."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    page = folder / "results" / "summary.html"
    if chromium is None or not page.is_file():
        return None
    probe = page.with_name(".load-check.html")
    probe.write_text(page.read_text().replace("</body>", CHECK_LOAD + "</body>"))
    try:
        dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              "--disable-background-networking", f"--user-data-dir={common.WORK / 'chromium'}",
                              "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=300).stdout
    finally:
        probe.unlink()
    start = dom.find('<pre id="load-check">')
    if start < 0:
        return None
    return json.loads(dom[start + len('<pre id="load-check">'):dom.index("</pre>", start)].replace("&quot;", '"'))
