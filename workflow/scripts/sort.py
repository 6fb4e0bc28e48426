"""Snakemake adapter for rule sort (logic: sortcanary.jobs.full_sort.run_full_sort)."""

import sys
from pathlib import Path

from sortcanary.jobs.full_sort import run_full_sort
from sortcanary.jobs.joblog import log_to
from sortcanary.recordings import RecordingEntry
from sortcanary.views.notify import notify_verdict
from sortcanary.views.status import refresh_summary

log_to(snakemake.log.log)
entry = RecordingEntry.from_dict(snakemake.params.recording)
code = run_full_sort(
    entry,
    snakemake.config,
    marker_path=Path(snakemake.input.marker),
    dest=Path(snakemake.params.sorted_dir),
    done_path=Path(snakemake.output.done),
    attempt=snakemake.resources.attempt,
    scratch=Path(snakemake.config["scratch_dir"]) / "sort" / entry.name,
    log_path=Path(snakemake.log.log),
    verdict_path=Path(snakemake.params.verdict),
    halt_path=Path(snakemake.params.halt),
    attempts_path=Path(snakemake.params.attempts),
    progress_path=Path(snakemake.params.progress),
    mem_mb=getattr(snakemake.resources, "mem_mb", None),
)
notify_verdict(snakemake.config["notify"], "sort", snakemake.params.verdict)
refresh_summary()
sys.exit(code)
