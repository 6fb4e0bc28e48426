# What `snakemake --report report.html` shows. Each sorted recording's figures are copied out of its
# sorted folder, which is never a declared output (see layout.SORT_DONE). Copying a few PNGs is not
# worth a cluster job: it runs where snakemake runs.


localrules:
    report_figures,


rule report_figures:
    input:
        done=layout.SORT_DONE,
    output:
        report(
            directory(layout.REPORT_FIGURES),
            patterns=["{figure}.png"],
            caption="../report/figures.rst",
            category="Recordings",
            subcategory="{recording}",
            labels={"recording": "{recording}", "figure": "{figure}"},
        ),
    log:
        "logs/report/{recording}.log",
    conda:
        "../envs/sortcanary.yaml"
    params:
        figures=lambda wildcards: layout.path(
            layout.SORTED, recording=wildcards.recording
        )
        + "/"
        + layout.IN_SORTED["figures"],
    script:
        "../scripts/report_figures.py"
