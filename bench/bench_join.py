"""Benchmark 10: the cost of `join: runs` against sorting the runs separately.

One generated ground-truth recording of two runs (a two-segment SpikeInterface folder, 16 channels,
int16; default 2 x 60 s) goes through the workflow twice, in fresh working folders, with the same
canary window and every post-sort output off (the sort is what is compared):

A. ``join: runs``: the runs joined end to end and sorted once (one canary, one full sort), the
   sorting split back per run (results/sorted/<rec>/runs/).
B. ``join: none``: one recording per run, <rec>__seg0 and <rec>__seg1 (two canaries, two sorts).

Each is one measured ``snakemake`` call (bench/_measured.py): wall time, CPU time, and the bytes
the whole process tree wrote (/proc/<pid>/io write_bytes: every page dirtied, scratch copies
included), plus the bytes left in results/ and in the scratch folder. Nothing is judged: the
numbers say what the join costs (one sorter start less; the concatenated recording is not a plain
binary file, so the sorter's copy of the traces is written by SpikeInterface in both cases).

    .venv/bin/python bench/bench_join.py            # 2 x 60 s (~10 min on 2 cores)
    .venv/bin/python bench/bench_join.py --quick    # 2 x 15 s
"""

from __future__ import annotations

import common

REC = "rec"


def two_runs(folder, run_s: float, channels: int = 16, units: int = 10):
    """The two-run recording, saved once per size (cached under bench/work/)."""
    from sortcanary.demo import ground_truth

    target = folder / f"{REC}-{run_s:g}s"
    if not (target / "si_folder.json").is_file():
        ground_truth([run_s, run_s], channels, units, seed=0)[0].save(folder=target, overwrite=True)
    return target


def run(mode: str, source, window_s: float) -> dict:
    workdir = common.fresh(common.WORK / f"join-{mode}")
    recordings = workdir / "recordings"
    recordings.mkdir()
    (recordings / REC).symlink_to(source)
    common.write_config(workdir, recordings_dir=str(recordings), torch_device="cpu", join=mode,
                        canary={"window_s": window_s, "exercise_outputs": False},
                        outputs={"curation": {"enabled": False}, "exporters": {"units_npz": False, "nwb": False},
                                 "figures": False, "report": False})
    targets = [f"results/sorted/{REC}.sort.json"] if mode == "runs" else [
        f"results/sorted/{REC}__seg{k}.sort.json" for k in (0, 1)]
    record = common.measured(common.snakemake_cmd(workdir, "--keep-going", *targets), cwd=workdir, env=common.env(),
                             label=f"join: {mode}", output=workdir / "console.txt")
    return {"mode": mode, "rc": record["rc"], "wall_s": record["wall_s"],
            "cpu_s": round(record["user_s"] + record["sys_s"], 1),
            "write_bytes": record["io"].get("write_bytes"), "results_bytes": common.tree_bytes(workdir / "results"),
            "scratch_bytes": common.tree_bytes(workdir / "scratch"), "load_after": record["load_after"]}


def main() -> None:
    args = common.parser(__doc__).parse_args()
    run_s, window_s = (15.0, 10.0) if args.quick else (60.0, 30.0)
    source = two_runs(common.WORK, run_s)
    load = common.load()
    rows = [run(mode, source, window_s) for i in range(args.repeats or 1) for mode in common.abba(i, ("runs", "none"))]
    recording_bytes = common.tree_bytes(source)
    print(common.table([[r["mode"], r["rc"], r["wall_s"], r["cpu_s"], r["write_bytes"] / 2**20,
                         r["results_bytes"] / 2**20] for r in rows],
                       ["join", "rc", "wall s", "CPU s", "written MiB", "results MiB"]))
    medians = {mode: {key: common.median([r[key] for r in rows if r["mode"] == mode])
                      for key in ("wall_s", "cpu_s", "write_bytes", "results_bytes")} for mode in ("runs", "none")}
    joined, separate = medians["runs"], medians["none"]
    ratios = {key: round(joined[key] / separate[key], 3) for key in joined}
    print(f"\njoined / separate (medians): {ratios}; recording {recording_bytes / 2**20:.1f} MiB")
    common.save("join_cost", args.quick, {
        "run_s": run_s, "window_s": window_s, "recording_bytes": recording_bytes, "load_before": load, "rows": rows,
        "medians": medians, "joined_over_separate": ratios})


if __name__ == "__main__":
    main()
