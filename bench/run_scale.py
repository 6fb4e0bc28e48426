"""Benchmark 9 (issue 26): a run of thousands of recordings, every job's own work independent of N.

Four parts, each judged on numbers taken inside one run of this script:

1. ``jobend``: what a job does after its result, on synthetic run folders of 300, 3,000 and
   10,000 finished recordings (markers, verdicts, sort records, five small figures each and the
   manifest, at the paths sortcanary.layout names; 90 % sorted, the rest blocked, failed, passed
   through). Each measurement is a fresh process that imports what the sort job's adapter imports
   and then times its last two calls: now ``notify_verdict`` + ``record_job_end`` (its own row and
   figure folder), before ``notify_verdict`` + ``refresh_summary`` (the whole run's views), the
   package as it was at ``--old-rev`` (``git archive`` into bench/work/). Target: <= 0.5 s at 3,000
   and <= 2x the cost at 300. Also timed once per size: the run's end (``write_summary``), and the
   summary page opened in headless Chromium.
2. ``workflow``: a real ``snakemake --cores 2`` run (default profile) over 50, 200 and 800 small
   recordings (5 s x 8 ch raw binaries, one file linked under every name), test backend
   ``backends:ThresholdSorter`` by import path, outputs off. Target: wall time per recording at
   800 <= 1.2x at 50. Where a job's time goes is read from each job's own files: its process start
   (progress.json's ``pid_started``), its log's lines (the adapter's first line, the sorter child's
   first line, the sort's stages, the last line) and its records' mtimes; the gap to the next job's
   process start is Snakemake's (one job at a time here: the local ``gpu`` resource is 1). The
   imports are timed on their own (interpreter, Snakemake's script preamble, the adapters, the child).
2'. ``scheduler``: Snakemake's own process on a bare Snakefile of 100 and 300 jobs of 0.3 s that
   take one ``gpu`` each (as the sorter jobs do here): its CPU time per job with Snakemake's
   defaults, with ``--scheduler greedy`` and with ``--max-jobs-per-timespan 10000/100s``.
3. ``status``: `sortcanary status` on the 10,000-recording folder: one call that writes the summary
   files (they were removed), one that finds them current, and `--watch` redraws back to back.
   Target: <= 1 s each.

    .venv/bin/python bench/run_scale.py                      # all four (~2.5 h on 2 cores)
    .venv/bin/python bench/run_scale.py --quick              # 100/1,000 folders, 10/40 recordings
    .venv/bin/python bench/run_scale.py --part jobend --part status   # ~10 min

A run of some parts writes bench/results/run_scale_<parts>.json; of all four, run_scale.json.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import common
import scale_folder

OLD_REV = "a8ea396"  # main before issue 26: every job refreshed the whole run's summary
TESTS = common.REPO / "tests"
SIZES, QUICK_SIZES = (300, 3000, 10000), (100, 1000)
RUN_SIZES, QUICK_RUN_SIZES = (50, 200, 800), (10, 40)
JOB_END_TARGET_S, JOB_END_GROWTH, PER_RECORDING_GROWTH, STATUS_TARGET_S = 0.5, 2.0, 1.2, 1.0

JOB_END = """
import json, sys, time
t0 = time.perf_counter()
from sortcanary.views.notify import notify_verdict
{imports}
t1 = time.perf_counter()
notify_verdict({{}}, "sort", "logs/sort/{name}.verdict.json")
{call}
print(json.dumps({{"imports_s": t1 - t0, "job_end_s": time.perf_counter() - t1}}))
"""
NEW = ("from sortcanary.views.rows import record_job_end", "record_job_end({name!r}, figures=True)")
OLD = ("from sortcanary.views.status import refresh_summary", "refresh_summary()")


def old_source(rev: str) -> Path:
    """The package as it was at ``rev``, exported once into bench/work/ (never a second checkout)."""
    target = common.WORK / f"old-src-{rev}"
    if not (target / "src" / "sortcanary").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "src/sortcanary"], cwd=common.REPO, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def job_end(folder: Path, name: str, which: tuple, pythonpath: str | None = None) -> dict:
    code = JOB_END.format(imports=which[0], call=which[1].format(name=name), name=name)
    env = common.env(**({"PYTHONPATH": pythonpath} if pythonpath else {}))
    started = time.perf_counter()
    done = subprocess.run([common.PYTHON, "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode != 0 or "failed" in done.stderr:
        raise SystemExit(f"job end failed in {folder}: {done.stderr[-2000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_s": time.perf_counter() - started}


def part_jobend(sizes, repeats: int, old_rev: str) -> dict:
    from sortcanary.views.status import run_recordings
    from sortcanary.views.summary import write_summary

    old = str(old_source(old_rev))
    out = {}
    for n in sizes:
        folder = scale_folder.synthetic_run(common.WORK / f"scale-run-{n}", n)
        sorted_names = [name for name, kind, _ in scale_folder.kinds(n) if kind in ("sorted", "passthrough")]
        new, before = [], []
        for i in range(repeats):  # the old side only as often as it is affordable (28 s at 3,000)
            name = sorted_names[(i * 7919) % len(sorted_names)]
            sides = ["new", "old"] if i < (repeats if n <= 300 else 1) else ["new"]
            for side in (common.abba(i, tuple(sides)) if len(sides) == 2 else sides):
                if side == "new":
                    new.append(job_end(folder, name, NEW))
                else:
                    before.append(job_end(folder, name, OLD, old))
        started = time.perf_counter()
        names, problems, skipped = run_recordings(folder)
        write_summary(names, str(folder), problems, skipped)
        run_end_s = time.perf_counter() - started
        out[n] = {"new_job_end_s": [r["job_end_s"] for r in new], "old_job_end_s": [r["job_end_s"] for r in before],
                  "new": common.median([r["job_end_s"] for r in new]),
                  "old": common.median([r["job_end_s"] for r in before]) if before else None,
                  "run_end_s": run_end_s, "page": scale_folder.page_load(folder), "load": common.load()}
        print(f"  {n} recordings: job end new {out[n]['new']:.3f} s, old {out[n]['old'] or float('nan'):.2f} s, "
              f"run end {run_end_s:.1f} s, page {out[n]['page']}", flush=True)
    small, mid = sizes[0], sizes[1]
    out["growth"] = out[mid]["new"] / out[small]["new"]
    out["pass"] = out[mid]["new"] <= JOB_END_TARGET_S and out["growth"] <= JOB_END_GROWTH
    return out


def part_workflow(sizes) -> dict:
    out = {"imports": scale_folder.import_costs()}
    print(f"  imports (process start to end, s): {out['imports']}", flush=True)
    for n in sizes:
        workdir = common.fresh(common.WORK / f"scale-wf-{n}")
        recordings = scale_folder.small_recordings(workdir / "recordings", n)
        common.write_config(workdir, recordings_dir=str(recordings), sorter="backends:ThresholdSorter",
                            canary={"exercise_outputs": False}, outputs=scale_folder.OUTPUTS_OFF)
        started = time.time()
        run = run_snakemake(workdir, n)
        timeline = scale_folder.timeline(workdir, started)
        jobs = timeline["jobs"] or 1
        out[n] = {**run, "per_recording_s": run["wall_s"] / n, "cpu_per_recording_s": run["tree_cpu_s"] / n,
                  "main_cpu_per_job_s": run["main_cpu_s"] / jobs, **timeline}
        print(f"  {n}: {run['wall_s']:.0f} s, {run['wall_s'] / n:.2f} s per recording ({run['tree_cpu_s'] / n:.2f} "
              f"CPU s), Snakemake's own process {run['main_cpu_s'] / jobs:.3f} CPU s per job, gap between jobs "
              f"{timeline['gap_by_third_s']} s by thirds; {json.dumps(timeline['phases_s'])}", flush=True)
    small, big = sizes[0], sizes[-1]
    out["ratio"] = out[big]["per_recording_s"] / out[small]["per_recording_s"]
    out["cpu_ratio"] = out[big]["cpu_per_recording_s"] / out[small]["cpu_per_recording_s"]
    out["pass"] = out["ratio"] <= PER_RECORDING_GROWTH
    return out


def run_snakemake(workdir: Path, n: int, cmd: list[str] | None = None) -> dict:
    """The run, with its wall time, the whole tree's CPU time (this process's reaped children:
    Snakemake waits for its jobs) and the CPU time of Snakemake's own process alone (sampled every
    half second until it ends)."""
    import psutil

    def children_cpu() -> float:
        times = psutil.Process().cpu_times()
        return times.children_user + times.children_system

    cmd, before = cmd or common.snakemake_cmd(workdir), children_cpu()
    with open(workdir / "snakemake.log", "w") as log:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=workdir, env=common.env(PYTHONPATH=str(TESTS)), stdout=log,
                                stderr=subprocess.STDOUT)
        main, main_cpu, threads = psutil.Process(proc.pid), 0.0, 0
        while proc.poll() is None:
            try:
                times = main.cpu_times()
                main_cpu, threads = times.user + times.system, max(threads, main.num_threads())
            except psutil.Error:
                pass
            time.sleep(0.5)
    wall = time.monotonic() - started
    print(f"  snakemake, {n} recordings: {wall:.1f} s, rc {proc.returncode}", flush=True)
    return {"wall_s": wall, "rc": proc.returncode, "main_cpu_s": main_cpu, "main_threads_max": threads,
            "tree_cpu_s": children_cpu() - before, "load_after": common.load()["loadavg"]}


BARE_SNAKEFILE = """
# N jobs of 0.3 s that take the one `gpu` each, as the workflow's sorter jobs do on a CPU machine
rule all:
    input:
        expand("out/{i}.done", i=range(int(config["jobs"]))),


