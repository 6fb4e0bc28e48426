"""Snakemake adapter for rule preflight (logic: sortcanary.preflight)."""

import sys

from sortcanary.joblog import log_to
from sortcanary.preflight import preflight_job

log_to(snakemake.log.log)
sys.exit(
    preflight_job(
        snakemake.config,
        report_path=snakemake.output[0],
        verdict_path=snakemake.params.verdict,
        hdf5_filters=snakemake.params.hdf5_filters,
    )
)
