"""Snakemake adapter for rule preflight (logic: sortcanary.jobs.preflight)."""

import sys

from sortcanary.jobs.joblog import log_to
from sortcanary.jobs.preflight import preflight_job
from sortcanary.plan.preflight import plan_preflight
from sortcanary.views.notify import notify_verdict

log_to(snakemake.log.log)
code = preflight_job(
    plan_preflight(snakemake.config, snakemake.params.hdf5_filters),
    report_path=snakemake.output[0],
    verdict_path=snakemake.params.verdict,
)
notify_verdict(snakemake.config["notify"], "preflight", snakemake.params.verdict)
sys.exit(code)
