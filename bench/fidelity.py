"""The fidelity map: does the canary's verdict agree with what the full sort would have given?

A grid of generated recordings (5 min x 16 ch, int16 raw binary + sidecar + probe, written with
sortcanary.demo.write_binary_with_sidecar so the canary reads them the real way) goes through

* the canary: ``sortcanary.jobs.canary.run_canary`` with the default canary settings (30 s
  window, 2 confirmation windows, outputs exercised), torch_device cpu;
* a bare full sort: ``spikeinterface.sorters.run_sorter("kilosort4", ...)`` with KS4's defaults,
  torch_device cpu (bench/_bare_sort.py, in its own process), then a SortingAnalyzer's quality
  metrics and ``sortcanary.products.curation.curate`` with the schema's default thresholds.

The full sort *succeeds* when it finds at least one unit that passes curation. Each cell is then
agree (canary passes and the full sort succeeds, or the canary blocks and it doesn't), a **false
block** (the canary blocks a recording the full sort would have sorted) or a **miss** (the canary
passes a recording whose full sort fails or keeps nothing). Target: no false block, no miss.

The grid: firing rate (0.2, 1, 5 Hz per unit) x amplitude (low SNR: template amplitude 25-50 uV
on 5 uV noise; normal: SpikeInterface's default 100-500 uV), plus a quiet first minute (no spike
before 60 s), drift (SpikeInterface's zigzag, +-20 um), dead channels (3 of 16 zeroed), line
noise (50 Hz + 150 Hz added) and a silent recording (noise only: the block the canary must make).
Cells run one after another; the JSON is rewritten after each, so a long run can be polled.

    nice -n 5 .venv/bin/python bench/fidelity.py            # 11 cells, 5 min each (~1-2 h on 2 cores)
    nice -n 5 .venv/bin/python bench/fidelity.py --quick    # 2 cells, 60 s each
    nice -n 5 .venv/bin/python bench/fidelity.py --cells drift,silent

Writes bench/results/fidelity.json and bench/results/fidelity.png (the map).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import common

FS = 25_000.0
CHANNELS = 16
UNITS = 10
NOISE_UV = 5.0  # generate_ground_truth_recording's default noise level
LOW_ALPHA, NORMAL_ALPHA = (25.0, 50.0), (100.0, 500.0)  # template amplitude ranges, uV
RATES = (0.2, 1.0, 5.0)
DEAD = (3, 8, 12)
LINE = ((50.0, 100.0), (150.0, 20.0))  # (Hz, uV): the mains and its third harmonic
QUIET_S = 60.0

# name -> how to make it; "pos" places the cell in the figure (panel, row, column).
CELLS = {f"{rate:g}Hz-{amp}": {"kind": "gt", "rate": rate, "alpha": alpha, "pos": ("grid", row, col)}
         for row, (amp, alpha) in enumerate((("low", LOW_ALPHA), ("normal", NORMAL_ALPHA)))
         for col, rate in enumerate(RATES)}
CELLS.update({
    "quiet-first-min": {"kind": "gt", "rate": 5.0, "alpha": NORMAL_ALPHA, "quiet_s": QUIET_S, "pos": ("extra", 0, 0)},
    "drift": {"kind": "drift", "pos": ("extra", 0, 1)},
    "dead-channels": {"kind": "gt", "rate": 5.0, "alpha": NORMAL_ALPHA, "dead": DEAD, "pos": ("extra", 0, 2)},
    "line-noise": {"kind": "gt", "rate": 5.0, "alpha": NORMAL_ALPHA, "line": LINE, "pos": ("extra", 0, 3)},
    "silent": {"kind": "silent", "pos": ("extra", 0, 4)},
})
QUICK_CELLS = ("5Hz-normal", "0.2Hz-low")
COLOURS = {"agree": "#4caf50", "false block": "#e53935", "miss": "#fb8c00"}


# -- recordings ----------------------------------------------------------------------------------


def as_int16(recording):
    """int16 with an Intan-like gain, as sortcanary.demo stores its recordings."""
    import spikeinterface.preprocessing as spre

    from sortcanary.demo import GAIN_TO_UV

    scaled = spre.scale(recording, gain=1.0 / GAIN_TO_UV, offset=0.0, dtype="int16")
    scaled.set_channel_gains(GAIN_TO_UV)
    scaled.set_channel_offsets(0.0)
    return scaled


def ground_truth(spec: dict, duration_s: float, seed: int):
    from spikeinterface.core import NumpySorting, generate_ground_truth_recording, generate_sorting

    sorting = generate_sorting(num_units=UNITS, sampling_frequency=FS, durations=[duration_s],
                               firing_rates=spec["rate"], refractory_period_ms=4.0, seed=seed)
    if spec.get("quiet_s"):
        spikes = sorting.to_spike_vector()
        sorting = NumpySorting(spikes[spikes["sample_index"] >= spec["quiet_s"] * FS], FS, sorting.unit_ids)
    recording, _ = generate_ground_truth_recording(
        durations=[duration_s], sampling_frequency=FS, num_channels=CHANNELS, sorting=sorting, seed=seed,
        noise_kwargs={"noise_levels": NOISE_UV, "strategy": "on_the_fly"},
        generate_templates_kwargs={"unit_params": {"alpha": spec["alpha"]}})
    return as_int16(recording)


def drifting(duration_s: float, seed: int):
    from spikeinterface.generation import generate_drifting_recording

    probe = {"num_columns": 2, "num_contact_per_column": CHANNELS // 2, "xpitch": 20, "ypitch": 20,
             "contact_shapes": "circle", "contact_shape_params": {"radius": 6}}
    motion = {"displacement_sampling_frequency": 5.0, "drift_start_um": [0, 20], "drift_stop_um": [0, -20],
              "drift_step_um": 1, "motion_list": [{"drift_mode": "zigzag", "non_rigid_gradient": None,
                                                   "t_start_drift": min(60.0, duration_s / 4), "t_end_drift": None,
                                                   "period_s": 200}]}
    _, recording, _ = generate_drifting_recording(
        num_units=UNITS, duration=duration_s, sampling_frequency=FS, generate_probe_kwargs=probe,
        generate_displacement_vector_kwargs=motion, seed=seed)
    return as_int16(recording)


def damage(raw: Path, spec: dict) -> None:
    """Zero the dead channels and add the line noise, in place in the int16 file."""
    meta = json.loads(raw.with_suffix(".json").read_text())
    data = np.memmap(raw, dtype=meta["dtype"], mode="r+").reshape(-1, meta["num_channels"])
    rng = np.random.default_rng(0)
    scale = rng.uniform(0.5, 1.5, meta["num_channels"])  # not purely common-mode: CAR alone can't remove it
    step = int(FS * 10)
    for start in range(0, len(data), step):
        block = data[start:start + step].astype("float64")
        t = (start + np.arange(len(block)))[:, None] / FS
        for hz, uv in spec.get("line", ()):
            block += scale * uv / meta["gain_to_uV"] * np.sin(2 * np.pi * hz * t)
        block[:, list(spec.get("dead", ()))] = 0
        data[start:start + step] = np.clip(np.round(block), -32768, 32767).astype(meta["dtype"])
    data.flush()


def make_recording(name: str, spec: dict, folder: Path, duration_s: float, seed: int) -> Path:
    """The cell's raw recording (cached by its parameters in bench/work/fidelity/)."""
    from sortcanary.demo import silent, write_binary_with_sidecar

    key = {k: v for k, v in spec.items() if k != "pos"} | {"duration_s": duration_s, "seed": seed, "v": 1}
    key = json.loads(json.dumps(key))
    stamp, raw = folder / f".{name}.params.json", folder / f"{name}.bin"
    if raw.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == key:
        return raw
    folder.mkdir(parents=True, exist_ok=True)
    if spec["kind"] == "gt":
        recording = ground_truth(spec, duration_s, seed)
    elif spec["kind"] == "drift":
        recording = drifting(duration_s, seed)
    else:
        recording = silent(duration_s, CHANNELS, seed, like=ground_truth(CELLS["5Hz-normal"], 1.0, seed))
    write_binary_with_sidecar(recording, folder, name)
    if spec.get("dead") or spec.get("line"):
        damage(raw, spec)
    stamp.write_text(json.dumps(key))
    return raw


