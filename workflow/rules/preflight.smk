rule preflight:
    input:
        require_keep_going,
        default_gpu_resource,
    output:
        layout.PREFLIGHT,
    log:
        log=layout.PREFLIGHT_LOG,
    priority: 100
    # Its checks (sorter installed, device usable, disk) give the same answer on a retry.
    retries: 0
    conda:
        rule_env
    params:
        verdict=layout.PREFLIGHT_VERDICT,
        hdf5_filters=hdf5_filters_needed,
    script:
        "../scripts/preflight.py"
