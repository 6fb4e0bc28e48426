"""Where everything goes, relative to the workflow's working directory.

The rules (workflow/rules/*.smk) and the reporting code read these same patterns, so a path is
written down exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the functions import what they use: `sortcanary status` imports this module
    from pathlib import Path

# Verdicts (*.verdict.json) sit beside their job's log and, like logs, survive a failed job. They are
# not declared as logs, though: two declared logs per job cost a 10,000-recording DAG a tenth of its
# time (bench/bench_dag_scale.py), so the job itself removes its stale verdict when it starts
# (sortcanary.jobs.records.clear_verdict), as Snakemake would have.
PREFLIGHT = "results/preflight.json"
PREFLIGHT_LOG = "logs/preflight.log"
PREFLIGHT_VERDICT = "logs/preflight.verdict.json"

MARKER = "results/canary/{recording}.json"
CANARY_LOG = "logs/canary/{recording}.log"
CANARY_VERDICT = "logs/canary/{recording}.verdict.json"
# The files a blocked canary's verdict names as evidence (the sorter's own log, spikeinterface_log.json),
# copied out of the scratch window before it is removed; the verdict names these copies.
CANARY_EVIDENCE = "logs/canary/{recording}"
# The latest progress of a running job (sortcanary.runner.progress), for `sortcanary status`.
CANARY_PROGRESS = "logs/canary/{recording}.progress.json"
# The watchdogs' audit log of a job (sortcanary.runner.guards.events): one JSON line per event, beside
# its log and, like the verdict, never a declared log. A GPU out-of-memory leaves a snapshot there too.
CANARY_EVENTS = "logs/canary/{recording}.events.jsonl"

SORTED = "results/sorted/{recording}"
SORT_JSON = "results/sorted/{recording}/sort.json"
# The sort rule's declared output is this small record beside the folder, not the folder itself:
# Snakemake deletes a job's declared outputs before re-running it, and a finished multi-hour sort
# must never be deleted that way. The folder is published atomically by sortcanary instead.
SORT_DONE = "results/sorted/{recording}.sort.json"
SORT_LOG = "logs/sort/{recording}.log"
SORT_VERDICT = "logs/sort/{recording}.verdict.json"
SORT_PROGRESS = "logs/sort/{recording}.progress.json"
SORT_EVENTS = "logs/sort/{recording}.events.jsonl"
# The suffixes that name a job's audit log and GPU snapshot after its log (``beside_log``).
EVENTS_SUFFIX = ".events.jsonl"
GPU_SNAPSHOT_SUFFIX = ".gpu-oom.txt"
# Not a declared log: Snakemake clears a job's log files before each retry, and a retry must know
# how the previous attempt failed (only resource failures are worth retrying).
SORT_ATTEMPTS = "logs/sort/{recording}.attempts.json"

# What a sort leaves inside its folder (a sorted recording's, or a canary's scratch folder), relative
# to that folder. The sorter's own folder and the SpikeInterface sorting come from the sort; the rest
# from the post-sort step (sortcanary.products.build).
IN_SORTED = {
    "sorter": "sorter",
    "phy": "sorter/sorter_output",  # KS4 writes a phy-ready folder here; it is used, never re-exported
    "sorting": "sorting",
    # join: runs: the sorting split back per run, runs/<run>/{sorting,spike_times.npz,run.json}
    "runs": "runs",
    # SpikeInterface's motion estimate (motion: compute or apply), saved by the sort for the report
    "motion": "motion",
    "analyzer": "analyzer",
    "curation": "curation.json",
    "units_npz": "units.npz",
    "nwb": "units.nwb",
    "figures": "figures",
    "report": "report.html",
}

# Every sorted recording's figures as <recording>/<figure>.png (hard links into the sorted folders),
# for `snakemake --report`: the sorted folder itself is never a declared output (see SORT_DONE).
# A full sort links its own recording's; the run's end makes it whole (sortcanary.views.report_figures).
REPORT_FIGURES = "results/report/figures"

SUMMARY_TSV = "results/summary.tsv"
# Written by the first job that hits an environment-wide failure (policy block_run); every later
# job of the same run fails at once with that verdict. Cleared when a run starts (onstart).
HALT = "results/halt.json"
SUMMARY_HTML = "results/summary.html"
SUMMARY_PNG = "results/summary.png"
# What this run discovered (recording names, skipped entries), written when a run starts, so that
# status and the summary list every recording, not only those a job has seen (sortcanary.views.status).
RUN_MANIFEST = "logs/run.json"
# A recording's row of the summary, written by its canary and its full sort when they end; the
# run's views are drawn from these (sortcanary.views.rows).
SUMMARY_ROW = "logs/summary/{recording}.json"
# Held while the run's views are written: the run's end, `sortcanary summary` and status take turns.
SUMMARY_LOCK = "logs/.summary.lock"
# Held by the job whose sorter child runs on that GPU (sortcanary.runner.gpu_slots).
GPU_SLOT = ".sortcanary/gpu-slots/{gpu}.lock"
# A sorter's default parameters, per installed version (sortcanary.plan.sorters): listing them
# imports the sorter, which the sorter's own child process does anyway.
SORTER_DEFAULTS = ".sortcanary/sorter-defaults/{sorter}-{version}.json"


def path(pattern: str, root: str = ".", **wildcards: object) -> str:
    import os

    return os.path.join(root, pattern.format(**wildcards))


def beside_log(log_path: str | Path, suffix: str) -> Path:
    """The file of a job named after its log: ``logs/sort/rec.log`` -> ``logs/sort/rec<suffix>``."""
    from pathlib import Path

    return Path(log_path).with_suffix(suffix)
