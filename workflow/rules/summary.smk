# The summary files and the sorted recordings' figures are declared here so that `snakemake --report`
# can show them. This job runs only when every recording was sorted; the onsuccess/onerror hooks
# below write the same files after every run, so they exist (and list blocked recordings, and hold
# the figures of those that were sorted) even when the run failed. No canary or sort job writes
# them: each writes its own recording's row (and a sort links its figures), so a job's end costs
# the same in a run of any size (sortcanary.views.rows).


rule summary:
    input:
        expand(layout.SORT_DONE, recording=sorted(RECORDINGS)),
    output:
        tsv=report(
            layout.SUMMARY_TSV,
            caption="../report/summary_table.rst",
            category="Summary",
        ),
        png=report(
            layout.SUMMARY_PNG,
            caption="../report/summary_plot.rst",
            category="Summary",
        ),
        html=layout.SUMMARY_HTML,
        figures=report(
            directory(layout.REPORT_FIGURES),
            patterns=["{recording}/{figure}.png"],
            caption="../report/figures.rst",
            category="Recordings",
            subcategory="{recording}",
            labels={"recording": "{recording}", "figure": "{figure}"},
        ),
    log:
        "logs/summary.log",
    # Runs on the machine that runs snakemake. The rule-level form, unlike `localrules:`, keeps
    # working when the rule is renamed by `use rule * from sortcanary as sc_*`.
    localrule: True
    conda:
        rule_env
    params:
        names=sorted(RECORDINGS),
        problems=PROBLEMS,
        skipped=SKIPPED,
    script:
        "../scripts/summary.py"


# Snakemake runs these three only in the main Snakefile: a workflow that uses sortcanary as a
# module calls start_run() and summarize() from its own (docs/deploy.md).
onstart:
    start_run()


onsuccess:
    summarize(True)


onerror:
    summarize(False)
