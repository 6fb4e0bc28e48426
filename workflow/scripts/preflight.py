"""Snakemake adapter for rule preflight (logic: sortcanary.jobs.preflight)."""

import sys

from sortcanary.jobs.joblog import log_to
from sortcanary.jobs.preflight import preflight_job

log_to(snakemake.log.log)
sys.exit(
    preflight_job(
        snakemake.config,
        report_path=snakemake.output[0],
        verdict_path=snakemake.params.verdict,
        hdf5_filters=snakemake.params.hdf5_filters,
    )
)
