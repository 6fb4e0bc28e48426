"""Benchmark 12 (issue 27): a canary's CPU when numba's cache holds what Kilosort 4 compiles
(sortcanary.plan.numba_cache) against one that compiles it, side by side in one run.

Kilosort 4 compiles two numba functions in every process that sorts and asks numba to cache
neither: until the child made numba cache them, every job compiled them, as a batch's first job
still does. Both sides run ``sortcanary canary`` on the same healthy recording (a raw .bin, 32
channels, Kilosort 4 on the CPU, one thread, the default 30 s window), alternating A B then B A so
drift in the background load cancels: "compiles" with an empty NUMBA_CACHE_DIR of its own each
time (every job before this change, a batch's first job now), "loads" with the cache an untimed
first run filled (every later job). Measured: the CPU time of the canary's whole process tree
(os.times of its children) and its wall time, medians. Target: loading costs less CPU than
compiling (ratio < 1.0); the seconds it saves are the same at any window length.

    .venv/bin/python bench/numba_cache.py            # about 10 minutes
    .venv/bin/python bench/numba_cache.py --quick    # 10 s window, 2 pairs
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import common

CANARY = "import sys; from sortcanary.cli import main; sys.exit(main())"


def canary(raw, config, cache) -> tuple[float, float]:
    """(CPU s, wall s) of one ``sortcanary canary`` run with numba's cache in ``cache``."""
    before, started = os.times(), time.perf_counter()
    done = subprocess.run([common.PYTHON, "-c", CANARY, "canary", str(raw), "--config", str(config)],
                          env=common.env(NUMBA_CACHE_DIR=str(cache), OMP_NUM_THREADS="1"),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the canary failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    after = os.times()
    return (after.children_user + after.children_system - before.children_user - before.children_system,
            time.perf_counter() - started)


def main() -> None:
    p = common.parser(__doc__)
    args = p.parse_args()
    repeats = args.repeats or (2 if args.quick else 5)
    window_s = 10.0 if args.quick else 30.0
    work = common.WORK / "numba_cache"
    raw = common.ground_truth_binary(work, "healthy", duration_s=2 * window_s, channels=32)
    config = work / "config.yaml"
    config.write_text(f"torch_device: cpu\nthreads: 1\ncanary:\n  window_s: {window_s}\n")
    warm = common.fresh(work / "numba-cache")
    canary(raw, config, warm)  # fills the cache, as a batch's first job does
    record: dict = {"repeats": repeats, "window_s": window_s, "channels": 32, "load_before": common.load()}
    seen: dict[str, list[tuple[float, float]]] = {"compiles": [], "loads": []}
    for i in range(repeats):
        for which in common.abba(i, ("compiles", "loads")):
            cache = warm if which == "loads" else common.fresh(work / "numba-cache-empty")
            seen[which].append(canary(raw, config, cache))
            print(f"  {which}: {seen[which][-1][0]:.1f} s CPU, {seen[which][-1][1]:.1f} s wall", flush=True)
    cpu = {k: common.median([c for c, _ in v]) for k, v in seen.items()}
    wall = {k: common.median([w for _, w in v]) for k, v in seen.items()}
    ratio = cpu["loads"] / cpu["compiles"]
    record.update({"cpu_s": cpu, "wall_s": wall, "cpu_ratio": round(ratio, 3),
                   "saved_cpu_s": round(cpu["compiles"] - cpu["loads"], 2), "ok": ratio < 1.0,
                   "load_after": common.load()})
    print(common.table([["canary", f"{cpu['compiles']:.2f}", f"{cpu['loads']:.2f}", f"{ratio:.2f}",
                         f"{wall['compiles']:.2f}", f"{wall['loads']:.2f}", common.verdict(ratio < 1.0)]],
                       ["process tree", "CPU s, compiles", "CPU s, loads", "ratio", "wall s, compiles", "wall s, loads",
                        "result"]))
    common.save("numba_cache", args.quick, record)
    if not args.keep:
        for folder in (warm, work / "numba-cache-empty"):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
