from pathlib import Path

from sortcanary.reporting import write_summary


def summarize():
    """Write results/summary.tsv and print it; runs after every run, successful or not."""
    _, table = write_summary(RECORDINGS, problems=DISCOVERY.problems)
    print(f"\nsortcanary summary ({layout.SUMMARY_TSV}):\n{table}\n", file=sys.stderr)


onstart:
    # A new run starts without the previous run's environment-wide stop (see layout.HALT).
    Path(layout.HALT).unlink(missing_ok=True)


onsuccess:
    summarize()


onerror:
    summarize()
