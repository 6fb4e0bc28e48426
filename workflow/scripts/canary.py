"""Snakemake adapter for rule canary (logic: sortcanary.jobs.canary.run_canary)."""

import sys
from pathlib import Path

from sortcanary.jobs.canary import run_canary
from sortcanary.jobs.joblog import log_to
from sortcanary.recordings import RecordingEntry
from sortcanary.views.notify import notify_verdict
from sortcanary.views.status import refresh_summary

log_to(snakemake.log.log)
entry = RecordingEntry.from_dict(snakemake.params.recording)
code, _ = run_canary(
    entry,
    snakemake.config,
    scratch=Path(snakemake.config["scratch_dir"]) / "canary" / entry.name,
    log_path=Path(snakemake.log.log),
    marker_path=Path(snakemake.output.marker),
    verdict_path=Path(snakemake.params.verdict),
    halt_path=Path(snakemake.params.halt),
    evidence_dir=Path(snakemake.params.evidence),
    progress_path=Path(snakemake.params.progress),
    mem_mb=getattr(snakemake.resources, "mem_mb", None),
)
notify_verdict(snakemake.config["notify"], "canary", snakemake.params.verdict)
refresh_summary()
sys.exit(code)
