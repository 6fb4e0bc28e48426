# A checkpoint, so that what depends on a finished sort (report figures) is requested only once the
# sort has finished: a blocked recording then never puts a missing file into `snakemake --report`.
checkpoint sort:
    input:
        marker=layout.MARKER,
        recording=recording_files,
    output:
        done=layout.SORT_DONE,
    log:
        log=layout.SORT_LOG,
        verdict=layout.SORT_VERDICT,
    # Resource failures are retried with a smaller batch; any other verdict fails the retry at once.
    retries: 2
    conda:
        "../envs/sortcanary.yaml"
    threads: SORTER_THREADS
    resources:
        gpu=1,
        attempt=attempt,
        runtime=sort_runtime_min,
        mem_mb=sort_mem_mb,
    params:
        halt=layout.HALT,
        attempts=lambda wildcards: layout.SORT_ATTEMPTS.format(
            recording=wildcards.recording
        ),
        recording=recording_entry,
        identity=SORT_IDENTITY,
        # A changed outputs section re-runs this job, which then rebuilds only the outputs.
        outputs=lambda wildcards: config["outputs"],
        sorted_dir=lambda wildcards: layout.SORTED.format(recording=wildcards.recording),
    script:
        "../scripts/sort.py"
