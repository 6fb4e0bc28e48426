"""The parent side of a sort: run one task of a plan in a child process and watch it, so that no
failure can hang a job forever.

Why a child: a sorter can hang without a word, be killed by the kernel's OOM killer, or fill the
disk. In-process, any of these takes the job (and a GPU node) down with it, or leaves it stuck for
days. The parent here only watches:

* inactivity -- the sorter's logs and output folder stop growing for ``timeout_s``: stop it;
* disk       -- free space of the watched folders drops below ``abort_free_bytes``: stop it;
* memory     -- the tree's unreclaimable memory nears its limit (host, cgroup, mem_mb): stop it
  (runner.guards.memory);
* I/O stall  -- the tree neither reads nor computes while alive: stop it (runner.guards.io_stall);
* exit       -- a child ended by SIGKILL with no error text is the OOM killer's work;
* interrupts -- Ctrl-C / SIGTERM stop the child and propagate; they are never swallowed.

"Stop" is SIGTERM to the child and its descendants, a grace period, then SIGKILL. Every guard's
events go to the job's audit log (runner.guards.events); the tree's peak RSS, sampled on every
poll, and the child's peak GPU memory come back with the result (``peak_rss_bytes``,
``peak_gpu_bytes``), failed or not. A GPU out-of-memory leaves a snapshot (runner.guards.gpu).

The child (sortcanary.runner.child) reads the plan this side writes once into the work folder,
runs one task -- ``sort`` (run the backend, save the sorting) or ``outputs`` (the post-sort step
on the saved sorting) -- and writes a result JSON, which on failure carries its exception, parsed;
this side adds the sorter's logs and the exit status and classifies once, with the plan's rules
(built-in and the config's ``classification.rules``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Literal, NoReturn

import psutil

from ..atomic import read_json, write_json_atomic
from ..boundary import JSONDict
from ..plan.sortplan import SortPlan
from ..taxonomy import Verdict, verdict_for
from .failure import failure_verdict
from .gpu_slots import child_env, device_used, gpu_slot
from .guards.arm import TRIPPED_BY, arm_guards
from .guards.events import EventLog, events_path
from .guards.gpu import write_gpu_snapshot
from .guards.tree import sample_tree
from .progress import ProgressReporter

PLAN_FILE = "plan.json"
TASK_FILE = "task.json"
RESULT_FILE = "result.json"

GRACE_S = 10.0
POLL_S = 0.5
DISK_POLL_S = 2.0


@dataclass
class ChildResult:
    ok: bool
    seconds: float
    units: int | None = None
    verdict: Verdict | None = None
    details: JSONDict = field(default_factory=dict)
    gpu: str | None = None  # the device the child ran on (sortcanary.runner.gpu_slots.device_used)


def _tree_size(paths: list[Path]) -> tuple[int, float]:
    """Total size and newest mtime under ``paths``: the child's sign of life."""
    total, newest = 0, 0.0
    for root in paths:
        if root.is_file():
            st = root.stat()
            total, newest = total + st.st_size, max(newest, st.st_mtime)
            continue
        for dirpath, _, files in os.walk(root):
            for name in files:
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                total, newest = total + st.st_size, max(newest, st.st_mtime)
    return total, newest


def top_consumers(paths: list[Path], n: int = 5) -> list[str]:
    sizes: dict[str, int] = {}
    for root in paths:
        for dirpath, _, files in os.walk(root):
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    sizes[full] = os.stat(full).st_size
                except OSError:
                    pass
    biggest = sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)[:n]
    return [f"{p} ({s / 1e6:.1f} MB)" for p, s in biggest]


def _stop(proc: subprocess.Popen[bytes], grace_s: float = GRACE_S) -> None:
    """SIGTERM the child and its descendants, wait, then SIGKILL whatever is left."""
    try:
        family = [psutil.Process(proc.pid)] + psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=grace_s)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace_s)
    proc.poll()


class _TermAsSystemExit:
    """Turn SIGTERM into SystemExit in the parent while the child runs, so the child gets stopped."""

    def __enter__(self) -> _TermAsSystemExit:
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum: int, frame: FrameType | None) -> NoReturn:
        raise SystemExit(128 + signum)

    def __exit__(self, *exc: object) -> Literal[False]:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
        return False


