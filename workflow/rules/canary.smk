rule canary:
    input:
        preflight=layout.PREFLIGHT,
        recording=recording_files,
    output:
        marker=layout.MARKER,
    log:
        log=layout.CANARY_LOG,
        verdict=layout.CANARY_VERDICT,
    params:
        recording=recording_entry,
        identity=sort_identity,
    resources:
        gpu=1,
    priority: 50
    script:
        "../scripts/canary.py"
