"""A block reads as a verdict on the console: what Snakemake shows for a blocked canary, what a
run without --keep-going says up front, and that the evidence a verdict names is still there.
Real snakemake CLI with the test backends (tests/backends.py), which block in seconds."""

from __future__ import annotations

from conftest import evidence_paths, read_json, run_snakemake, sortcanary, write_config


def test_a_blocked_canary_reads_as_its_verdict_and_keeps_its_evidence(demo_dir, tmp_path):
    """OpenFilesLimit fails the canary with EMFILE on the sorter's own log in the scratch window;
    without --keep-going the run stops there, and says so when it starts."""
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter="backends:OpenFilesLimit")
    result = run_snakemake(tmp_path, profile=None, timeout=300)
    assert result.returncode != 0
    console = result.stderr
    blocked = [p.stem.removesuffix(".verdict") for p in (tmp_path / "logs" / "canary").glob("*.verdict.json")]
    assert len(blocked) == 1, "without --keep-going the first block stops the other recordings"
    name = blocked[0]
    verdict = read_json(tmp_path / "logs" / "canary" / f"{name}.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("resource", "too_many_open_files")

    # said once, before any job ran
    warning = "started without --keep-going"
    assert console.count(warning) == 1 and console.index(warning) < console.index("localrule preflight")
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
