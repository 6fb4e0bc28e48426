"""Benchmark 4: a full sort of a binary-compatible recording writes no copy of the traces.

One healthy raw recording (.bin + sidecar + probe, 16 channels, int16, default 2 minutes) goes
through the workflow in a fresh working folder, in two measured ``snakemake`` calls:

A. ``snakemake results/canary/<rec>.json`` (preflight + canary, default 30 s window). The canary's
   window is a slice, which Kilosort4 can't read in place, so SpikeInterface writes it to a binary
   file: this is the CONTROL, proving that the counter sees a trace copy when there is one.
B. ``snakemake results/sorted/<rec>.sort.json`` (the full sort alone), measured two ways at once:
   * ``write_bytes`` of the whole process tree (/proc/<pid>/io via bench/_measured.py): every page
     it dirtied, by write() or through a memory map, counted even for files deleted before they
     reach the disk. Sorter outputs aside = minus the size of everything published in
     ``results/sorted/<rec>/`` (KS4's sorter folder and the SpikeInterface sorting). Page
     granularity makes this an upper bound: every small file or re-dirtied log page costs 4 KiB.
   * the same call runs under ``strace -f -y`` tracing write/pwrite/writev/copy_file_range/sendfile,
     so every byte written through a file descriptor is attributed to its path; bytes to files
     outside the published sort folder (scratch, logs, Snakemake's metadata, caches) are summed.

Target: bytes written (strace, exact) to files outside the sort folder <= 1 % of the recording's
size. Cross-checks: write_bytes minus the published outputs stays far below one copy (< 50 % of
the recording: a memory-mapped copy would escape strace but not write_bytes), and no file of half
the recording's size or more appears anywhere in the working folder. (write_bytes minus published
is reported, not judged against 1 %: a file written in many calls while the kernel flushes pages in
between is charged again for each re-dirtied page, so it over-counts the published outputs.)

    .venv/bin/python bench/bench_zero_copy.py            # 2 min recording (~6 min)
    .venv/bin/python bench/bench_zero_copy.py --quick    # 30 s recording, 10 s window
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import sys
import time
from pathlib import Path

import common

TARGET = 0.01
REC = "rec"


def files_written_since(root: Path, since: float, exclude: list[Path]) -> dict[str, int]:
    found = {}
    for dirpath, dirs, files in os.walk(root):
        if any(Path(dirpath).resolve() == e.resolve() for e in exclude):
            dirs[:] = []
            continue
        for name in files:
            path = Path(dirpath) / name
            st = path.stat()
            if st.st_mtime >= since:
                found[str(path.relative_to(root))] = st.st_size
    return found


WRITE_RE = re.compile(r"^(?:write|pwrite64|writev|pwritev2?|copy_file_range|sendfile64|sendfile)\("
                      r"(\d+)<([^>]*)>.*\)\s+=\s+(\d+)", re.M)
TRACED = "write,pwrite64,writev,pwritev,pwritev2,copy_file_range,sendfile,sendfile64"


def bytes_by_path(trace: str) -> dict[str, int]:
    """Bytes written per path from an ``strace -f -y`` log (pipes, sockets and devices grouped)."""
    totals: dict[str, int] = collections.Counter()
    for _, path, count in WRITE_RE.findall(trace):
        if path.startswith(("pipe:", "socket:", "/dev/", "anon_inode:")):
            totals[path.split(":")[0] if ":" in path else "/dev"] += int(count)
        else:
            totals[path] += int(count)
    return dict(totals)


def main() -> int:
    args = common.parser(__doc__).parse_args()
    duration = 30.0 if args.quick else 120.0
    window_s = 10.0 if args.quick else 30.0
    work = common.WORK / "zero_copy"
    data = work / f"data_{int(duration)}"
    print(f"benchmark 4: bytes written by a full sort of a {duration:.0f} s x 16 ch binary recording")
    start_load = common.load()
    raw = common.ground_truth_binary(data, REC, duration_s=duration, seed=4)
    rec_bytes = raw.stat().st_size
    window_bytes = int(rec_bytes * window_s / duration)
    wd = common.fresh(work / "wd")
    common.write_config(wd, recordings_dir=str(data), torch_device="cpu", canary={"window_s": window_s})

    canary = common.measured(common.snakemake_cmd(wd, f"results/canary/{REC}.json"), cwd=wd, env=common.env(),
                             label="A: preflight + canary", output=work / "canary.out")
    if canary["rc"] != 0:
        print(Path(f"{work / 'canary.out'}.err").read_text()[-3000:], file=sys.stderr)
        raise SystemExit("canary call failed")
    since = time.time()
    time.sleep(0.05)
    shutil.which("strace") or sys.exit("strace is missing: apt-get install -y strace")
    trace_dir = common.fresh(work / "strace")  # -ff: one file per process, so no call is split in two
    full = common.measured(["strace", "-ff", "-qq", "-y", "-e", f"trace={TRACED}", "-e", "signal=none", "-o",
                            str(trace_dir / "sort"),
                            *common.snakemake_cmd(wd, f"results/sorted/{REC}.sort.json")], cwd=wd, env=common.env(),
                           label="B: full sort (under strace)", output=work / "sort.out")
    if full["rc"] != 0:
        print(Path(f"{work / 'sort.out'}.err").read_text()[-3000:], file=sys.stderr)
        raise SystemExit("full sort call failed")
    published_dir = wd / "results" / "sorted" / REC
    published = common.tree_bytes(published_dir)
    sorter_output = common.tree_bytes(published_dir / "sorter" / "sorter_output")
    copies = [str(p.relative_to(wd)) for p in wd.rglob("*") if p.is_file() and p.stat().st_size >= rec_bytes * 0.5]
    leftovers = files_written_since(wd, since, [published_dir])
    written = full["io"]["write_bytes"]
    overhead = written - published
    share = overhead / rec_bytes
    by_path = bytes_by_path("\n".join(p.read_text(errors="replace") for p in trace_dir.iterdir()))
    sorted_prefix = str((wd / "results" / "sorted").resolve())
    partial = re.compile(re.escape(sorted_prefix) + rf"/(?:{REC}/|\.{REC}\.partial-[^/]+/)")
    terminal = {str((work / "sort.out").resolve()), str((work / "sort.out.err").resolve())}  # stdout/stderr sinks
    files_outside = {p: b for p, b in by_path.items() if p.startswith("/") and not p.startswith("/dev")
                     and not partial.match(p) and p not in terminal}
    traced_outside = sum(files_outside.values())
    traced_share = traced_outside / rec_bytes
    control_ok = canary["io"]["write_bytes"] >= window_bytes
    no_hidden_copy = share < 0.5
    ok = traced_share <= TARGET and no_hidden_copy and control_ok and not copies

    print()
    print(common.table([
        ["recording size", rec_bytes / 1e6, "-", "-"],
        ["A control: canary call write_bytes", canary["io"]["write_bytes"] / 1e6, f">= window {window_bytes / 1e6:.1f}",
         common.verdict(control_ok)],
        ["B full sort: write_bytes (whole tree)", written / 1e6, "-", "-"],
        ["B published results/sorted/<rec>/ (sorter outputs)", published / 1e6, "-", "-"],
        ["  of which sorter/sorter_output", sorter_output / 1e6, "-", "-"],
        ["B write_bytes minus published (upper bound)", overhead / 1e6, f"< {0.5 * rec_bytes / 1e6:.1f} (no copy)",
         common.verdict(no_hidden_copy)],
        ["  as a share of the recording (%)", 100 * share, "-", "-"],
        ["B strace: bytes written to files outside the sort folder", traced_outside / 1e6,
         f"<= {TARGET * rec_bytes / 1e6:.2f}", common.verdict(traced_share <= TARGET)],
        ["  as a share of the recording (%)", 100 * traced_share, f"<= {100 * TARGET:.0f}", "-"],
        ["files >= half the recording's size in the working folder", len(copies), "0", common.verdict(not copies)],
    ], ["MB", "value", "target", "result"]))
    print("\nB: bytes written (strace) to files outside the sort folder, largest first:")
    for name, size in sorted(files_outside.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {size:>10}  {name}")
    print(f"load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    common.save("zero_copy", args.quick, {
        "target": f"bytes the full sort writes (strace) to files outside its sort folder <= {100 * TARGET:.0f} % "
                  "of the recording",
        "recording_bytes": rec_bytes, "window_s": window_s, "window_bytes": window_bytes,
        "control_canary_write_bytes": canary["io"]["write_bytes"], "full_sort_write_bytes": written,
        "full_sort_wchar": full["io"]["wchar"], "full_sort_cancelled_write_bytes": full["io"]["cancelled_write_bytes"],
        "published_bytes": published, "sorter_output_bytes": sorter_output, "overhead_bytes": overhead,
        "overhead_share": share, "target_metric": "strace_share",
        "strace_bytes_outside_sort_folder": traced_outside, "strace_share": traced_share,
        "strace_files_outside": dict(sorted(files_outside.items(), key=lambda kv: -kv[1])[:30]),
        "copies_found": copies, "leftovers": leftovers, "pass": ok,
        "full_sort_wall_s": full["wall_s"], "load_start": start_load, "load_end": common.load(),
    })
    if not args.keep:
        shutil.rmtree(trace_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
