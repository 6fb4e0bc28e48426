"""Benchmark 1: the canary's cost does not grow with the recording's length.

Two raw recordings (.bin + JSON sidecar + probe JSON, 16 channels, int16) share the same first
minutes of ground-truth data: a SHORT one of 2 minutes, and a LONG one of 8 hours whose raw file is
the same 2 minutes extended *sparsely* (``truncate``) to the 8-hour size. Discovery sees an 8-hour
recording (it only reads the sidecar and the file size); a canary that read past its window would
read gigabytes of zeros and show it in the I/O counters.

Each pair runs ``sortcanary canary PATH --config CFG`` (default 30 s window, torch_device cpu,
preflight off: the workflow runs preflight once, not per canary) on both recordings, interleaved
(ABBA), and measures the whole process tree (bench/_measured.py): wall time, peak RSS of its
largest process, bytes read. Targets: median ratio long/short <= 1.2 for wall time and peak RSS.

    .venv/bin/python bench/bench_canary_length.py            # 3 pairs, 30 s window (~7 min)
    .venv/bin/python bench/bench_canary_length.py --quick    # 1 pair, 10 s window
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

import common

TARGET = 1.2
LONG_HOURS = 8.0


def make_long(short: Path, folder: Path, hours: float) -> Path:
    """The short recording's data, its raw file extended sparsely to ``hours``."""
    long_raw = common.copy_recording(short, folder, "long")  # a copy: truncate must not extend the short one
    meta = json.loads(long_raw.with_suffix(".json").read_text())
    frame_bytes = meta["num_channels"] * np.dtype(meta["dtype"]).itemsize
    frames = int(round(hours * 3600 * meta["sampling_frequency"]))
    os.truncate(long_raw, frames * frame_bytes)
    return long_raw


def main() -> int:
    args = common.parser(__doc__).parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    window_s = 10.0 if args.quick else 30.0
    short_s = 60.0 if args.quick else 120.0
    work = common.WORK / "canary_length"
    data = work / "data"
    print(f"benchmark 1: canary cost vs recording length ({repeats} pairs, window {window_s:.0f} s)")
    start_load = common.load()
    short = common.ground_truth_binary(data, "short", duration_s=short_s)
    long_ = make_long(short, data, LONG_HOURS)

    from sortcanary.recordings import entry_for_path

    entries = {"short": entry_for_path(short), "long": entry_for_path(long_)}
    recordings = {name: {"path": str(e.path), "duration_s": e.duration_s, "apparent_bytes": os.path.getsize(e.path),
                         "allocated_bytes": common.allocated_bytes(short if name == "short" else long_)}
                  for name, e in entries.items()}
    for name, rec in recordings.items():
        print(f"  {name}: {rec['duration_s'] / 3600:.2f} h, {rec['apparent_bytes'] / 1e9:.2f} GB apparent, "
              f"{rec['allocated_bytes'] / 1e6:.0f} MB on disk")

    cfg = common.write_config(work, recordings_dir=str(data), torch_device="cpu", canary={"window_s": window_s},
                              preflight={"enabled": False})
    runs = []
    for i in range(repeats):
        for name in common.abba(i, ("short", "long")):
            out = work / f"run{i}-{name}.out"
            m = common.measured([str(common.BIN / "sortcanary"), "canary", recordings[name]["path"], "--config",
                                 str(cfg)], env=common.env(), label=f"pair {i + 1} {name}", output=out)
            record = json.loads(out.read_text()) if m["rc"] == 0 else {}
            if m["rc"] != 0 or record.get("verdict") != "pass":
                print(Path(f"{out}.err").read_text()[-3000:], file=sys.stderr)
                raise SystemExit(f"canary on {name} did not pass (rc {m['rc']}); see above")
            stages = common.ks4_stages(Path(record["log"]).read_text())
            shutil.rmtree(os.path.dirname(record["log"]), ignore_errors=True)
            runs.append({"pair": i, "recording": name, "wall_s": m["wall_s"], "maxrss_mib": m["maxrss_mib"],
                         "cpu_s": round(m["user_s"] + m["sys_s"], 2), "sys_s": m["sys_s"],
                         "canary_seconds": record["seconds"], "units": record["units"], "window": record["window"],
                         "rchar": m["io"]["rchar"], "read_bytes": m["io"]["read_bytes"],
                         "write_bytes": m["io"]["write_bytes"], "load_after": m["load_after"],
                         "ks4_stages_s": stages})

    def med(name, key):
        return common.median(r[key] for r in runs if r["recording"] == name)

    def pair_ratios(key):
        by_pair = {}
        for r in runs:
            by_pair.setdefault(r["pair"], {})[r["recording"]] = r[key]
        return [p["long"] / p["short"] for p in by_pair.values()]

    ratios = {key: common.median(pair_ratios(key)) for key in ("wall_s", "maxrss_mib", "canary_seconds", "rchar")}
    rows = []
    for key, label, target in (("wall_s", "wall time (s)", TARGET), ("maxrss_mib", "peak RSS (MiB)", TARGET),
                               ("canary_seconds", "canary verdict seconds", None),
                               ("rchar", "bytes read (rchar)", None)):
        short_v, long_v = med("short", key), med("long", key)
        if key == "rchar":
            short_v, long_v = short_v / 1e6, long_v / 1e6
        shown = "MB read (rchar)" if key == "rchar" else label
        rows.append([shown, short_v, long_v, ratios[key], f"<= {target}" if target else "-",
                     common.verdict(ratios[key] <= target) if target else "-"])
    print()
    print(common.table(rows, ["metric (median)", f"{short_s / 60:g} min", f"{LONG_HOURS:.0f} h", "ratio long/short",
                              "target", "result"]))
    print(f"load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    ok = ratios["wall_s"] <= TARGET and ratios["maxrss_mib"] <= TARGET
    common.save("canary_length", args.quick, {
        "target": f"median long/short ratio <= {TARGET} for wall time and peak RSS",
        "window_s": window_s, "repeats": repeats, "recordings": recordings,
        "ratios_median_of_pairs": ratios, "pass": ok, "load_start": start_load, "load_end": common.load(),
        "runs": runs,
    })
    if not args.keep:
        for p in work.glob("run*.out*"):
            p.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
