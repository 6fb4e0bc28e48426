"""Snakemake adapter for rule sort (logic: sortcanary.jobs.full_sort.run_full_sort).

The job's files other than its declared input, output and log are named here from sortcanary.layout
and the wildcard, not passed as params (see workflow/rules/sort.smk).
"""

import sys
from pathlib import Path

from sortcanary import layout
from sortcanary.jobs.full_sort import run_full_sort
from sortcanary.jobs.joblog import log_to
from sortcanary.recordings import RecordingEntry
from sortcanary.views.notify import notify_verdict
from sortcanary.views.rows import record_job_end

log_to(snakemake.log.log)
name = snakemake.wildcards.recording
verdict = layout.SORT_VERDICT.format(recording=name)
entry = RecordingEntry.from_dict(snakemake.params.recording)
code = run_full_sort(
    entry,
    snakemake.config,
    marker_path=Path(snakemake.input.marker),
    dest=Path(layout.SORTED.format(recording=name)),
    done_path=Path(snakemake.output.done),
    attempt=snakemake.resources.attempt,
    scratch=Path(snakemake.config["scratch_dir"]) / "sort" / entry.name,
    log_path=Path(snakemake.log.log),
    verdict_path=Path(verdict),
    halt_path=Path(layout.HALT),
    attempts_path=Path(layout.SORT_ATTEMPTS.format(recording=name)),
    progress_path=Path(layout.SORT_PROGRESS.format(recording=name)),
    mem_mb=getattr(snakemake.resources, "mem_mb", None),
)
notify_verdict(snakemake.config["notify"], "sort", verdict)
record_job_end(name, figures=True)
sys.exit(code)
