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
    resources:
        gpu=1,
        attempt=attempt,
    params:
        recording=recording_entry,
        identity=sort_identity,
        # A changed outputs section re-runs this job, which then rebuilds only the outputs.
        outputs=lambda wildcards: config["outputs"],
        sorted_dir=lambda wildcards: layout.SORTED.format(recording=wildcards.recording),
    script:
        "../scripts/sort.py"
