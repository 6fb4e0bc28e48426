"""Snakemake adapter for rule canary (logic: sortcanary.jobs.canary.run_canary).

The job's files other than its declared input, output and log are named here from sortcanary.layout
and the wildcard, not passed as params (see workflow/rules/canary.smk).
"""

import sys
from pathlib import Path

from sortcanary import layout
from sortcanary.jobs.canary import run_canary
from sortcanary.jobs.joblog import log_to
from sortcanary.recordings import RecordingEntry
from sortcanary.views.notify import notify_verdict
from sortcanary.views.rows import record_job_end

log_to(snakemake.log.log)
name = snakemake.wildcards.recording
verdict = layout.CANARY_VERDICT.format(recording=name)
entry = RecordingEntry.from_dict(snakemake.params.recording)
code, _ = run_canary(
    entry,
    snakemake.config,
    scratch=Path(snakemake.config["scratch_dir"]) / "canary" / entry.name,
    log_path=Path(snakemake.log.log),
    marker_path=Path(snakemake.output.marker),
    verdict_path=Path(verdict),
    halt_path=Path(layout.HALT),
    evidence_dir=Path(layout.CANARY_EVIDENCE.format(recording=name)),
    progress_path=Path(layout.CANARY_PROGRESS.format(recording=name)),
    mem_mb=getattr(snakemake.resources, "mem_mb", None),
)
notify_verdict(snakemake.config["notify"], "canary", verdict)
record_job_end(name)
sys.exit(code)
