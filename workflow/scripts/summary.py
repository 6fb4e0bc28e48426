"""Snakemake adapter for rule summary (logic: sortcanary.views.summary.write_summary)."""

from sortcanary.jobs.joblog import log_to
from sortcanary.views.summary import write_summary

log_to(snakemake.log[0])
write_summary(
    snakemake.params.names,
    problems=snakemake.params.problems,
    skipped=snakemake.params.skipped,
)
