rule sort:
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
        runtime=sort_runtime_min,
        mem_mb=sort_mem_mb,
    params:
        recording=recording_entry,
        identity=sort_identity,
        sorted_dir=lambda wildcards: layout.SORTED.format(recording=wildcards.recording),
    script:
        "../scripts/sort.py"
