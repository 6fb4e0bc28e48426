rule preflight:
    output:
        layout.PREFLIGHT,
    log:
        log=layout.PREFLIGHT_LOG,
        verdict=layout.PREFLIGHT_VERDICT,
    priority: 100
    conda:
        "../envs/sortcanary.yaml"
    script:
        "../scripts/preflight.py"
