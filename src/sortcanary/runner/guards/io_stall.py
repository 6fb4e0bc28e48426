"""The I/O-stall watchdog: a sorter that is alive but neither reads nor computes is waiting on
storage that no longer answers, typically a recording on a hung network mount.

The tree's read counters (guards.tree: ``rchar``, every byte read() returned, pipes and cached
pages included, plus ``read_bytes``, what had to come from storage, which counts the page faults
of a memory-mapped recording that ``rchar`` misses) and its CPU time are compared with where
they stood when the tree last showed life. Neither moving for ``io_stall.timeout_s`` trips an
``io_stall`` verdict naming the mount that holds the recording.

Why reads only, never writes: the tree writes its own logs. The job's log *is* the child's
stdout and stderr, and a sorter keeps its own log too; a sorter whose loader is stuck in the
kernel while a thread keeps printing (a heartbeat, a progress bar redrawn) would look busy to any
write counter, and to the inactivity watchdog, which watches those logs grow. Work that writes
without reading computes what it writes (CPU time), and a write stuck on a hung mount is a stall
as well. CPU counts as life above ``IDLE_CPU_SHARE`` of one core over the quiet stretch, so a
thread that prints a line now and then does not.

Why *environment*, not resource: a hung mount is the host's storage failing, not a machine limit
that a smaller batch or more memory gets around; a retry would hang just as long again.
"""

from __future__ import annotations

import os

import psutil

from ...boundary import JSONDict
from ...taxonomy import Verdict, verdict_for
from .events import EventLog
from .tree import TreeSample, tree_states

# A tree using less CPU than this share of one core over the quiet stretch is not computing; the
# slack covers the kernel's CPU-time granularity (10 ms ticks).
IDLE_CPU_SHARE = 0.02
CPU_SLACK_S = 0.05


def mount_of(path: str) -> JSONDict:
    """The mount point holding ``path`` (the longest that is a prefix of its real path), with its
    device and file-system type; only the path if no mount table can be read."""
    real = os.path.realpath(path)
    best: JSONDict = {"mountpoint": "/", "device": "?", "fstype": "?"}
    try:
        partitions = psutil.disk_partitions(all=True)
    except (OSError, psutil.Error):
        return {**best, "path": real}
    for part in partitions:
        mount = part.mountpoint.rstrip("/") or "/"
        inside = real == mount or real.startswith(mount + "/") or mount == "/"
        if inside and len(mount) >= len(best["mountpoint"].rstrip("/") or "/"):
            best = {"mountpoint": part.mountpoint, "device": part.device, "fstype": part.fstype}
    return {**best, "path": real}


class IoStallGuard:
    name = "io_stall"

    def __init__(self, timeout_s: float, recording_path: str, events: EventLog, pid: int):
        self.timeout_s, self.pid = timeout_s, pid
        self.mount = mount_of(recording_path)
        self.since: float | None = None
        self.reads, self.cpu = 0, 0.0
        events.emit(self.name, "armed", f"stop after {timeout_s:.0f} s without reads or CPU; the recording is on "
                    f"{self.mount['mountpoint']} ({self.mount['fstype']})", timeout_s=timeout_s, mount=self.mount)

    def check(self, sample: TreeSample, now: float) -> Verdict | None:
        alive = (self.since is None or sample.read_bytes != self.reads
                 or sample.cpu_s - self.cpu > IDLE_CPU_SHARE * (now - self.since) + CPU_SLACK_S)
        if alive or self.since is None:
            self.since, self.reads, self.cpu = now, sample.read_bytes, sample.cpu_s
            return None
        quiet = now - self.since
        if quiet < self.timeout_s:
            return None
        mount, states = self.mount, tree_states(self.pid)
        message = (f"The sorter read nothing and used no CPU for {quiet:.0f} s (limit {self.timeout_s:.0f} s) while "
                   f"alive; the recording is on {mount['mountpoint']} ({mount['fstype']}, {mount['device']}).")
        figures = {"stalled_s": round(quiet, 1), "timeout_s": self.timeout_s, "mount": mount["mountpoint"],
                   "fstype": mount["fstype"], "device": mount["device"], "cpu_s": round(sample.cpu_s, 2),
                   "read_bytes": sample.read_bytes, "process_states": states}
        return verdict_for("io_stall", message=message, recording_path=mount["path"], **figures)