def run_task(
    plan: SortPlan,
    task: str,
    *,
    dest: Path,
    workdir: Path,
    log_path: Path,
    context: JSONDict | None = None,
    sorter_logs: Sequence[Path] = (),
    progress: ProgressReporter | None = None,
) -> ChildResult:
    """Run ``task`` (``sort`` or ``outputs``) of ``plan`` into ``dest`` in a watched child process;
    return what happened, classified. The bounds come from the plan: its inactivity timeout and
    its free-space floor for ``dest`` and ``workdir``. ``progress`` (the job's, else one that only
    prints) reads the log as it grows and prints the job's progress line at the plan's interval."""
    workdir.mkdir(parents=True, exist_ok=True)
    result_path = workdir / RESULT_FILE
    result_path.unlink(missing_ok=True)
    write_json_atomic(workdir / PLAN_FILE, plan.as_dict())
    write_json_atomic(workdir / TASK_FILE, {"task": task, "dest": str(dest), "context": context or {}})
    timeout_s, abort_free_bytes = plan.inactivity_timeout_s, plan.abort_free_bytes
    watch, disk_paths = [dest], [dest, workdir]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tripped: Verdict | None = None
    progress = progress or ProgressReporter.for_plan(plan)
    progress.follow(log_path, task, plan.window)
    events = EventLog(events_path(log_path), job=plan.job, task=task, recording=plan.recording.name,
                      attempt=plan.attempt)
    peak_rss = 0
    with open(log_path, "ab", buffering=0) as log, _TermAsSystemExit(), gpu_slot(plan.gpu_ids, root=plan.root) as pinned:
        gpu = device_used(pinned, plan.torch_device)
        # No preexec_fn (it can deadlock a parent running other threads): the child ties its life to
        # this process itself, told which pid to expect (sortcanary.runner.child.die_with_parent).
        proc = subprocess.Popen(
            [sys.executable, "-m", "sortcanary.runner.child", str(workdir), str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=child_env(pinned),
        )
        events.context["pid"] = proc.pid
        try:
            guards = arm_guards(plan, events, proc.pid, disk_paths)
            watched = [log_path, *watch]
            last_state, last_progress, last_disk = _tree_size(watched), time.monotonic(), 0.0
            while proc.poll() is None:
                time.sleep(POLL_S)
                now = time.monotonic()
                progress.poll(now)
                sample = sample_tree(proc.pid)
                if sample is not None:
                    peak_rss = max(peak_rss, sample.rss_bytes)
                    for guard in guards:
                        tripped = tripped or guard.check(sample, now)
                state = _tree_size(watched)
                if state != last_state:
                    last_state, last_progress = state, now
                elif tripped is None and now - last_progress > timeout_s:
                    tripped = verdict_for(
                        "sorter_timeout",
                        message=f"No sorter progress for {now - last_progress:.0f} s (limit {timeout_s:.0f} s); stopped.",
                        inactive_s=round(now - last_progress, 1), timeout_s=timeout_s, log=str(log_path),
                    )
                if tripped is None and now - last_disk >= DISK_POLL_S:
                    last_disk = now
                    for path in disk_paths:
                        free = shutil.disk_usage(path).free
                        if free < abort_free_bytes:
                            tripped = verdict_for(
                                "disk_exhausted",
                                message=f"Free space in {path} fell to {free / 1e9:.2f} GB (abort below "
                                f"{abort_free_bytes / 1e9:.2f} GB); sorter stopped.",
                                free_bytes=free, top_consumers=top_consumers([*watch, path]),
                            )
                            break
                if tripped is not None:
                    events.emit(TRIPPED_BY.get(tripped.error_class, tripped.error_class), "trip", tripped.message,
                                **tripped.evidence)
                    _stop(proc)
                    break
        except BaseException:
            _stop(proc)  # KeyboardInterrupt / SystemExit: stop the sorter, then let it propagate
            raise
    seconds = time.monotonic() - started
    progress.catch_up()
    result = None if tripped is not None else read_json(result_path)
    measured = {"peak_rss_bytes": peak_rss, "peak_gpu_bytes": (result or {}).get("peak_gpu_bytes")}
    events.emit("runner", "end", f"the child ended (exit {proc.returncode}) after {seconds:.1f} s; peak RSS "
                f"{peak_rss / 1e9:.2f} GB", exit_code=proc.returncode, seconds=round(seconds, 3), **measured)
    if result and result.get("ok"):
        details = {**result, **measured, "data_pass_seconds": progress.progress.data_pass_seconds()}
        return ChildResult(True, seconds, units=result["units"], details=details, gpu=gpu)
    verdict = tripped or failure_verdict(plan, result, proc.returncode, log_path, sorter_logs)
    if verdict.error_class == "gpu_out_of_memory":
        snapshot = write_gpu_snapshot(log_path, (result or {}).get("gpu_memory_summary"))
        verdict.evidence["gpu_snapshot"] = str(snapshot)
        events.emit("gpu", "snapshot", f"GPU out of memory; snapshot in {snapshot}", path=str(snapshot))
    verdict.evidence.update({k: v for k, v in measured.items() if v is not None})
    return ChildResult(False, seconds, verdict=verdict, details={**(result or {}), **measured}, gpu=gpu)
