"""Which jobs are running now, from the progress files they keep (sortcanary.runner.progress).

A job counts as running when both hold:

* its progress file (``logs/<job>/<rec>.progress.json``) is newer than its verdict, or it has no
  verdict yet: every job removes its stale verdict when it starts and writes a new one when it
  ends, so a verdict newer than the progress means the job is over;
* the process that writes the progress is alive. On this host that is checked for real: the pid
  exists and was started when the file says (so a recycled pid doesn't count). A job on another
  host (a cluster node) can't be checked from here, so there it is alive while its file keeps
  being refreshed: the job rewrites it at every progress line, so a file older than three
  intervals (plus a minute of slack for a slow shared filesystem) means the job is gone.

A job killed with SIGKILL leaves a progress file and no verdict: its process is gone, so it is
not running, and the recording shows as it did before the job started.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable

from .. import layout
from ..atomic import read_json
from ..boundary import JSONDict
from ..runner.progress import format_line

# (job, its progress file, its verdict): the full sort first, it comes after a canary
JOBS = (("sort", layout.SORT_PROGRESS, layout.SORT_VERDICT), ("canary", layout.CANARY_PROGRESS, layout.CANARY_VERDICT))
STALE_SLACK_S = 60.0


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime_ns / 1e9
    except OSError:
        return None


def process_alive(state: JSONDict, now: float | None = None) -> bool:
    """Is the process that wrote ``state`` still there? (See the module doc.)"""
    if state.get("host") != socket.gethostname():
        interval = float(state.get("interval_s") or 60.0)
        return (now or time.time()) - float(state.get("updated") or 0) < 3 * interval + STALE_SLACK_S
    import psutil

    try:
        started = psutil.Process(int(state["pid"])).create_time()
    except (psutil.Error, KeyError, TypeError, ValueError):
        return False
    return abs(started - float(state.get("pid_started") or 0)) < 1.0


MTime = Callable[[str, str], "float | None"]  # (layout pattern, recording) -> when that file was written, or None


def running_job(name: str, root: str = ".", mtime: MTime | None = None) -> JSONDict | None:
    """The progress of ``name``'s running job (with ``elapsed_s`` brought up to now), or None.
    ``mtime(pattern, name)``: when one of the job's files was written (None: not there); by
    default a stat, a caller that listed the folders already gives its own (views.rows.RunFiles)."""
    mtime = mtime or (lambda pattern, rec: _mtime(layout.path(pattern, root, recording=rec)))
    for job, progress_pattern, verdict_pattern in JOBS:
        written = mtime(progress_pattern, name)
        verdict_written = mtime(verdict_pattern, name)
        if written is None or (verdict_written is not None and verdict_written >= written):
            continue
        state: JSONDict | None = read_json(layout.path(progress_pattern, root, recording=name))
        if state and process_alive(state):
            state["job"] = job
            if state.get("started"):
                state["elapsed_s"] = time.time() - float(state["started"])
            return state
    return None


def running_jobs(names: Iterable[str], root: str = ".", mtime: MTime | None = None) -> dict[str, JSONDict]:
    found = {name: running_job(name, root, mtime) for name in names}
    return {name: state for name, state in found.items() if state}


def progress_note(state: JSONDict) -> str:
    """The row's note in `sortcanary status`: ``running canary: drift correction 56% (5/9) | ...``"""
    return f"running {state['job']}: {format_line(state, prefix=False)}"
