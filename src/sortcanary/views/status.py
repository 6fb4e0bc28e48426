"""`sortcanary status`: the summary table of a results folder, live while a run goes on.

The recordings are those of the run's manifest (layout.RUN_MANIFEST, written when a run starts)
and those any per-recording path of sortcanary.layout names, found by globbing the layout's own
patterns (never a second copy of them), so status works on any finished, failed or half-run
results folder without the config or the recordings. A recording whose canary or full sort is
running shows as ``running``, with its stage, percent, elapsed time and ETA (sortcanary.views.live),
and the last event of its watchdogs' audit log (sortcanary.runner.guards.events).

Jobs refresh the summary files for the whole run when they finish (``refresh_summary``), so
results/summary.* follow the run instead of appearing only at its end.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import layout
from ..atomic import read_json, write_json_atomic
from ..recordings.entry import Problem
from ..runner.guards.events import describe, last_event
from .live import progress_note, running_jobs
from .summary import Row, attention_first, build_rows, write_summary

# Each job's audit log of watchdog events, by the job name sortcanary.views.live gives it.
EVENTS = {"canary": layout.CANARY_EVENTS, "sort": layout.SORT_EVENTS}

# Per-recording paths whose presence means sortcanary has seen the recording.
EVIDENCE = (layout.MARKER, layout.CANARY_VERDICT, layout.SORT_VERDICT, layout.SORTED, layout.CANARY_PROGRESS,
            layout.SORT_PROGRESS)


def recordings_on_disk(root: Path) -> set[str]:
    names: set[str] = set()
    for pattern in EVIDENCE:
        prefix, _, suffix = pattern.partition("{recording}")
        for path in root.glob(prefix + "*" + suffix):
            relative = path.relative_to(root).as_posix()
            name = relative[len(prefix): len(relative) - len(suffix) or None]
            if name and not name.startswith(".") and (suffix or path.is_dir()):
                names.add(name)
    return names


def write_manifest(names, problems, skipped: dict[str, str] | None = None, root: str = ".") -> None:
    """What this run discovered, for the jobs' summary refreshes and for status (see layout.RUN_MANIFEST);
    ``skipped``: recording -> reason, for those the config's ``recordings`` section skips."""
    write_json_atomic(layout.path(layout.RUN_MANIFEST, root),
                      {"recordings": sorted(names), "problems": [vars(p) for p in problems],
                       "skipped": dict(sorted((skipped or {}).items()))})


def run_recordings(root: Path) -> tuple[set[str], list[Problem], dict[str, str]]:
    """The recordings of the last run started here (its manifest) and any others on disk, the
    discovery problems, and the recordings it skipped with their reasons."""
    manifest = read_json(layout.path(layout.RUN_MANIFEST, str(root))) or {}
    problems = [Problem(**p) for p in manifest.get("problems", [])]
    return set(manifest.get("recordings", [])) | recordings_on_disk(root), problems, manifest.get("skipped", {})


def refresh_summary(root: str = ".") -> None:
    """After a job: rewrite the run's summary files. A failure is only noted: the job's own result stands."""
    try:
        names, problems, skipped = run_recordings(Path(root))
        write_summary(names, root, problems, skipped)
    except Exception as exc:  # noqa: BLE001 -- see docstring
        print(f"sortcanary: refreshing the summary failed: {type(exc).__name__}: {exc}", file=sys.stderr)


def status_root(results_dir: str) -> Path:
    """The working directory of a run, given it or its results folder."""
    path = Path(results_dir)
    results = Path(layout.SUMMARY_TSV).parent.name
    return path.parent if path.name == results or (path / Path(layout.SORTED).parent.name).is_dir() else path


def status_rows(results_dir: str) -> tuple[Path, list[Row], dict[str, str]]:
    """The rows, blocked and failed first, and a progress note for each recording being worked on."""
    root = status_root(results_dir)
    names, problems, skipped = run_recordings(root)
    rows = attention_first(build_rows(names, str(root), problems, skipped))
    running = running_jobs(names, str(root))
    for row in rows:
        if row.recording in running:
            setattr(row, running[row.recording]["job"], "running")
    return root, rows, {name: running_note(root, name, state) for name, state in running.items()}


def running_note(root: Path, name: str, state: dict) -> str:
    """A running job's progress, then the last event its watchdogs logged."""
    event = last_event(Path(layout.path(EVENTS[state["job"]], str(root), recording=name)))
    note = progress_note(state)
    return f"{note}\n       last watchdog event: {describe(event)}" if event else note
