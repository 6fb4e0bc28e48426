"""The watchdogs' audit log: every event (armed, warn, trip, end) of every guard as one JSON line in
``logs/<job>/<rec>.events.jsonl`` (layout.CANARY_EVENTS / SORT_EVENTS, named after the job's log).

Why a file of its own: the job's log is the sorter's output, thousands of lines; what the guards
decided, with the figures they decided on, must be findable after the fact (a job SLURM killed, a
verdict someone doubts) and readable by `sortcanary status` while the job runs. The file is only
ever appended to: a canary's windows and a full sort's attempts follow each other in it, and each
line names its job, task, attempt and the sorter's pid.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ...boundary import JSONDict
from ...layout import EVENTS_SUFFIX, beside_log


def events_path(log_path: Path) -> Path:
    return beside_log(log_path, EVENTS_SUFFIX)


class EventLog:
    """Appends one job task's events; ``context`` (job, task, recording, attempt) goes on every line."""

    def __init__(self, path: Path, **context: object) -> None:
        self.path, self.context = Path(path), context

    def emit(self, guard: str, event: str, note: str, **figures: Any) -> JSONDict:
        """Append ``event`` of ``guard`` with a one-line ``note`` for people and its ``figures``."""
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "guard": guard, "event": event, **self.context,
                "note": note, **figures}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as fh:
            fh.write(json.dumps(line, default=str) + "\n")
        return line


def last_event(path: Path, tail_bytes: int = 8192) -> JSONDict | None:
    """The newest complete line of an events file, or None (no file, nothing readable yet)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - tail_bytes))
            lines = fh.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            event: JSONDict = json.loads(line)  # each line is one JSON object
            return event
        except ValueError:
            continue  # a line cut by the tail, or one being written
    return None


def describe(event: JSONDict) -> str:
    """``memory warn 2026-12-02T17:03:04+0000: RSS 3.1 GB is 86% of ...``, for status."""
    return f"{event.get('guard')} {event.get('event')} {event.get('time', '')}: {event.get('note', '')}".strip()
