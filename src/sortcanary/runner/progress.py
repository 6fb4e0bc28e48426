"""What a running job is doing, read from its own log: the stage, the percent and the ETA of the
step, printed to the console at a steady interval and kept as JSON for `sortcanary status`.

Why the log: the sorter runs in a child process whose output goes to the job's log, and the
watching parent (sortcanary.runner.watched) already polls the child every half second. Reading
what the log gained since the last poll costs nothing, needs no hook in any sorter, and shows
exactly what the sorter itself says.

Two sources:

* **stages** -- lines that open a step. Every job has sortcanary's own markers (``stage: ...``,
  logged by the child and the post-sort step), the generic fallback for any sorter; a sorter with
  an entry in ``STAGES`` adds its own step headers (Kilosort4's ``Computing drift correction.``).
* **tqdm bars** (``56%|█████▌    | 5/9 [00:46<00:36, ...]``), which Kilosort4 and SpikeInterface
  draw for their passes over the data: percent, done/total, and the step's own ETA. A bar counts
  for the stage it follows; a new stage clears it.

The line goes to the job's stderr, which Snakemake passes through to its console for local runs
(a ``script:`` job inherits it; the sorter's full output still goes to the job's log only). On a
cluster it lands in the scheduler's job log.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..atomic import write_json_atomic
from ..boundary import JSONDict
from ..plan.resources import forecast_for

if TYPE_CHECKING:
    from ..plan.sortplan import SortPlan
    from ..recordings import Window

# A step header -> the stage it opens. A pattern with a group names the stage with that group.
COMMON_STAGES: list[tuple[str, str | None]] = [
    (r"sortcanary\b.*?\bstage: (.+?)\s*$", None),
]

STAGES: dict[str, list[tuple[str, str | None]]] = {
    # kilosort 4.1.7, kilosort/run_kilosort.py: each step logs its header, then a line of dashes.
    "kilosort4": [
        (r"Computing preprocessing variables\.", "preprocessing"),
        (r"Computing drift correction\.", "drift correction"),
        (r"Extracting spikes using templates", "spike detection"),
        (r"First clustering", "first clustering"),
        (r"Extracting spikes using cluster waveforms", "template extraction"),
        (r"Final clustering", "final clustering"),
        (r"Merging clusters", "merging clusters"),
        (r"Saving to phy", "saving phy output"),
        (r"Generating (?:drift|diagnostic|spike position) plots", "plots"),
        (r"kilosort4 run time", "saving the sorting"),
    ],
}

# The stages whose time grows with the recording's length: the sorter's passes over the data and the
# clustering of what they found. The rest of a job (imports, device and filter set-up, saving, the
# post-sort step) is paid once whatever the length, so a full sort's forecast scales only these
# (sortcanary.plan.resources.forecast_seconds). A sorter without an entry has all its time scaled,
# which errs long. Kilosort4's times per stage, 30 s window against 3 min of the same recording
# (16 ch, CPU): drift 3.5 -> 19.9 s, spikes 3.5 -> 19.8 s, the clustering steps 5.4 -> 21.5 s.
DATA_PASSES: dict[str, frozenset[str]] = {
    "kilosort4": frozenset({"drift correction", "spike detection", "first clustering", "template extraction",
                            "final clustering", "merging clusters", "saving phy output"}),
}

# tqdm's default bar: "{desc}: {percentage:3.0f}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}]"
TQDM = re.compile(
    r"(?:(?P<desc>[^\r\n|%]*?):\s*)?(?P<pct>\d{1,3})%\|[^|\r\n]*\|\s*(?P<n>\d+)/(?P<total>\d+)\s*"
    r"\[(?P<elapsed>\d+(?::\d\d)+)<(?P<left>\d+(?::\d\d)+|\?)[,\]]"  # a bar cut mid-write doesn't count
)
CARRY_CHARS = 4096  # an unfinished line kept between polls (a live tqdm bar has no newline yet)
WRITE_EVERY_S = 2.0  # the JSON is rewritten at most this often while the state changes


def clock_seconds(text: str) -> float | None:
    """tqdm's ``mm:ss`` or ``h:mm:ss`` in seconds; None for ``?``."""
    if not text or text == "?":
        return None
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def short_duration(seconds: float | None) -> str:
    """``45s``, ``2m14s``, ``1h02m``: short enough for a status line."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass
class LogProgress:
    """The stage and the latest bar found in a log, fed with the text it gains."""

    sorter: str
    stage: str | None = None
    bar: JSONDict | None = None
    bar_at: float = 0.0  # monotonic time the bar was last drawn: its ETA counts down from there
    stage_seconds: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, by when it was read
    clock: Callable[[], float] = time.monotonic  # when a line was read (a test gives its own)
    _stage_at: float = 0.0
    _carry: str = ""
    _patterns: list[tuple[re.Pattern[str], str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        table = COMMON_STAGES + STAGES.get(self.sorter, [])
        self._patterns = [(re.compile(p), name) for p, name in table]

    def set_stage(self, stage: str) -> None:
        now = self.clock()
        if self.stage is not None:
            self.stage_seconds[self.stage] = self.stage_seconds.get(self.stage, 0.0) + now - self._stage_at
        self.stage, self.bar, self._stage_at = stage, None, now

    def data_pass_seconds(self) -> float | None:
        """Seconds spent so far in the sorter's DATA_PASSES stages (to the poll that read each stage's
        header, so within one poll interval); None for a sorter without an entry."""
        passes = DATA_PASSES.get(self.sorter)
        if passes is None:
            return None
        spent = sum(seconds for stage, seconds in self.stage_seconds.items() if stage in passes)
        return round(spent + (self.clock() - self._stage_at if self.stage in passes else 0.0), 3)

    def feed(self, text: str) -> None:
        """Take the text the log gained; complete lines open stages and update bars, and the
        unfinished last line (a bar being redrawn) updates the bar."""
        pieces = re.split(r"[\r\n]", self._carry + text)
        self._carry = pieces.pop()[-CARRY_CHARS:]
        for piece in pieces:
            self._line(piece)
        self._bar(self._carry)

    def _line(self, line: str) -> None:
        for pattern, name in self._patterns:
            found = pattern.search(line)
            if found:
                self.set_stage(name or found.group(1))
                return
        self._bar(line)

    def _bar(self, text: str) -> None:
        bars = list(TQDM.finditer(text))
        if not bars:
            return
        last = bars[-1]
        self.bar_at = self.clock()
        self.bar = {"step": (last["desc"] or "").strip() or None, "percent": int(last["pct"]),
                    "done": int(last["n"]), "total": int(last["total"]),
                    "step_elapsed_s": clock_seconds(last["elapsed"]), "eta_s": clock_seconds(last["left"])}


class ProgressReporter:
    """One job's progress: follows each task's log while the runner polls, prints a line every
    ``interval_s`` and keeps the latest state in ``path`` (JSON) for `sortcanary status`."""

    def __init__(self, *, recording: str, job: str, sorter: str, interval_s: float, path: Path | None = None,
                 stream: TextIO | None = None, forecast_s: float | None = None) -> None:
        self.recording, self.job, self.interval_s, self.path = recording, job, float(interval_s), path
        self.stream, self.forecast_s = stream, forecast_s
        self.progress = LogProgress(sorter)
        self.started_wall, self.started = time.time(), time.monotonic()
        self.window: JSONDict | None = None
        self._log: Path | None = None
        self._offset = 0
        self._last_line = self.started
        self._last_write = 0.0
        self._written: JSONDict | None = None

    @classmethod
    def for_plan(cls, plan: SortPlan, path: Path | None = None, stream: TextIO | None = None) -> ProgressReporter:
        """A full sort's reporter also knows its forecast, from the canary's measured rate
        (sortcanary.plan.resources.forecast_for, in the plan's working directory)."""
        forecast = forecast_for(plan.recording.name, plan.duration_s, plan.root) if plan.window is None else None
        return cls(recording=plan.recording.name, job=plan.job, sorter=plan.sorter,
                   interval_s=plan.progress_interval_s, path=path, stream=stream, forecast_s=forecast)

    def follow(self, log_path: Path, task: str, window: Window | None = None) -> None:
        """Start reading ``log_path`` from its current end: the log is appended to by every task
        and window of the job, and only this task's text says where it is."""
        self._log = log_path
        self.progress = LogProgress(self.progress.sorter)  # stage times are per task
        try:
            self._offset = log_path.stat().st_size
        except OSError:
            self._offset = 0
        self.window = window.as_dict() if window is not None else None
        self.progress.set_stage("post-sort outputs" if task == "outputs" else "starting")
        self._write(time.monotonic())

    def poll(self, now: float | None = None) -> None:
        """Read what the log gained; print a line when the interval is up; keep the JSON fresh."""
        now = time.monotonic() if now is None else now
        self._read()
        if now - self._last_line >= self.interval_s:
            self._last_line = now
            self._print(self.line())
            self._write(now)
        elif now - self._last_write >= WRITE_EVERY_S and self.snapshot(now, live=False) != self._written:
            self._write(now)

    def catch_up(self) -> None:
        """Read what the log gained since the last poll, printing nothing: the runner calls it once
        the child has ended, so the stage times include the child's last lines."""
        self._read()

    def _read(self) -> None:
        if self._log is None:
            return
        try:
            with open(self._log, "rb") as fh:
                fh.seek(self._offset)
                gained = fh.read()
        except OSError:
            return
        self._offset += len(gained)
        if gained:
            self.progress.feed(gained.decode("utf-8", "replace"))

    def snapshot(self, now: float | None = None, live: bool = True) -> JSONDict:
        """The state as kept in the JSON; ``live=False`` leaves out what changes by itself (time)."""
        now = time.monotonic() if now is None else now
        state = {"recording": self.recording, "job": self.job, "stage": self.progress.stage, "window": self.window,
                 **(self.progress.bar or {})}
        if live and state.get("eta_s") is not None:  # tqdm's estimate when drawn, less the time since
            state["eta_s"] = round(max(0.0, state["eta_s"] - (now - self.progress.bar_at)), 1)
        if self.forecast_s is not None:
            state["forecast_s"] = self.forecast_s
        if live:
            state.update(elapsed_s=round(now - self.started, 1), started=self.started_wall, updated=time.time(),
                         interval_s=self.interval_s, **process_identity())
        return state

    def line(self, now: float | None = None) -> str:
        return format_line(self.snapshot(now))

    def _print(self, text: str) -> None:
        try:
            print(text, file=self.stream or sys.stderr, flush=True)
        except (OSError, ValueError):  # a closed console must not stop a sort
            pass

    def _write(self, now: float) -> None:
        self._last_write = now
        self._written = self.snapshot(now, live=False)
        if self.path is not None:
            try:
                write_json_atomic(self.path, self.snapshot(now))
            except OSError:  # progress is a courtesy: a full or read-only log folder must not stop a sort
                pass


def process_identity() -> JSONDict:
    """Who writes the progress: `sortcanary status` checks this process is still alive."""
    import psutil

    pid = os.getpid()
    return {"pid": pid, "pid_started": psutil.Process(pid).create_time(), "host": socket.gethostname()}


def forecast_note(started: float, forecast_s: float, elapsed_s: float | None) -> str:
    """``forecast finish 16:42 (in 12m03s)``: start time + the canary's forecast, local time;
    ``overdue`` once the forecast has passed (the time limit has a safety margin beyond it)."""
    finish = started + forecast_s
    clock = time.strftime("%H:%M" if forecast_s >= 600 else "%H:%M:%S", time.localtime(finish))
    left = forecast_s - (elapsed_s if elapsed_s is not None else time.time() - started)
    return f"forecast finish {clock} ({'in ' + short_duration(left) if left >= 0 else 'overdue'})"


def format_line(state: JSONDict, prefix: bool = True) -> str:
    """``[14:02:11] sortcanary | sort rec1 | drift correction 56% (5/9) | elapsed 2m14s | step ETA 36s``,
    and for a full sort whose canary measured its rate ``| forecast finish 14:31 (in 29m)``."""
    what = state.get("stage") or "starting"
    if state.get("step") and state["step"] not in what:
        what += f" / {state['step']}"
    if state.get("percent") is not None:
        what += f" {state['percent']}% ({state['done']}/{state['total']})"
    window = state.get("window")
    if state.get("job") == "canary" and window and window.get("start_s"):  # a confirmation window
        what = f"window {window['start_s']:g}-{window['start_s'] + window['duration_s']:g} s: {what}"
    parts = [what, f"elapsed {short_duration(state.get('elapsed_s'))}"]
    if state.get("eta_s") is not None:
        parts.append(f"step ETA {short_duration(state['eta_s'])}")
    if state.get("forecast_s") is not None and state.get("started"):
        parts.append(forecast_note(float(state["started"]), float(state["forecast_s"]), state.get("elapsed_s")))
    if not prefix:
        return " | ".join(parts)
    job = f"{state.get('job', '')} {state.get('recording', '')}"
    return " | ".join([f"[{time.strftime('%H:%M:%S')}] sortcanary", job, *parts])
