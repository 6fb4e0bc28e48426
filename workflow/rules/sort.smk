rule sort:
    input:
        marker=layout.MARKER,
        recording=recording_files,
    output:
        done=layout.SORT_DONE,
    log:
        log=layout.SORT_LOG,
        verdict=layout.SORT_VERDICT,
    retries: 2
    conda:
        "../envs/sortcanary.yaml"
    resources:
        gpu=1,
        attempt=attempt,
    params:
        halt=layout.HALT,
        attempts=lambda wildcards: layout.SORT_ATTEMPTS.format(
            recording=wildcards.recording
        ),
        recording=recording_entry,
        identity=sort_identity,
        sorted_dir=lambda wildcards: layout.SORTED.format(recording=wildcards.recording),
    script:
        "../scripts/sort.py"
