"""``join: runs``: a recording's runs or segments sorted once, end to end, before any job exists.

Labs join a session's runs so that a unit keeps one identity across them (Kilosort #811 and #900,
SpikeInterface #3869). Discovery gives one recording per run or segment (``<recording>__seg<k>``,
each with its recording's name as ``parent``); where ``join: runs`` applies to that name, its runs
become one recording again, under that name, whose ``runs`` list them in order: the job opens them
with SpikeInterface's ``concatenate_recordings`` (sortcanary.recordings.open), and the full sort
splits its sorting back per run (sortcanary.products.runs). Its duration is the sum of its runs',
which the canary's windows, the resources forecast and the progress ETA all read.

Runs that can't be joined are caught here, where the DAG is built: a run whose channel count,
sampling rate, sample type or probe differs from the first run's is one Problem naming that run, and
the runs that match are joined without it.
"""

from __future__ import annotations

from dataclasses import replace

from ..boundary import JSONDict
from ..recordings import Problem, RecordingEntry, Window
from ..taxonomy import Verdict, verdict_for

MATCHED = {"num_channels": "channels", "sampling_frequency": "Hz", "dtype": "sample type", "probe": "probe"}


def _join(cfg: JSONDict, overridden: dict[str, JSONDict], name: str) -> str:
    return str((overridden.get(name) or cfg).get("join", "none"))


def _differs(first: RecordingEntry, run: RecordingEntry) -> str:
    """What makes ``run`` unfit to join ``first`` ("" if nothing)."""
    for key, unit in MATCHED.items():
        if getattr(run, key) != getattr(first, key):
            return f"{unit} {getattr(run, key) or 'none'} where {first.name} has {getattr(first, key) or 'none'}"
    return ""


def join_runs(cfg: JSONDict, recordings: dict[str, RecordingEntry], overridden: dict[str, JSONDict]
              ) -> tuple[dict[str, RecordingEntry], dict[str, JSONDict], list[Problem]]:
    """(the recordings with the runs of each recording ``join: runs`` applies to replaced by one
    joined recording, the per-recording configs with it given its runs', a Problem for each run that
    doesn't match its recording's first run). Nothing changes without ``join: runs`` anywhere."""
    if cfg.get("join", "none") == "none" and all(c.get("join", "none") == "none" for c in overridden.values()):
        return recordings, overridden, []
    sessions: dict[str, list[RecordingEntry]] = {}
    for name, entry in recordings.items():
        if entry.segment >= 0 and _join(cfg, overridden, name) == "runs":
            sessions.setdefault(entry.parent, []).append(entry)
    joined = dict(recordings)
    configs = dict(overridden)
    problems: list[Problem] = []
    for parent, runs in sessions.items():
        runs.sort(key=lambda e: e.segment)
        if parent in recordings:
            problems.append(Problem(parent, runs[0].path, f"join: runs would name the joined runs {parent}, which another "
                                    "recording is named; rename that recording"))
            continue
        for run in runs:
            del joined[run.name]
        fits = [run for run in runs if not _differs(runs[0], run)]
        for run in runs:
            if run not in fits:
                problems.append(Problem(run.name, run.path, f"join: runs: run {run.name} can't be joined: "
                                        f"{_differs(runs[0], run)}; sort it alone (recordings.{parent}.join: none) "
                                        "or make the runs match"))
        files = tuple(dict.fromkeys(f for run in fits for f in run.input_files))
        joined[parent] = replace(fits[0], name=parent, parent="", segment=-1, input_files=files,
                                 duration_s=sum(run.duration_s for run in fits),
                                 runs=tuple({"name": run.name, "segment": run.segment, "duration_s": run.duration_s}
                                            for run in fits))
        if runs[0].name in overridden:
            configs[parent] = overridden[runs[0].name]
    return joined, configs, problems


def first_join_s(entry: RecordingEntry) -> float | None:
    """Where the first run ends and the second starts, in the joined recording (None unjoined)."""
    return float(entry.runs[0]["duration_s"]) if len(entry.runs) > 1 else None


def join_record(entry: RecordingEntry, window: Window) -> JSONDict:
    """What a canary's records say about a joined recording: its runs and the join its window holds."""
    at = first_join_s(entry)
    return {"runs": [run["name"] for run in entry.runs], "first_join_s": at,
            "window_straddles_join": at is not None and window.start_s < at < window.start_s + window.duration_s}


def off_join_window(entry: RecordingEntry, window: Window) -> Window | None:
    """A window as long as ``window`` inside the first run, to tell whether a failure across the
    join is the join's (None when the first run is shorter than the window)."""
    at = first_join_s(entry)
    return Window(0.0, window.duration_s) if at is not None and window.duration_s <= at else None


def join_broken(verdict: Verdict, entry: RecordingEntry, window: Window) -> Verdict:
    """The verdict when a window across the join failed (``verdict``) and one inside the first run
    sorted: the join is what breaks the sort."""
    record = join_record(entry, window)
    runs = record["runs"]
    return verdict_for("runs_join_broken", message=f"runs {runs[0]} and {runs[1]}, joined end to end, fail to sort "
                       f"across their join at {record['first_join_s']:g} s ({verdict.error_class}: {verdict.message}) "
                       f"and sort within {runs[0]}", join=record, across_join={**verdict.as_dict()})


def naming_join(verdict: Verdict, entry: RecordingEntry, window: Window) -> Verdict:
    """A canary's verdict on a joined recording names the join: the window sorted held the
    stitch between its first two runs, where an offset or a filter's edge shows."""
    record = join_record(entry, window)
    if verdict.error_class == "runs_join_broken":
        return verdict
    if not record["window_straddles_join"]:
        return replace(verdict, evidence={**verdict.evidence, "join": record})
    runs = record["runs"]
    return replace(verdict, evidence={**verdict.evidence, "join": record},
                   message=f"on runs joined end to end (join: runs), in a window across the join of {runs[0]} and "
                   f"{runs[1]} at {record['first_join_s']:g} s: {verdict.message}",
                   remediation=f"{verdict.remediation} If the runs sort alone, the join is the cause: sort them "
                   f"separately (recordings.<name>.join: none) or check the runs match.")
