"""The figures of every sorted recording in one folder, for `snakemake --report`.

``results/report/figures/<recording>/`` (layout.REPORT_FIGURES) holds hard links to each sorted
recording's figures (a copy where linking fails), the one folder `snakemake --report` reads. One
folder for all recordings rather than a job per recording: a per-recording job would have to wait
on that recording's sort, which needs a checkpoint (so that a blocked recording adds no missing
file to the report), and over 10,000 recordings that cost the DAG a quarter of its time
(bench/bench_dag_scale.py).

A full sort links its own recording's figures when it ends (``link_report_figures``): one
recording's folder, assembled aside and swapped in, whatever the size of the run. When the run
ends, ``collect_report_figures`` makes the folder whole: it relinks a recording whose figures
changed and drops one that has none any more, and leaves the rest as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .. import layout
from ..atomic import link_or_copy, publish_dir, recover_interrupted, remove_quietly, staging_dir_for
from ..boundary import JSONDict


def _figures(name: str, root: str) -> dict[str, os.stat_result]:
    source = Path(layout.path(layout.SORTED, root, recording=name)) / layout.IN_SORTED["figures"]
    try:
        with os.scandir(source) as entries:
            return {e.name: e.stat() for e in entries if e.name.endswith(".png") and e.is_file()}
    except OSError:
        return {}


def _same(linked: Path, figures: dict[str, os.stat_result]) -> bool:
    """Does ``linked`` hold exactly these figures? (A link or a copy has their size and mtime.)"""
    try:
        with os.scandir(linked) as entries:
            there = {e.name: e.stat() for e in entries}
    except OSError:
        return False
    return there.keys() == figures.keys() and all(
        (there[n].st_size, there[n].st_mtime_ns) == (s.st_size, s.st_mtime_ns) for n, s in figures.items())


def link_report_figures(name: str, root: str = ".", figures: JSONDict | None = None) -> Path | None:
    """Put ``name``'s figures (hard links) in its own folder under results/report/figures/, swapped
    in whole; remove that folder when the recording has no figures. Other recordings' folders are
    never touched. Returns the folder, or None when there is nothing to show."""
    figures = _figures(name, root) if figures is None else figures
    source = Path(layout.path(layout.SORTED, root, recording=name)) / layout.IN_SORTED["figures"]
    final = Path(layout.path(layout.REPORT_FIGURES, root)) / name
    recover_interrupted(final)
    if not figures:
        remove_quietly(final)
        return None
    staging = staging_dir_for(final)
    try:
        for png in sorted(figures):
            link_or_copy(source / png, staging / png)
        publish_dir(staging, final, replace=True)
    except BaseException:
        remove_quietly(staging)
        raise
    return final


def collect_report_figures(names: Iterable[str], root: str = ".") -> Path:
    """Make results/report/figures/ hold exactly the figures of the sorted recordings among
    ``names``: a recording's folder is relinked only when its figures changed, and folders of
    recordings no longer among them, or without figures, are removed."""
    final = Path(layout.path(layout.REPORT_FIGURES, root))
    recover_interrupted(final)  # a whole-folder swap of an earlier version, killed
    final.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for name in names:
        figures = _figures(name, root)
        if figures:
            wanted[name] = figures
    for entry in os.listdir(final):
        if entry not in wanted:  # gone, no figures now, or a killed job's staging (".<rec>.partial-*")
            if (final / entry).is_dir():
                remove_quietly(final / entry)
            else:
                (final / entry).unlink()
    for name, figures in wanted.items():
        if not _same(final / name, figures):
            link_report_figures(name, root, figures)
    return final
