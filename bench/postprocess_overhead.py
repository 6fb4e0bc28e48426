"""How much the post-sort step adds to a sort: analyzer + curation + exports (+ figures, report)
against the sort itself, on the same recording, through the jobs' own sort_plan.

    .venv/bin/python bench/postprocess_overhead.py                       # 60 s x 32 ch, CPU
    .venv/bin/python bench/postprocess_overhead.py --duration 300 --device cuda --phy-reexport

It prints one line per stage and the ratio post-sort / sort. --phy-reexport also times what the
phy exporter deliberately does not do (SpikeInterface's export_to_phy with PC features, on the
same analyzer), for comparison.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of recording (default 60)")
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--n-jobs", type=int, default=1, help="job_kwargs.n_jobs for the analyzer")
    parser.add_argument("--nwb", action="store_true", help="also export NWB (needs pynwb)")
    parser.add_argument("--phy-reexport", action="store_true", help="also time SpikeInterface's export_to_phy")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()

    from sortcanary.config import validate_config
    from sortcanary.demo import ground_truth
    from sortcanary.jobs.execute import sort_plan
    from sortcanary.plan.sortplan import plan_full_sort
    from sortcanary.recordings import entry_for_path

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sortcanary-bench-"))
    recording, _ = ground_truth(args.duration, args.channels, args.units, seed=0)
    recording.save(folder=work / "recordings" / "bench", overwrite=True)
    entry = entry_for_path(work / "recordings" / "bench")
    cfg = validate_config({
        "recordings_dir": str(work / "recordings"), "torch_device": args.device,
        "job_kwargs": {"n_jobs": args.n_jobs}, "outputs": {"exporters": {"nwb": args.nwb}},
    })
    outcome = sort_plan(plan_full_sort(cfg, entry), dest=work / "out", workdir=work / "child",
                        log_path=work / "bench.log")
    outputs = outcome["outputs"]
    sort_s, post_s = outcome["sort_seconds"], outputs["seconds"]
    print(f"recording      {args.duration:.0f} s x {args.channels} ch, {outcome['units']} units "
          f"({outputs.get('units_curated', '-')} curated), device {args.device}, n_jobs {args.n_jobs}")
    print(f"sort           {sort_s:8.1f} s   (child process, incl. start-up)")
    for name, seconds in outputs["timings"].items():
        print(f"  {name:<12} {seconds:8.1f} s")
    print(f"post-sort      {post_s:8.1f} s   (child process, incl. start-up)")
    print(f"ratio          {post_s / sort_s:8.2f}   (post-sort / sort)")
    if args.phy_reexport:
        from spikeinterface.core import load_sorting_analyzer
        from spikeinterface.exporters import export_to_phy

        analyzer = load_sorting_analyzer(work / "out" / "analyzer")
        started = time.monotonic()
        export_to_phy(analyzer, work / "phy_reexport", compute_pc_features=True, copy_binary=False,
                      n_jobs=args.n_jobs, progress_bar=False)
        phy_s = time.monotonic() - started
        print(f"export_to_phy  {phy_s:8.1f} s   ({phy_s / sort_s:.2f} x sort; not done by sortcanary)")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
