# The recording's files are the canary's inputs, not this rule's: a changed recording re-runs its
# canary, and every canary re-run re-runs this job, which then compares the sort identity (sorter,
# parameters, the files' names, sizes and mtimes) with the finished result. Listing them here too
# cost a 10,000-recording DAG 1.7 s of 28 (bench/bench_dag_scale.py).
rule sort:
    input:
        marker=layout.MARKER,
    output:
        done=layout.SORT_DONE,
    log:
        log=layout.SORT_LOG,
    # Resource failures are retried with a smaller batch; any other verdict fails the retry at once.
    retries: 2
    conda:
        rule_env
    threads: SORTER_THREADS
    resources:
        gpu=1,
        attempt=attempt,
        runtime=sort_runtime_min,
        mem_mb=sort_mem_mb,
    # The job's other files (sorted folder, verdict, attempts, progress, the run's halt file) are
    # not params: the adapter names them from sortcanary.layout and the wildcard. Snakemake formats
    # a param pattern and calls a param function for every job when the DAG is built, which is
    # measurable over 10,000 recordings (bench/bench_dag_scale.py).
    params:
        recording=recording_entry,
        # Not read by the job (its plan derives the same value): a param, so a change re-runs it.
        identity=SORT_IDENTITY,
        # A changed outputs section (the recording's own, with its overrides) re-runs this job,
        # which then rebuilds only the outputs.
        outputs=SORT_OUTPUTS,
    script:
        "../scripts/sort.py"
