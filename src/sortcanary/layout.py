"""Where everything goes, relative to the workflow's working directory.

The rules (workflow/rules/*.smk) and the reporting code read these same patterns, so a path is
written down exactly once.
"""

PREFLIGHT = "results/preflight.json"
PREFLIGHT_LOG = "logs/preflight.log"
PREFLIGHT_VERDICT = "logs/preflight.verdict.json"

MARKER = "results/canary/{recording}.json"
CANARY_LOG = "logs/canary/{recording}.log"
CANARY_VERDICT = "logs/canary/{recording}.verdict.json"

SORTED = "results/sorted/{recording}"
SORT_JSON = "results/sorted/{recording}/sort.json"
# The sort rule's declared output is this small record beside the folder, not the folder itself:
# Snakemake deletes a job's declared outputs before re-running it, and a finished multi-hour sort
# must never be deleted that way. The folder is published atomically by sortcanary instead.
SORT_DONE = "results/sorted/{recording}.sort.json"
SORT_LOG = "logs/sort/{recording}.log"
SORT_VERDICT = "logs/sort/{recording}.verdict.json"
# Not a declared log: Snakemake clears a job's log files before each retry, and a retry must know
# how the previous attempt failed (only resource failures are worth retrying).
SORT_ATTEMPTS = "logs/sort/{recording}.attempts.json"

SUMMARY_TSV = "results/summary.tsv"
# Written by the first job that hits an environment-wide failure (policy block_run); every later
# job of the same run fails at once with that verdict. Cleared when a run starts (onstart).
HALT = "results/halt.json"


def path(pattern: str, root: str = ".", **wildcards) -> str:
    import os

    return os.path.join(root, pattern.format(**wildcards))
