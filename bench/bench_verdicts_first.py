"""Benchmark 6: with one GPU slot, every canary verdict arrives before the first full sort starts.

N healthy ground-truth recordings (default 4, 20 s x 16 channels, raw .bin + sidecar) go through
one real workflow run (``snakemake --cores 2`` with the default profile, whose ``gpu: 1`` lets one
sorter run at a time; real Kilosort4 on the CPU, canary window 10 s: the order is the point, not
the size). The job timeline is read from Snakemake's own job log (``.snakemake/log/*.snakemake.log``:
job start and ``Finished jobid`` lines, 1 s resolution) and cross-checked with the files
(canary verdict written = ``logs/canary/<rec>.verdict.json`` mtime; full sort started = first
timestamp in ``logs/sort/<rec>.log``, ms resolution).

Target: the last canary verdict arrives no later than the first full sort starts. Also reported:
the time from the run's start to the last verdict, against the whole run.

    .venv/bin/python bench/bench_verdicts_first.py            # 4 recordings (~6-10 min)
    .venv/bin/python bench/bench_verdicts_first.py --quick    # 2 recordings
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import common

LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")


def first_log_time(path: Path) -> dt.datetime | None:
    for line in path.read_text(errors="replace").splitlines():
        if m := LOG_TIME.match(line):
            return dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
    return None


def main() -> int:
    args = common.parser(__doc__).parse_args()
    n = 2 if args.quick else 4
    work = common.WORK / "verdicts_first"
    data = work / "data"
    print(f"benchmark 6: time to all verdicts, {n} recordings, one GPU slot")
    start_load = common.load()
    for i in range(n):
        common.ground_truth_binary(data, f"rec{i}", duration_s=20.0, seed=10 + i)
    for stale in data.glob("rec*.bin"):
        if int(stale.stem[3:]) >= n:
            for p in data.glob(f"{stale.stem}.*"):
                p.unlink()
    wd = common.fresh(work / "wd")
    common.write_config(wd, recordings_dir=str(data), torch_device="cpu", canary={"window_s": 10.0})
    m = common.measured(common.snakemake_cmd(wd), cwd=wd, env=common.env(), label="workflow run",
                        output=work / "snakemake.out")
    logs = sorted((wd / ".snakemake" / "log").glob("*.snakemake.log"))
    if m["rc"] != 0 or not logs:
        print(Path(f"{work / 'snakemake.out'}.err").read_text()[-3000:], file=sys.stderr)
        raise SystemExit(f"workflow run failed (rc {m['rc']})")
    jobs = common.parse_job_log(logs[-1].read_text())
    run_start = min(j["start"] for j in jobs)
    canaries = [j for j in jobs if j["rule"] == "canary"]
    sorts = [j for j in jobs if j["rule"] == "sort"]
    if len(canaries) != n or len(sorts) != n or any(j["status"] != "done" for j in canaries + sorts):
        raise SystemExit(f"expected {n} finished canaries and sorts, got {[(j['rule'], j['status']) for j in jobs]}")
    last_verdict = max(j["end"] for j in canaries)
    first_sort = min(j["start"] for j in sorts)
    run_end = max(j["end"] for j in jobs if j["end"])
    ok_log = last_verdict <= first_sort

    verdict_mtimes = {p.name.split(".")[0]: dt.datetime.fromtimestamp(p.stat().st_mtime)
                      for p in (wd / "logs" / "canary").glob("*.verdict.json")}
    sort_starts = {p.stem: first_log_time(p) for p in (wd / "logs" / "sort").glob("*.log")}
    ok_files = max(verdict_mtimes.values()) <= min(sort_starts.values())

    def t(x: dt.datetime) -> float:
        return round((x - run_start).total_seconds(), 3)

    rows = [[j["jobid"], j["rule"], j["recording"] or "-", t(j["start"]), t(j["end"]), j["status"]] for j in jobs]
    print()
    print(common.table(rows, ["jobid", "rule", "recording", "start s", "end s", "status"]))
    print()
    print(common.table([
        ["last canary verdict (job log)", t(last_verdict), "-", "-"],
        ["first full sort start (job log)", t(first_sort), "-", "-"],
        ["last verdict <= first sort start (job log, 1 s)", ok_log, "True", common.verdict(ok_log)],
        ["last verdict <= first sort start (files, ms)", ok_files, "True", common.verdict(ok_files)],
        ["time to all verdicts / whole run", t(last_verdict) / max(t(run_end), 1e-9), "-", "-"],
    ], ["check", "value", "target", "result"]))
    print(f"load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    common.save("verdicts_first", args.quick, {
        "target": "every canary verdict arrives before the first full sort starts (one GPU slot)",
        "recordings": n, "recording_s": 20.0, "canary_window_s": 10.0,
        "last_verdict_s": t(last_verdict), "first_sort_start_s": t(first_sort), "run_s": t(run_end),
        "files": {"last_verdict_mtime_s": t(max(verdict_mtimes.values())),
                  "first_sort_log_line_s": t(min(sort_starts.values()))},
        "pass": ok_log and ok_files, "load_start": start_load, "load_end": common.load(), "wall_s": m["wall_s"],
        "jobs": [{**j, "start": t(j["start"]), "end": t(j["end"]) if j["end"] else None} for j in jobs],
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
