"""A block reads as a verdict on the console: what Snakemake shows for a blocked canary, what a
run without --keep-going says up front (it refuses to start), and that the evidence a verdict
names is still there.
Real snakemake CLI with the test backends (tests/backends.py), which block in seconds."""

from __future__ import annotations

from conftest import evidence_paths, read_json, run_snakemake, sortcanary, write_config


def test_a_blocked_canary_reads_as_its_verdict_and_keeps_its_evidence(demo_dir, tmp_path):
    """OpenFilesLimit fails every canary with EMFILE on the sorter's own log in the scratch window.
    Without --keep-going the run says at once that a block would stop the others, and runs nothing;
    with it (the default profile) each blocked canary's verdict is on the console."""
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:OpenFilesLimit")
    refused = run_snakemake(tmp_path, profile=None, timeout=300)
    assert refused.returncode != 0 and not (tmp_path / "logs" / "canary").exists(), "nothing may run"
    line = next(ln for ln in refused.stderr.splitlines() if "no --keep-going" in ln)
    assert line.startswith("sortcanary: ") and "--keep-going" in line.split("no --keep-going", 1)[1]
    result = run_snakemake(tmp_path, timeout=300)
    assert result.returncode != 0
    console = result.stderr
    blocked = sorted(p.stem.removesuffix(".verdict") for p in (tmp_path / "logs" / "canary").glob("*.verdict.json"))
    assert len(blocked) == 3, "with --keep-going every recording's canary runs"
    name = blocked[0]
    verdict = read_json(tmp_path / "logs" / "canary" / f"{name}.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("resource", "too_many_open_files")
    # the verdict stands right above Snakemake's error block for the job
    block = console[console.index(f"sortcanary: canary BLOCKED {name}: resource / too_many_open_files"):]
    assert block.index(verdict["remediation"]) < block.index("Error in rule canary")
    assert f"verdict: logs/canary/{name}.verdict.json" in block
    # the evidence named -- the sorter's log, opened in the scratch window -- outlives that window
    named = evidence_paths(verdict)
    assert f"logs/canary/{name}/threshold.log" in named and f"logs/canary/{name}.log" in named
    assert not (tmp_path / "scratch" / "canary" / name).exists()
    missing = [p for p in named if not (tmp_path / p).exists()]
    assert not missing, missing
    # the summary table is the last thing on the console, after Snakemake's own closing lines
    table = sortcanary("status", str(tmp_path / "results")).stdout.rstrip()
    assert verdict["remediation"] in table and "silent" in table
    assert console.rstrip().endswith(f"sortcanary summary (results/summary.tsv):\n{table}")
    assert console.rindex("WorkflowError") < console.rindex("sortcanary summary")
