"""Benchmark: a full sort's forecast from its canary against the sort itself.

For each generated ground-truth recording (2, 10 and 30 minutes; --quick: 1 and 3 minutes, 16
channels), the real workflow on this machine (Kilosort4 on the CPU, default config, canary window
30 s):

1. runs the canary alone (``snakemake ... results/canary/<rec>.json``), under bench/_measured.py:
   its verdict record holds what it measured (``measured``: window, sort, data-pass and outputs seconds);
2. computes the full sort's forecast (sortcanary.plan.resources.forecast_seconds) and requests
   (``sized_runtime_min``, ``sized_mem_mb``) from that record, exactly as the sort rule does;
3. runs the full sort, under bench/_measured.py.

Compared: forecast seconds vs the full-sort job's own seconds (sort.json ``seconds``: sorter and
post-sort outputs; target within +-30 %), and the memory request vs the full sort's peak RSS
(the larger of the sorter tree's peak in sort.json and the job's largest process; target: never
under). The canary's own peak is the runner's (``peak_rss_bytes``, summed over the sorter's
process tree). The requested runtime is shown beside the actual time (it must be above it: it
carries RUNTIME_SAFETY and RUNTIME_OVERHEAD_MIN).

    PYTHONPATH=src .venv/bin/python bench/forecast.py --threads 1  # 2, 10, 30 min x 32 ch (about 75 min)
    PYTHONPATH=src .venv/bin/python bench/forecast.py --quick    # 1, 3 min x 16 ch
"""

from __future__ import annotations

import json
from pathlib import Path

import common

FULL = {"minutes": [2, 10, 30], "channels": 32, "units": 20}
QUICK = {"minutes": [1, 3], "channels": 16, "units": 10}  # 8 channels starve KS4 detection
TIME_TOLERANCE = 0.30


def one(minutes: float, sizes: dict, work: Path, threads: int | None) -> dict:
    from sortcanary import layout
    from sortcanary.plan import resources

    stem = f"rec_{minutes:g}min_{sizes['channels']}ch"
    recordings = common.WORK / "forecast-recordings"
    raw = common.ground_truth_binary(recordings / stem, stem, duration_s=minutes * 60.0, channels=sizes["channels"],
                                     units=sizes["units"])
    workdir = common.fresh(work / stem)
    common.write_config(workdir, recordings_dir=str(raw.parent), torch_device="cpu",
                        **({"threads": threads} if threads else {}))
    env = common.env()
    canary = common.measured(common.snakemake_cmd(workdir, layout.MARKER.format(recording=stem)), cwd=workdir, env=env,
                             label=f"{stem} canary", output=workdir / "canary.out")
    record = json.loads((workdir / layout.CANARY_VERDICT.format(recording=stem)).read_text())
    measured = record.get("measured")
    assert canary["rc"] == 0 and measured and measured.get("peak_rss_bytes"), \
        f"the canary of {stem} measured nothing: see {workdir}"
    entry = json.loads((raw.with_suffix(".json")).read_text())
    duration_s = minutes * 60.0
    channels = sizes["channels"]
    forecast_s = resources.forecast_seconds(measured, duration_s)
    runtime_min = resources.sized_runtime_min({"measured": measured}, duration_s, channels)
    mem_mb = resources.sized_mem_mb({"measured": measured}, duration_s, channels)
    sort = common.measured(common.snakemake_cmd(workdir, layout.SORT_DONE.format(recording=stem)), cwd=workdir,
                           env=env, label=f"{stem} full sort", output=workdir / "sort.out")
    done = json.loads((workdir / layout.SORT_DONE.format(recording=stem)).read_text())
    actual_s = float(done["seconds"])
    # the larger of the sorter tree's peak (what the memory watchdog holds against the request) and
    # the largest process of the job measured from outside
    peak_mb = max(done.get("peak_rss_bytes") or 0, sort["maxrss_mib"] * 2**20) / resources.MB
    return {"recording": stem, "minutes": minutes, "channels": channels, "sidecar": entry, "measured": measured,
            "canary_run": canary, "sort_run": sort, "forecast_s": round(forecast_s, 1),
            "actual_s": actual_s, "sorter_s": done.get("sort_seconds"),
            "time_error": round(forecast_s / actual_s - 1, 3), "runtime_request_min": runtime_min,
            "formula_runtime_min": resources.sort_runtime_min(duration_s, channels),
            "mem_request_mb": mem_mb, "formula_mem_mb": resources.sort_mem_mb(duration_s, channels),
            "actual_peak_mb": round(peak_mb, 1), "mem_headroom": round(mem_mb / peak_mb - 1, 3)}


def main() -> int:
    parser = common.parser(__doc__)
    common.add_threads(parser)
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    threads = args.threads
    work = common.WORK / "forecast"
    started = common.load()
    rows = [one(m, sizes, work, threads) for m in sizes["minutes"]]
    print()
    print(common.table([[r["recording"], r["measured"]["window_s"], r["forecast_s"], r["actual_s"],
                         f"{r['time_error']:+.0%}", r["runtime_request_min"], r["formula_runtime_min"],
                         r["mem_request_mb"], r["actual_peak_mb"], f"{r['mem_headroom']:+.0%}", r["formula_mem_mb"]]
                        for r in rows],
                       ["recording", "window s", "forecast s", "actual s", "time err", "req min", "formula min",
                        "req MB", "peak MB", "mem headroom", "formula MB"]))
    time_ok = all(abs(r["time_error"]) <= TIME_TOLERANCE for r in rows)
    mem_ok = all(r["mem_headroom"] >= 0 for r in rows)
    runtime_ok = all(r["runtime_request_min"] * 60 >= r["actual_s"] for r in rows)
    print()
    print(common.table([["forecast time within +-30 % of the full sort's", common.verdict(time_ok)],
                        ["memory request >= the full sort's peak RSS", common.verdict(mem_ok)],
                        ["runtime request >= the full sort's time", common.verdict(runtime_ok)]], ["check", "result"]))
    common.save("forecast", args.quick, {"sizes": sizes, "threads": threads, "load_start": started,
                                         "load_end": common.load(), "rows": rows,
                                         "checks": {"time": time_ok, "memory": mem_ok, "runtime": runtime_ok}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