rule one:
    input:
        "in/{i}.txt",
    output:
        "out/{i}.done",
    resources:
        gpu=1,
    shell:
        "sleep 0.3; touch {output}"
"""


def part_scheduler(sizes) -> dict:
    """Snakemake's own process on a bare Snakefile: its CPU time per job against the number of jobs,
    with the defaults (the ILP scheduler, `--max-jobs-per-timespan 100/1s`), with the greedy
    scheduler, and with a rate limit's timespan 100 times longer."""
    out = {}
    for n in sizes:
        for label, extra in (("default", []), ("--scheduler greedy", ["--scheduler", "greedy"]),
                             ("--max-jobs-per-timespan 10000/100s", ["--max-jobs-per-timespan", "10000/100s"])):
            work = common.fresh(common.WORK / f"scale-bare-{n}")
            (work / "Snakefile").write_text(BARE_SNAKEFILE)
            (work / "in").mkdir()
            for i in range(n):
                (work / "in" / f"{i}.txt").touch()
            cmd = [str(common.BIN / "snakemake"), "-s", str(work / "Snakefile"), "-d", str(work), "--cores", "2",
                   "--resources", "gpu=1", "--quiet", *extra, "--config", f"jobs={n}"]
            run = run_snakemake(work, n, cmd=cmd)
            out[f"{n} {label}"] = {**run, "main_cpu_per_job_s": run["main_cpu_s"] / n,
                                   "wall_per_job_s": run["wall_s"] / n}
            print(f"  {n} jobs, {label}: {run['wall_s']:.1f} s, Snakemake's process {run['main_cpu_s']:.1f} CPU s "
                  f"({run['main_cpu_s'] / n * 1000:.0f} ms per job), up to {run['main_threads_max']} threads",
                  flush=True)
            shutil.rmtree(work, ignore_errors=True)
    return out