# -- the two sides ---------------------------------------------------------------------------------


def canary_side(raw: Path, work: Path) -> dict:
    from sortcanary.config import validate_config
    from sortcanary.jobs.canary import run_canary
    from sortcanary.jobs.records import EXIT_BLOCKED
    from sortcanary.recordings import entry_for_path

    cfg = validate_config({"recordings_dir": str(raw.parent), "torch_device": "cpu"})
    code, record = run_canary(entry_for_path(raw), cfg, scratch=work / "canary", log_path=work / "canary.log")
    windows = [f"{w['start_s']:g}+{w['duration_s']:g}s:{w['outcome']}" for w in record.get("windows", [])]
    return {"blocks": code == EXIT_BLOCKED, "verdict": record["verdict"], "seconds": record["seconds"],
            "class": f"{record['category']}/{record['error_class']}" if code == EXIT_BLOCKED else None,
            "units": record.get("units"), "windows": windows, "message": record.get("message")}


def full_side(raw: Path, work: Path) -> dict:
    """The bare KS4 sort in its own process, then metrics and curation with the schema's defaults."""
    from sortcanary.classification import classify_text
    from sortcanary.config import validate_config

    folder = work / "full"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.monotonic()
    done = subprocess.run([common.PYTHON, str(common.BENCH / "_bare_sort.py"), str(raw), str(folder)],
                          check=False, capture_output=True, text=True, env=common.env())
    seconds = round(time.monotonic() - started, 1)
    (work / "full.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        verdict = classify_text(done.stderr)
        last = [line for line in done.stderr.splitlines() if line.strip()][-1:]
        return {"ok": False, "sort_failed": True, "seconds": seconds, "raw_units": 0, "curated_units": 0,
                "class": f"{verdict.category}/{verdict.error_class}" if verdict else "unclassified",
                "error": last[0][:300] if last else f"rc {done.returncode}"}
    from spikeinterface.sorters import read_sorter_folder

    from sortcanary.products.analyzer import build_analyzer, metrics_table
    from sortcanary.products.curation import curate
    from sortcanary.recordings import entry_for_path, open_recording

    cfg = validate_config({"recordings_dir": str(raw.parent)})
    sorting = read_sorter_folder(folder)
    metrics = None
    started = time.monotonic()
    if len(sorting.unit_ids):
        analyzer = build_analyzer(open_recording(entry_for_path(raw)), sorting, work / "analyzer",
                                  cfg["outputs"]["analyzer"], cfg["job_kwargs"])
        metrics = metrics_table(analyzer)
    curation = curate(metrics, cfg["outputs"]["curation"])
    kept = None if metrics is None else metrics.loc[[u for u in metrics.index if u in set(curation["curated_units"])]]
    reasons: dict[str, int] = {}
    for dropped in curation["dropped"]:
        for reason in dropped["reasons"]:
            key = reason.split(" (")[-1].rstrip(")")
            reasons[key] = reasons.get(key, 0) + 1
    return {"ok": bool(curation["curated_units"]), "sort_failed": False, "seconds": seconds,
            "metrics_seconds": round(time.monotonic() - started, 1), "raw_units": len(curation["raw_units"]),
            "curated_units": len(curation["curated_units"]), "dropped_by": reasons,
            "dropped": curation["dropped"][:20],
            "median_snr_curated": round(float(kept["snr"].median()), 1) if kept is not None and len(kept) else None}


def outcome(canary: dict, full: dict) -> str:
    if canary["blocks"] != full["ok"]:
        return "agree"
    return "false block" if canary["blocks"] else "miss"


# -- report ----------------------------------------------------------------------------------------


def describe(cell: dict) -> tuple[str, str]:
    c, f = cell["canary"], cell["full"]
    canary = f"block {c['class']}" if c["blocks"] else f"{c['verdict']} ({c['units']} units)"
    if len(c["windows"]) > 1:
        canary += f", {len(c['windows'])} windows"
    full = f"failed {f['class']}" if f["sort_failed"] else f"{f['curated_units']}/{f['raw_units']} curated"
    return canary, full


def figure(cells: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, (grid, extra) = plt.subplots(1, 2, figsize=(15, 4.2), gridspec_kw={"width_ratios": [3, 5]})
    axes = {"grid": grid, "extra": extra}
    for name, cell in cells.items():
        panel, row, col = CELLS[name]["pos"]
        ax = axes[panel]
        ax.add_patch(plt.Rectangle((col, row), 0.96, 0.96, color=COLOURS[cell["outcome"]]))
        canary, full = describe(cell)
        label = name if panel == "extra" else ""
        text = f"{label}\ncanary: {canary}\nfull sort: {full}".strip().replace(" biological/", "\nbiological/")
        ax.text(col + 0.48, row + 0.48, text.replace(" environment/", "\nenvironment/"), ha="center", va="center",
                fontsize=7)
    grid.set(xlim=(0, 3), ylim=(0, 2), xticks=np.arange(3) + 0.48, yticks=np.arange(2) + 0.48,
             xticklabels=[f"{r:g} Hz/unit" for r in RATES],
             yticklabels=["low SNR\n(25-50 uV)", "normal SNR\n(100-500 uV)"],
             title="firing rate x amplitude")
    extra.set(xlim=(0, 5), ylim=(0, 1), xticks=[], yticks=[], title="quiet start, drift, dead channels, line noise, "
              "silent (5 Hz/unit, normal SNR)")
    for ax in axes.values():
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
    fig.legend(handles=[Patch(color=c, label=k) for k, c in COLOURS.items()], loc="lower center", ncol=3)
    fig.suptitle("Fidelity map: canary verdict vs bare Kilosort4 full sort + default curation")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def previous_cells(quick: bool, duration: float) -> dict:
    """The cells of the result file for recordings of this length: --cells adds to them."""
    path = common.RESULTS / f"fidelity{'.quick' if quick else ''}.json"
    if not path.is_file():
        return {}
    record = json.loads(path.read_text())
    return record["cells"] if record["recording"]["duration_s"] == duration else {}


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--cells", help=f"comma-separated cells to run (default: all): {', '.join(CELLS)}")
    p.add_argument("--duration", type=float, help="recording length in s (default 300; 60 with --quick)")
    p.add_argument("--canary-only", action="store_true", help="re-run only the canary side of the chosen cells "
                   "and keep their full sorts from the result file (a bare KS4 sort doesn't depend on sortcanary)")
    args = p.parse_args()
    names = args.cells.split(",") if args.cells else list(QUICK_CELLS if args.quick else CELLS)
    unknown = [n for n in names if n not in CELLS]
    if unknown:
        raise SystemExit(f"--cells: unknown {unknown}; choose from {list(CELLS)}")
    duration = args.duration or (60.0 if args.quick else 300.0)
    work = common.WORK / "fidelity"
    cells = previous_cells(args.quick, duration) if args.cells else {}
    missing = [n for n in names if n not in cells]
    if args.canary_only and missing:
        raise SystemExit(f"--canary-only: no full sort of {missing} at {duration:g} s in the result file; "
                         "run them whole")
    print(f"fidelity map: {len(names)} cells, {duration:g} s x {CHANNELS} ch each", flush=True)
    start_load = common.load()
    for name in names:
        spec = CELLS[name]
        cell_work = common.fresh(work / "runs" / name)
        raw = make_recording(name, spec, work / "data", duration, seed=list(CELLS).index(name) + 10)
        load_before = common.load()["loadavg"]
        canary = canary_side(raw, cell_work)
        print(f"  {name}: canary {canary['verdict']} {canary['class'] or ''} in {canary['seconds']:.0f} s", flush=True)
        full = cells[name]["full"] if args.canary_only else full_side(raw, cell_work)
        print(f"  {name}: full sort {describe({'canary': canary, 'full': full})[1]} in {full['seconds']:.0f} s",
              flush=True)
        cells[name] = {"spec": {k: v for k, v in spec.items() if k != "pos"}, "canary": canary, "full": full,
                       "outcome": outcome(canary, full), "code": common.code_version(), "load_before": load_before,
                       "load_after": common.load()["loadavg"]}
        if not args.keep:
            shutil.rmtree(cell_work / "full", ignore_errors=True)
            shutil.rmtree(cell_work / "analyzer", ignore_errors=True)
        cells = {n: cells[n] for n in CELLS if n in cells}
        counts = {k: sum(c["outcome"] == k for c in cells.values()) for k in COLOURS}
        common.save("fidelity", args.quick, {
            "target": "no false block (canary blocks, full sort keeps curated units) and no miss (canary passes, "
                      "full sort fails or keeps nothing)",
            "recording": {"duration_s": duration, "channels": CHANNELS, "units": UNITS, "sampling_frequency": FS,
                          "noise_uV": NOISE_UV}, "counts": counts,
            "pass": counts["false block"] == 0 and counts["miss"] == 0,
            "load_start": start_load, "load_end": common.load(), "cells": cells})
    rows = [[name, *describe(c), c["outcome"], c["canary"]["seconds"], c["full"]["seconds"]]
            for name, c in cells.items()]
    print()
    print(common.table(rows, ["cell", "canary", "full sort (curated/raw units)", "outcome", "canary s", "full sort s"]))
    print(f"\n{counts}; load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    png = work / "fidelity.quick.png" if args.quick else common.RESULTS / "fidelity.png"  # quick runs aren't kept
    figure(cells, png)
    print(f"wrote {png.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
