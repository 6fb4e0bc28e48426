"""Benchmark 3: the workflow's full sort costs no more than calling SpikeInterface directly.

One healthy ground-truth recording (raw .bin + sidecar + probe, 16 channels, default 5 minutes) is
sorted with Kilosort4 on the CPU, in interleaved pairs (ABBA), by

* WORKFLOW: the workflow's sort job alone. Each pair gets a fresh working folder; an untimed first
  ``snakemake`` call runs preflight and the canary (disabled: ``canary.window_s: 0``, so the marker
  is written at once); the timed call is ``snakemake results/sorted/<rec>.sort.json``, which has
  only the sort job left to run. Timed: that whole ``snakemake`` process tree (Snakemake's start-up
  and DAG, the job script, sortcanary's watched sorter child, saving the sorting, publishing, the
  summary), and, inside it, the job's own ``seconds`` from ``logs/sort/<rec>.verdict.json``.
* BARE: ``python bench/_bare_sort.py``: read_binary + probe + ``run_sorter('kilosort4', recording,
  folder=..., torch_device='cpu')``, the same parameters the workflow passes (its sorter_params are
  empty: KS4's defaults), as one whole process.

Target: median of per-pair wall ratios WORKFLOW/BARE <= 1.05 (whole processes on both sides).
Canary and post-sort extras are excluded: the canary is disabled, and so is every post-sort output
(``NO_OUTPUTS``: analyzer, curation, exports, figures, report), which bare ``run_sorter`` does not
make either. benchmark ``postprocess_overhead.py`` measures those on their own.

    .venv/bin/python bench/bench_workflow_vs_bare.py                   # 2 pairs on 5 min x 16 ch (~10 min)
    .venv/bin/python bench/bench_workflow_vs_bare.py --duration 120    # 2 pairs on 2 min x 16 ch (~4 min)
    .venv/bin/python bench/bench_workflow_vs_bare.py --quick           # 1 pair on 30 s x 16 ch
    .venv/bin/python bench/bench_workflow_vs_bare.py --preprocessing neuropixels --threads 1

``--preprocessing PRESET`` gives both sides the same chain: the workflow's ``preprocessing`` key,
and on the bare side the preset's steps through ``apply_preprocessing_pipeline`` with the sorter
parameters the workflow's plan switches (``do_CAR``, ``highpass_cutoff``), read from the plan
itself. The chain makes the recording not binary-compatible, so both sides pay SpikeInterface's
copy into ``recording.dat`` (its seconds are in the sorter's log, its bytes in ``write_bytes``).

Results go to bench/results/workflow_vs_bare_<seconds>s[_<threads>thread][_<preset>].json.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import common

TARGET = 1.05
REC = "rec"
# The `outputs` config section with every post-sort output off (see config/README.md).
NO_OUTPUTS = {"curation": {"enabled": False}, "exporters": {"units_npz": False, "nwb": False},
              "figures": False, "report": False}


def run_workflow(work: Path, data: Path, i: int, threads: int | None, preprocessing: str) -> dict:
    wd = common.fresh(work / f"wf{i}")
    extra = {"threads": threads} if threads else {}
    common.write_config(wd, recordings_dir=str(data), torch_device="cpu", canary={"window_s": 0},
                        outputs=NO_OUTPUTS, preprocessing=preprocessing, **extra)
    prep = common.measured(common.snakemake_cmd(wd, f"results/canary/{REC}.json"), cwd=wd, env=common.env(),
                           output=work / "prep.out")
    if prep["rc"] != 0:
        print(Path(f"{work / 'prep.out'}.err").read_text()[-3000:], file=sys.stderr)
        raise SystemExit("workflow preparation (preflight + disabled canary) failed")
    m = common.measured(common.snakemake_cmd(wd, f"results/sorted/{REC}.sort.json"), cwd=wd, env=common.env(),
                        label=f"pair {i + 1} workflow", output=work / "wf.out")
    err = Path(f"{work / 'wf.out'}.err").read_text()
    if m["rc"] != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit("workflow sort failed")
    jobs = err.count("Finished jobid")
    verdict = json.loads((wd / "logs" / "sort" / f"{REC}.verdict.json").read_text())
    sort_json = json.loads((wd / "results" / "sorted" / REC / "sort.json").read_text())
    stages = common.ks4_stages((wd / "logs" / "sort" / f"{REC}.log").read_text())
    return {"wall_s": m["wall_s"], "maxrss_mib": m["maxrss_mib"], "cpu_s": round(m["user_s"] + m["sys_s"], 2),
            "job_seconds": verdict["seconds"], "units": verdict["units"], "jobs_run": jobs,
            "sorter_params": sort_json["sorter_params"], "write_bytes": m["io"]["write_bytes"],
            "recipe": sort_json.get("recipe"), "copy_s": common.binary_copy_s(wd / "logs" / "sort" / f"{REC}.log"),
            "ks4_stages_s": stages, "load_after": m["load_after"], "workdir": str(wd)}


def bare_recipe(preprocessing: str) -> list[str]:
    """The bare side's arguments for the same chain: the preset's steps and the sorter parameters
    the workflow's plan switches for it (sortcanary.plan.recipe), as _bare_sort.py takes them."""
    from sortcanary.config import validate_config
    from sortcanary.plan.recipe import plan_recipe, resolve_steps, sorter_switches
    from sortcanary.plan.sorters import resolve_backend

    cfg = validate_config({"recordings_dir": ".", "preprocessing": preprocessing})
    switches, _ = sorter_switches(plan_recipe(cfg), resolve_backend("kilosort4").default_params(), {})
    steps = [dict(s) for s in resolve_steps(preprocessing)]
    return (["--steps", json.dumps(steps)] if steps else []) + [f"{k}={json.dumps(v)}" for k, v in switches.items()]