def part_status(n: int) -> dict:
    folder = scale_folder.synthetic_run(common.WORK / f"scale-run-{n}", n)
    results = str(folder / "results")
    cmd = [str(common.BIN / "sortcanary"), "status", results]
    calls = {"writes the summary": [], "summary current": []}
    for _ in range(3):
        (folder / "results" / "summary.tsv").unlink(missing_ok=True)
        for label in calls:
            started = time.perf_counter()
            subprocess.run(cmd, capture_output=True, text=True, env=common.env())
            calls[label].append(time.perf_counter() - started)
    redraws = watch_redraws([*cmd, "--watch", "0.001"], seconds=12)
    # the first redraw comes after the process's start; each one after it is a redraw alone
    per_redraw = common.median([b - a for a, b in itertools.pairwise(redraws)]) if len(redraws) > 2 else None
    out = {label: common.median(v) for label, v in calls.items()}
    out.update(calls_s=calls, redraws=len(redraws), watch_redraw_s=per_redraw, load=common.load())
    out["pass"] = all(v is not None and v <= STATUS_TARGET_S
                      for v in (out["writes the summary"], out["summary current"], per_redraw))
    return out


def watch_redraws(cmd: list[str], seconds: float) -> list[float]:
    """When each redraw of `status --watch` began to reach the terminal (its clear-screen code)."""
    import os
    import signal

    watch = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=common.env())
    stamps, tail, deadline = [], b"", time.monotonic() + seconds
    os.set_blocking(watch.stdout.fileno(), False)
    while time.monotonic() < deadline:
        chunk = watch.stdout.read() or b""
        now = time.perf_counter()
        clear = b"\033[H\033[2J"
        stamps += [now] * ((tail + chunk).count(clear) - tail.count(clear))
        tail = chunk[-8:]
        time.sleep(0.002)
    watch.send_signal(signal.SIGINT)
    watch.communicate(timeout=60)
    return stamps


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--part", action="append", choices=("jobend", "workflow", "scheduler", "status"))
    p.add_argument("--run-sizes", type=int, nargs="+", help=f"recordings per workflow run (default {RUN_SIZES})")
    p.add_argument("--old-rev", default=OLD_REV, help=f"the commit to time the old job end at (default {OLD_REV})")
    args = p.parse_args()
    parts = args.part or ["jobend", "workflow", "scheduler", "status"]
    sizes, run_sizes = (QUICK_SIZES, QUICK_RUN_SIZES) if args.quick else (SIZES, RUN_SIZES)
    run_sizes = tuple(args.run_sizes or run_sizes)
    record = {"load_before": common.load()}
    if "jobend" in parts:
        print("1. job end on synthetic run folders", flush=True)
        record["jobend"] = part_jobend(sizes, args.repeats or (2 if args.quick else 3), args.old_rev)
    if "workflow" in parts:
        print("2. snakemake --cores 2 over small recordings", flush=True)
        record["workflow"] = part_workflow(run_sizes)
    if "scheduler" in parts:
        print("2'. Snakemake's own process on a bare Snakefile", flush=True)
        record["scheduler"] = part_scheduler((30, 100) if args.quick else (100, 300))
    if "status" in parts:
        print("3. sortcanary status", flush=True)
        record["status"] = part_status(sizes[-1])
    record["load_after"] = common.load()
    common.save("run_scale" if args.part is None else "_".join(["run_scale", *parts]), args.quick, record)
    print(json.dumps({k: v.get("pass") for k, v in record.items() if isinstance(v, dict) and "pass" in v}))
    if not args.keep:
        for path in common.WORK.glob("scale-wf-*"):
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
