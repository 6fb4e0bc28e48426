"""Snakemake adapter for rule sort (logic: sortcanary.pipeline.run_full_sort)."""

import sys
from pathlib import Path

from sortcanary.discovery import RecordingEntry
from sortcanary.joblog import log_to
from sortcanary.pipeline import run_full_sort

log_to(snakemake.log.log)
entry = RecordingEntry.from_dict(snakemake.params.recording)
sys.exit(
    run_full_sort(
        entry,
        snakemake.config,
        marker_path=Path(snakemake.input.marker),
        dest=Path(snakemake.params.sorted_dir),
        done_path=Path(snakemake.output.done),
        identity=dict(snakemake.params.identity),
        attempt=snakemake.resources.attempt,
        scratch=Path(snakemake.config["scratch_dir"]) / "sort" / entry.name,
        log_path=Path(snakemake.log.log),
        verdict_path=Path(snakemake.params.verdict),
        halt_path=Path(snakemake.params.halt),
        attempts_path=Path(snakemake.params.attempts),
    )
)