def run_bare(work: Path, raw: Path, i: int, threads: int | None, recipe_args: list[str]) -> dict:
    folder = work / f"bare{i}"
    shutil.rmtree(folder, ignore_errors=True)
    out = work / "bare.out"
    m = common.measured([common.PYTHON, str(common.BENCH / "_bare_sort.py"), str(raw), str(folder), *recipe_args],
                        env=common.env(**({"OMP_NUM_THREADS": str(threads)} if threads else {})),
                        label=f"pair {i + 1} bare", output=out)
    if m["rc"] != 0:
        print(Path(f"{out}.err").read_text()[-3000:], file=sys.stderr)
        raise SystemExit("bare run_sorter failed")
    record = json.loads(out.read_text().strip().splitlines()[-1])
    stages = common.ks4_stages(Path(f"{out}.err").read_text() + out.read_text())
    return {"wall_s": m["wall_s"], "maxrss_mib": m["maxrss_mib"], "cpu_s": round(m["user_s"] + m["sys_s"], 2),
            "run_sorter_s": record["run_sorter_s"], "units": record["units"], "write_bytes": m["io"]["write_bytes"],
            "copy_s": common.binary_copy_s(Path(f"{out}.err")), "ks4_stages_s": stages, "load_after": m["load_after"],
            "folder": str(folder)}


def main() -> int:
    p = common.parser(__doc__)
    common.add_threads(p)
    p.add_argument("--duration", type=float, help="recording length in seconds (default 300; 30 with --quick)")
    common.add_preprocessing(p)
    args = p.parse_args()
    duration = args.duration or (30.0 if args.quick else 300.0)
    recipe_args = bare_recipe(args.preprocessing)
    repeats = args.repeats or (1 if args.quick else 2)
    work = common.WORK / "workflow_vs_bare"
    data = work / f"data_{int(duration)}"
    print(f"benchmark 3: workflow sort job vs bare run_sorter, {duration:.0f} s x 16 ch, {repeats} pairs, "
          f"preprocessing {args.preprocessing}")
    start_load = common.load()
    raw = common.ground_truth_binary(data, REC, duration_s=duration, seed=3)
    pairs = []
    for i in range(repeats):
        pair = {}
        for side in common.abba(i, ("workflow", "bare")):
            pair[side] = (run_workflow(work, data, i, args.threads, args.preprocessing) if side == "workflow"
                          else run_bare(work, raw, i, args.threads, recipe_args))
        pair["ratio_wall"] = pair["workflow"]["wall_s"] / pair["bare"]["wall_s"]
        pair["ratio_job_vs_run_sorter"] = pair["workflow"]["job_seconds"] / pair["bare"]["run_sorter_s"]
        pair["ratio_cpu"] = pair["workflow"]["cpu_s"] / pair["bare"]["cpu_s"]
        pairs.append(pair)
        if not args.keep:
            shutil.rmtree(pair["workflow"]["workdir"], ignore_errors=True)
            shutil.rmtree(pair["bare"]["folder"], ignore_errors=True)

    ratio = common.median(p["ratio_wall"] for p in pairs)
    job_ratio = common.median(p["ratio_job_vs_run_sorter"] for p in pairs)
    cpu_ratio = common.median(p["ratio_cpu"] for p in pairs)
    rows = [[i + 1, p["workflow"]["wall_s"], p["bare"]["wall_s"], p["ratio_wall"], p["workflow"]["job_seconds"],
             p["bare"]["run_sorter_s"], p["ratio_job_vs_run_sorter"], p["workflow"]["units"], p["bare"]["units"]]
            for i, p in enumerate(pairs)]
    print()
    print(common.table(rows, ["pair", "workflow s", "bare s", "wall ratio", "job s (verdict)", "run_sorter s",
                              "job/run_sorter", "units wf", "units bare"]))
    print()
    print(common.table([
        ["wall ratio workflow/bare, whole processes (median)", ratio, f"<= {TARGET}", common.verdict(ratio <= TARGET)],
        ["job seconds / run_sorter seconds (median)", job_ratio, "-", "-"],
        ["cpu ratio workflow/bare (median)", cpu_ratio, "-", "-"],
    ], ["check", "value", "target", "result"]))
    print(f"load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    suffix = (f"_{args.threads}thread" if args.threads else "") + common.preprocessing_suffix(args.preprocessing)
    copy_s = [p[side]["copy_s"] for p in pairs for side in ("workflow", "bare") if p[side]["copy_s"] is not None]
    if copy_s:
        print(f"SpikeInterface's copy into recording.dat (write_binary): {common.median(copy_s):.1f} s median, "
              f"{raw.stat().st_size / 1e6:.0f} MB of recording")
    common.save(f"workflow_vs_bare_{int(duration)}s{suffix}", args.quick, {
        "target": f"median wall ratio workflow sort job / bare run_sorter <= {TARGET}",
        "preprocessing": args.preprocessing, "bare_recipe_args": recipe_args,
        "copy_s_median": common.median(copy_s) if copy_s else None,
        "recording": {"duration_s": duration, "channels": 16, "bytes": raw.stat().st_size},
        "threads": args.threads or "default (every core)", "repeats": repeats, "ratio_wall_median": ratio,
        "ratio_job_vs_run_sorter_median": job_ratio,
        "ratio_cpu_median": cpu_ratio, "pass": ratio <= TARGET, "load_start": start_load, "load_end": common.load(),
        "pairs": pairs,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
