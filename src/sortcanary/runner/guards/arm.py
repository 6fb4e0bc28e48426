"""Arming the guards of one watched task: the loop's own bounds (inactivity, disk) logged as armed,
and the sampled guards (memory, I/O stall) the plan's bounds switch on, armed."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ...plan.sortplan import SortPlan
from ...taxonomy import Verdict
from .events import EventLog
from .io_stall import IoStallGuard
from .memory import MemoryGuard
from .tree import TreeSample

# The audit log's name for the guard behind each verdict the loop trips.
TRIPPED_BY = {"sorter_timeout": "inactivity", "disk_exhausted": "disk", "host_memory_watchdog": "memory",
              "io_stall": "io_stall"}


class Guard(Protocol):
    """A sampled guard (MemoryGuard, IoStallGuard): a verdict when the child's tree crossed its bound."""

    def check(self, sample: TreeSample, now: float) -> Verdict | None: ...


def arm_guards(plan: SortPlan, events: EventLog, pid: int, disk_paths: list[Path]) -> list[Guard]:
    """Log the loop's own bounds as armed; return the plan's sampled guards, armed."""
    events.emit("inactivity", "armed", f"stop after {plan.inactivity_timeout_s:.0f} s without log or output growth",
                timeout_s=plan.inactivity_timeout_s)
    events.emit("disk", "armed", f"stop below {plan.abort_free_bytes / 1e9:.2f} GB free",
                abort_free_bytes=plan.abort_free_bytes, paths=[str(p) for p in disk_paths])
    if plan.guards is None:
        return []
    guards: list[Guard] = [MemoryGuard(plan.guards, events)]
    if plan.container.get("docker_image"):
        # Docker's daemon, not this process, starts the sorter: the tree here is a client waiting
        # on a socket, quiet while the sorter computes, so its silence says nothing about I/O.
        events.emit("io_stall", "off", "the sorter runs in a Docker container, outside this process tree")
    elif plan.guards.io_stall_s > 0:
        guards.append(IoStallGuard(plan.guards.io_stall_s, plan.recording.path, events, pid))
    return guards
