from sortcanary.reporting import write_summary


def summarize():
    """Write results/summary.tsv and print it; runs after every run, successful or not."""
    _, table = write_summary(RECORDINGS, problems=DISCOVERY.problems)
    print(f"\nsortcanary summary ({layout.SUMMARY_TSV}):\n{table}\n", file=sys.stderr)


onsuccess:
    summarize()


onerror:
    summarize()
