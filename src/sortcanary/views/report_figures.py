"""The figures of every sorted recording in one folder, for `snakemake --report`."""

from __future__ import annotations

from pathlib import Path

from .. import layout
from ..atomic import link_or_copy, publish_dir, recover_interrupted, remove_quietly, staging_dir_for


def collect_report_figures(names, root: str = ".") -> Path:
    """Gather the figures of every sorted recording among ``names`` into ``results/report/figures/
    <recording>/``, the one folder `snakemake --report` reads (layout.REPORT_FIGURES).

    One folder for all recordings, refreshed with the summary after every run, rather than a job per
    recording: a per-recording job would have to wait on that recording's sort, which needs a
    checkpoint (so that a blocked recording adds no missing file to the report), and over 10,000
    recordings that cost the DAG a quarter of its time (bench/bench_dag_scale.py). Hard links, not
    copies (a copy where linking fails), assembled aside and swapped in whole.
    """
    final = Path(layout.path(layout.REPORT_FIGURES, root))
    recover_interrupted(final)
    staging = staging_dir_for(final)
    try:
        for name in sorted(names):
            source = Path(layout.path(layout.SORTED, root, recording=name)) / layout.IN_SORTED["figures"]
            pngs = sorted(source.glob("*.png")) if source.is_dir() else []
            if pngs:
                (staging / name).mkdir()
                for png in pngs:
                    link_or_copy(png, staging / name / png.name)
        publish_dir(staging, final, replace=True)
    except BaseException:
        remove_quietly(staging)
        raise
    return final
