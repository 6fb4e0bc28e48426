"""Benchmark 5: the workflow's DAG over 10,000 recordings costs about what a bare Snakefile's does,
and discovery opens no trace file.

Two cases, each 10,000 recordings:

* ``binary``: a tiny sparse ``.bin`` (16 channels, int16, 1 s) and a JSON sidecar each, all naming
  one shared probe JSON; the bare file lists the same three input files per recording;
* ``si_folder``: SpikeInterface folders as ``recording.save()`` writes them, each with its own
  ``probe.json`` (a sparse trace file, 1 s); the bare file lists no input files at all.

Each pair times ``snakemake -n`` (dry run: discovery, validation, DAG of 20,001 jobs) on

* the workflow (workflow/Snakefile, default profile), and
* a bare three-rule Snakefile written next to it -- preflight, canary, sort, each a ``touch`` --
  over the same names (os.listdir),

interleaved (ABBA). Target: median wall ratio workflow/bare <= 1.3 in each case.

Then, once, the workflow's dry run under ``strace -f -e trace=open,openat,openat2``: the number of
opens of ``.bin`` files must be 0. The check can fail, and the script proves it: the same trace
shows the 10,000 sidecars being opened (the trace does see discovery), and a control process that
opens one ``.bin`` is traced the same way and must show exactly one open.

    .venv/bin/python bench/bench_dag_scale.py            # 10,000 recordings, 3 pairs per case (~20 min)
    .venv/bin/python bench/bench_dag_scale.py --quick    # 500 recordings, 1 pair per case
    .venv/bin/python bench/bench_dag_scale.py --case si_folder   # one case only
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import common

TARGET = 1.3
CHANNELS = 16
FS = 25000.0

BARE_SNAKEFILE = '''\
# The bare baseline: three rules, each a touch, over the same names and input files.

D = config["recordings_dir"]
RECS = sorted(f[:-4] for f in os.listdir(D) if f.endswith(".bin"))


def files(w):
    return [f"{D}/{w.recording}.bin", f"{D}/{w.recording}.json", f"{D}/probe.json"]


rule all:
    input:
        expand("results/sorted/{recording}.sort.json", recording=RECS),


rule preflight:
    output:
        "results/preflight.json",
    shell:
        "touch {output}"


rule canary:
    input:
        "results/preflight.json",
        files,
    output:
        "results/canary/{recording}.json",
    shell:
        "touch {output}"


rule sort:
    input:
        "results/canary/{recording}.json",
        files,
    output:
        "results/sorted/{recording}.sort.json",
    shell:
        "touch {output}"
'''

# The bare baseline for SpikeInterface folders: the same three rules over the folder names, with
# no input files of the recordings at all.
BARE_SI_SNAKEFILE = BARE_SNAKEFILE.replace(
    'RECS = sorted(f[:-4] for f in os.listdir(D) if f.endswith(".bin"))',
    "RECS = sorted(f for f in os.listdir(D) if os.path.isdir(os.path.join(D, f)))",
).replace("        files,\n", "")


def make_recordings(folder: Path, n: int) -> None:
    """n tiny sparse raw recordings + sidecars + one shared probe (cached if already there)."""
    stamp = folder / ".params.json"
    key = {"n": n, "channels": CHANNELS, "v": 1}
    if stamp.is_file() and json.loads(stamp.read_text()) == key:
        return
    import probeinterface

    common.fresh(folder)
    probe = probeinterface.generate_linear_probe(num_elec=CHANNELS, ypitch=20)
    probe.set_device_channel_indices(range(CHANNELS))
    probeinterface.write_probeinterface(folder / "probe.json", probe)
    sidecar = json.dumps({"sampling_frequency": FS, "num_channels": CHANNELS, "dtype": "int16",
                          "gain_to_uV": 0.195, "offset_to_uV": 0.0, "probe": "probe.json"})
    size = int(FS) * CHANNELS * 2  # 1 s, sparse: no data blocks on disk
    for i in range(n):
        stem = folder / f"rec{i:05d}"
        with open(f"{stem}.bin", "wb") as fh:
            fh.truncate(size)
        Path(f"{stem}.json").write_text(sidecar)
    stamp.write_text(json.dumps(key))


def make_si_folders(folder: Path, n: int) -> None:
    """n SpikeInterface folders as recording.save() writes them, each with its own probe.json; the
    metadata of one real save is copied, the trace file made sparse (cached if already there)."""
    stamp = folder / ".params.json"
    key = {"n": n, "channels": CHANNELS, "v": 1}
    if stamp.is_file() and json.loads(stamp.read_text()) == key:
        return
    from spikeinterface.core import generate_recording

    common.fresh(folder)
    template = folder.parent / f"{folder.name}.template"
    shutil.rmtree(template, ignore_errors=True)
    generate_recording(num_channels=CHANNELS, sampling_frequency=FS, durations=[1.0]).save(folder=template)
    metadata = {p.name: p.read_bytes() for p in template.iterdir() if p.is_file() and not p.name.endswith(".raw")}
    traces = {p.name: p.stat().st_size for p in template.glob("*.raw")}
    for i in range(n):
        rec = folder / f"rec{i:05d}"
        rec.mkdir()
        for name, data in metadata.items():
            (rec / name).write_bytes(data)
        for name, size in traces.items():
            with open(rec / name, "wb") as fh:
                fh.truncate(size)
    shutil.rmtree(template)
    stamp.write_text(json.dumps(key))


def dry_run_cmds(work: Path, recs: Path, bare_snakefile: str) -> dict[str, tuple[list[str], Path]]:
    wf = work / "workflow_wd"
    common.write_config(wf, recordings_dir=str(recs))
    bare = work / "bare_wd"
    common.write_config(bare, recordings_dir=str(recs))
    (bare / "Snakefile").write_text(bare_snakefile)
    return {
        "workflow": (common.snakemake_cmd(wf, "-n"), wf),
        "bare": ([str(common.BIN / "snakemake"), "-s", str(bare / "Snakefile"), "--directory", str(bare),
                  "--workflow-profile", "none", "--configfile", str(bare / "config" / "config.yaml"),
                  "--cores", "2", "-n"], bare),
    }


def count_jobs(output: str) -> int | None:
    match = re.search(r"^total\s+(\d+)", output, re.M)
    return int(match.group(1)) if match else None


OPEN_RE = re.compile(r'open(?:at2?)?\((?:[A-Z_]+, )?"([^"]+)"')


def traced_opens(cmd: list[str], trace: Path, cwd: Path | None = None) -> list[str]:
    """Every path the process tree of ``cmd`` tried to open, from strace."""
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", str(trace), *cmd], cwd=cwd,
                   env=common.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return OPEN_RE.findall(trace.read_text())


CASES = {"binary": (make_recordings, BARE_SNAKEFILE), "si_folder": (make_si_folders, BARE_SI_SNAKEFILE)}


def main() -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    args = parser.parse_args()
    cases = list(CASES) if args.case == "all" else [args.case]
    return max(run_case(case, args) for case in cases)


def run_case(case: str, args) -> int:
    n = 500 if args.quick else 10_000
    repeats = args.repeats or (1 if args.quick else 3)
    work = common.WORK / "dag_scale" / case
    recs = work / f"recordings_{n}"
    print(f"benchmark 5 ({case}): snakemake -n over {n} recordings, workflow vs bare ({repeats} pairs)")
    start_load = common.load()
    make, bare_snakefile = CASES[case]
    make(recs, n)
    cmds = dry_run_cmds(work, recs, bare_snakefile)

    runs = []
    for i in range(repeats):
        for side in common.abba(i, ("workflow", "bare")):
            cmd, wd = cmds[side]
            out = work / f"{side}.out"
            m = common.measured(cmd, cwd=wd, env=common.env(), label=f"pair {i + 1} {side}", output=out)
            text = out.read_text() + Path(f"{out}.err").read_text()
            if m["rc"] != 0:
                print(text[-3000:], file=sys.stderr)
                raise SystemExit(f"dry run of the {side} failed (rc {m['rc']})")
            runs.append({"pair": i, "side": side, "wall_s": m["wall_s"], "maxrss_mib": m["maxrss_mib"],
                         "cpu_s": round(m["user_s"] + m["sys_s"], 2), "jobs": count_jobs(text),
                         "load_after": m["load_after"]})

    by_pair: dict = {}
    for r in runs:
        by_pair.setdefault(r["pair"], {})[r["side"]] = r
    ratio = common.median(p["workflow"]["wall_s"] / p["bare"]["wall_s"] for p in by_pair.values())
    cpu_ratio = common.median(p["workflow"]["cpu_s"] / p["bare"]["cpu_s"] for p in by_pair.values())

    print("tracing opens (strace) ...", flush=True)
    shutil.which("strace") or sys.exit("strace is missing: apt-get install -y strace")
    wf_cmd, wf_wd = cmds["workflow"]
    opens = traced_opens(wf_cmd, work / "workflow.strace", cwd=wf_wd)
    rec_prefix = str(recs.resolve())
    bin_opens = [p for p in opens if p.endswith((".bin", ".dat", ".raw"))]
    sidecar_opens = [p for p in opens if p.startswith(rec_prefix) and re.search(r"/rec\d+(\.json|/binary\.json)$", p)]
    first_bin = next(recs.glob("rec*.bin"), None) or next(recs.glob("rec*/*.raw"))
    control = traced_opens([common.PYTHON, "-c", f"open({str(first_bin)!r}, 'rb').read(16)"], work / "control.strace")
    control_bin_opens = [p for p in control if p.endswith((".bin", ".raw"))]
    trace_ok = not bin_opens and len(sidecar_opens) >= n and len(control_bin_opens) == 1

    rows = [[side, common.median(r["wall_s"] for r in runs if r["side"] == side),
             common.median(r["cpu_s"] for r in runs if r["side"] == side),
             common.median(r["maxrss_mib"] for r in runs if r["side"] == side),
             next(r["jobs"] for r in runs if r["side"] == side)] for side in ("workflow", "bare")]
    print()
    print(common.table(rows, ["snakemake -n", "wall s (median)", "cpu s (median)", "peak RSS MiB", "jobs"]))
    print()
    print(common.table([
        ["wall ratio workflow/bare (median of pairs)", ratio, f"<= {TARGET}", common.verdict(ratio <= TARGET)],
        ["cpu ratio workflow/bare (median of pairs)", cpu_ratio, "-", "-"],
        ["trace file opens during the workflow's dry run", len(bin_opens), "0", common.verdict(not bin_opens)],
        ["sidecar opens seen in the same trace (trace sees discovery)", len(sidecar_opens), f">= {n}",
         common.verdict(len(sidecar_opens) >= n)],
        ["control: trace opens by a process that opens one", len(control_bin_opens), "1",
         common.verdict(len(control_bin_opens) == 1)],
    ], ["check", "value", "target", "result"]))
    print(f"load: start {start_load['loadavg']}, end {common.load()['loadavg']}")
    common.save("dag_scale" if case == "binary" else f"dag_scale_{case}", args.quick, {
        "case": case,
        "target": f"median wall ratio workflow/bare <= {TARGET}; no trace file opened by discovery",
        "recordings": n, "repeats": repeats, "ratio_wall_median_of_pairs": ratio,
        "ratio_cpu_median_of_pairs": cpu_ratio,
        "strace": {"bin_opens": len(bin_opens), "bin_open_examples": bin_opens[:5],
                   "sidecar_opens": len(sidecar_opens), "control_bin_opens": len(control_bin_opens),
                   "total_opens": len(opens)},
        "pass": ratio <= TARGET and trace_ok, "load_start": start_load, "load_end": common.load(), "runs": runs,
    })
    if not args.keep:
        for p in (*work.glob("*.out*"), *work.glob("*.strace")):
            p.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
