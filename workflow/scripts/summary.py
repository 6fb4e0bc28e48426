"""Snakemake adapter for rule summary (logic: sortcanary.reporting.write_summary)."""

from sortcanary.joblog import log_to
from sortcanary.reporting import write_summary

log_to(snakemake.log[0])
write_summary(snakemake.params.names, problems=snakemake.params.problems)
