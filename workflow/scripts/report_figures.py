"""Snakemake adapter for rule report_figures (logic: sortcanary.figures.copy_figures)."""

from pathlib import Path

from sortcanary.figures import copy_figures
from sortcanary.joblog import log_to

log_to(snakemake.log[0])
copy_figures(Path(snakemake.params.figures), Path(snakemake.output[0]))
