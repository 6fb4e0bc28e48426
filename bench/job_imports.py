"""Benchmark 11 (issue 27): what a job's processes import before they work, the package now against
an older commit, side by side in one run.

Every canary and full sort starts a Python process for the job's adapter and another for the
sorter's child, so what they import is paid twice per job, four times per recording: at thousands
of recordings, and in the test suite's few hundred jobs, it adds up. Each case is a fresh
interpreter importing what that process imports (scale_folder.IMPORT_CASES); the package at
``--old-rev`` (exported once into bench/work/, as run_scale.py does) and the working tree's
alternate, A B then B A, so drift in the background load cancels. Measured: the CPU time of each
process (its own and its children's, from os.times) and its wall time, medians. Target: the new
package's CPU per process no higher than the old's (ratio <= 1.0).

    .venv/bin/python bench/job_imports.py --old-rev 6ad7bad          # about a minute
"""

from __future__ import annotations

import os
import subprocess
import time

import common
from run_scale import old_source
from scale_folder import IMPORT_CASES

CASES = ("canary adapter", "sort adapter", "sorter child")


def timed(code: str, pythonpath: str) -> tuple[float, float]:
    """(CPU s, wall s) of one fresh interpreter running ``code``."""
    before, started = os.times(), time.perf_counter()
    subprocess.run([common.PYTHON, "-c", code], check=True, env=common.env(PYTHONPATH=pythonpath))
    after = os.times()
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    return cpu, time.perf_counter() - started


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--old-rev", required=True, help="the commit to compare the working tree's package with")
    args = p.parse_args()
    repeats = args.repeats or (3 if args.quick else 11)
    tests = str(common.REPO / "tests")
    trees = {"old": f"{old_source(args.old_rev)}{os.pathsep}{tests}", "new": f"{common.REPO / 'src'}{os.pathsep}{tests}"}
    record: dict = {"old_rev": args.old_rev, "repeats": repeats, "load_before": common.load(), "cases": {}}
    rows = []
    for label in CASES:
        seen: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for i in range(repeats):
            for which in common.abba(i, ("old", "new")):
                seen[which].append(timed(IMPORT_CASES[label], trees[which]))
        cpu = {k: common.median([c for c, _ in v]) for k, v in seen.items()}
        wall = {k: common.median([w for _, w in v]) for k, v in seen.items()}
        ratio = cpu["new"] / cpu["old"]
        record["cases"][label] = {"cpu_s": cpu, "wall_s": wall, "cpu_ratio": round(ratio, 3), "ok": ratio <= 1.0}
        rows.append([label, f"{cpu['old']:.3f}", f"{cpu['new']:.3f}", f"{ratio:.2f}", f"{wall['old']:.3f}",
                     f"{wall['new']:.3f}", common.verdict(ratio <= 1.0)])
    record["load_after"] = common.load()
    print(common.table(rows, ["process", "CPU s old", "CPU s new", "ratio", "wall s old", "wall s new", "result"]))
    common.save("job_imports", args.quick, record)


if __name__ == "__main__":
    main()
