rule preflight:
    output:
        layout.PREFLIGHT,
    log:
        log=layout.PREFLIGHT_LOG,
        verdict=layout.PREFLIGHT_VERDICT,
    priority: 100
    # Its checks (sorter installed, device usable, disk) give the same answer on a retry.
    retries: 0
    conda:
        "../envs/sortcanary.yaml"
    script:
        "../scripts/preflight.py"
