"""`sortcanary status`: the summary table of a results folder, live while a run goes on.

The recordings are those of the run's manifest (layout.RUN_MANIFEST, written when a run starts)
and those any per-recording path of sortcanary.layout names, found in one listing of each folder
the layout's own patterns name (never a second copy of them), so status works on any finished,
failed or half-run results folder without the config or the recordings. A recording whose canary
or full sort is running shows as ``running``, with its stage, percent, elapsed time and ETA
(sortcanary.views.live), and the last event of its watchdogs' audit log
(sortcanary.runner.guards.events).

Each recording's state comes from the row its jobs keep (sortcanary.views.rows), checked against
the same listings, so a call over 10,000 recordings reads one small file per recording and looks
for a running job only where a progress file is. A call also writes the run's summary files from
those rows (``render_summary``: the table and the page, not the plot), which no job does; `--watch`
only redraws the table."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import layout
from ..atomic import read_json, write_json_atomic
from ..boundary import JSONDict
from ..runner.guards.events import describe, last_event
from .live import progress_note, running_jobs
from .rows import Row, RunFiles, attention_first, build_rows

if TYPE_CHECKING:
    from ..recordings.entry import Problem

# Each job's audit log of watchdog events, by the job name sortcanary.views.live gives it.
EVENTS = {"canary": layout.CANARY_EVENTS, "sort": layout.SORT_EVENTS}

# Per-recording paths whose presence means sortcanary has seen the recording.
EVIDENCE = (layout.MARKER, layout.CANARY_VERDICT, layout.SORT_VERDICT, layout.SORTED, layout.CANARY_PROGRESS,
            layout.SORT_PROGRESS)


def recordings_on_disk(root: Path, files: RunFiles | None = None) -> set[str]:
    files = files or RunFiles(str(root))
    return set().union(*(files.names(pattern) for pattern in EVIDENCE))


def write_manifest(names: Iterable[str], problems: Iterable[Problem], skipped: dict[str, str] | None = None,
                   root: str = ".") -> None:
    """What this run discovered, for status and the summary (see layout.RUN_MANIFEST);
    ``skipped``: recording -> reason, for those the config's ``recordings`` section skips;
    ``parents``: each probe group's recording (split_by: group), from ``names``' entries."""
    parents = {n: e.parent for n, e in names.items() if getattr(e, "parent", "")} if isinstance(names, dict) else {}
    write_json_atomic(layout.path(layout.RUN_MANIFEST, root),
                      {"recordings": sorted(names), "problems": [vars(p) for p in problems],
                       "skipped": dict(sorted((skipped or {}).items())), "parents": dict(sorted(parents.items()))})


def run_recordings(root: Path, files: RunFiles | None = None) -> tuple[set[str], list[Problem], dict[str, str]]:
    """The recordings of the last run started here (its manifest) and any others on disk, the
    discovery problems (sortcanary.recordings.entry.Problem), and the recordings it skipped with
    their reasons."""
    manifest = read_json(layout.path(layout.RUN_MANIFEST, str(root))) or {}
    problems = []
    if manifest.get("problems"):  # importing sortcanary.recordings costs status a fifth of a second
        from ..recordings.entry import Problem

        problems = [Problem(**p) for p in manifest["problems"]]
    names = set(manifest.get("recordings", [])) | recordings_on_disk(root, files)
    return names, problems, manifest.get("skipped", {})


def status_root(results_dir: str) -> Path:
    """The working directory of a run, given it or its results folder."""
    path = Path(results_dir)
    results = Path(layout.SUMMARY_TSV).parent.name
    return path.parent if path.name == results or (path / Path(layout.SORTED).parent.name).is_dir() else path


def status_rows(results_dir: str, render: bool = False) -> tuple[Path, list[Row], dict[str, str]]:
    """The rows, blocked and failed first, and a progress note for each recording being worked on;
    with ``render``, the run's summary files are written from the same rows first."""
    root = status_root(results_dir)
    files = RunFiles(str(root))
    names, problems, skipped = run_recordings(root, files)
    rows = build_rows(names, str(root), problems, skipped, files)
    if render and rows:
        render_summary(rows, root)
    rows = attention_first(rows)
    # Only a recording with a progress file can have a running job.
    started = files.names(layout.CANARY_PROGRESS) | files.names(layout.SORT_PROGRESS)
    running = running_jobs(sorted(started & names), str(root), files.mtime)
    for row in rows:
        if row.recording in running:
            setattr(row, running[row.recording]["job"], "running")
    return root, rows, {name: running_note(root, name, state) for name, state in running.items()}


def running_note(root: Path, name: str, state: JSONDict) -> str:
    """A running job's progress, then the last event its watchdogs logged."""
    event = last_event(Path(layout.path(EVENTS[state["job"]], str(root), recording=name)))
    note = progress_note(state)
    return f"{note}\n       last watchdog event: {describe(event)}" if event else note


def render_summary(rows: list[Row], root: Path) -> None:
    """summary.tsv and summary.html, when the rows changed since they were written (the plot is the
    run end's or `sortcanary summary`'s: sortcanary.views.summary.render). A folder status may only
    read (another user's results) is no error: the table is still shown."""
    from .summary import render, summary_lock

    try:
        with summary_lock(str(root)):
            render(rows, str(root), for_status=True)
    except OSError as exc:
        print(f"sortcanary: the summary files were not written: {exc}", file=sys.stderr)
