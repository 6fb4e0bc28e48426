# No `message:` directive: Snakemake 9.27.1 prints "message: None" in a failed script job's error
# block whatever the rule's message says, and the message would replace the job's header (inputs,
# outputs, log) when it starts. A blocked canary prints its verdict on its stderr instead, which
# Snakemake shows right above that error block (sortcanary.jobs.records.tell_console).
rule canary:
    input:
        preflight=layout.PREFLIGHT,
        recording=recording_files,
    output:
        marker=layout.MARKER,
    log:
        log=layout.CANARY_LOG,
    priority: 50
    # A canary's failure is its verdict: the same window with the same settings fails the same
    # way, so a retry (e.g. the SLURM profile's `retries`) would only cost a queue wait.
    retries: 0
    conda:
        rule_env
    threads: SORTER_THREADS
    resources:
        gpu=1,
    # The job's other files (verdict, evidence, progress, the run's halt file) are not params: the
    # adapter names them from sortcanary.layout and the wildcard. A param pattern is formatted for
    # every job when the DAG is built, which is measurable over 10,000 recordings
    # (bench/bench_dag_scale.py).
    params:
        recording=recording_entry,
        # Not read by the job (its plan derives the same value): a param, so a change re-runs it.
        identity=SORT_IDENTITY,
    script:
        "../scripts/canary.py"
