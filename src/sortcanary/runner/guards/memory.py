"""The memory watchdog: stop the sorter's process tree before the kernel's OOM killer does.

Without it an out-of-memory shows up only afterwards, as a SIGKILL (``host_out_of_memory``), and by
then the kernel may have killed another process, or SLURM, whose cgroup limit was hit, may have
ended the whole job without a verdict. So the memory the tree holds and the kernel can't reclaim
(anonymous, shared and swapped-out pages: guards.tree) is compared on every poll with a limit, the
smallest of:

* ``memory.host_fraction`` of the host's physical memory;
* ``memory.limit_gb``, when the config sets one;
* the cgroup limit of the job (cgroup v2 ``memory.max``, v1 ``memory.limit_in_bytes``, the
  smallest along the cgroup's path): what SLURM and containers enforce;
* the job's ``mem_mb`` resource, when Snakemake gave it one: what the scheduler (or a local
  ``--resources mem_mb=``) promised the other jobs this one would stay within.

Not RSS: RSS also counts the pages of a recording the sorter keeps memory-mapped while it reads it,
which are clean and which the kernel (and a cgroup, before it kills anything) drops under pressure.
A sorter that maps a whole file larger than the limit would otherwise be stopped for memory it
never held; plan.resources sizes ``mem_mb`` on the same premise.

At ``memory.warn_fraction`` of the limit it warns once (job log and audit log); at
``memory.abort_fraction`` it trips with a *resource* verdict, ``host_memory_watchdog``, carrying the
peak, the limit and where the limit came from, and the runner stops the tree. Being a resource
verdict, the full sort's retries apply as for any memory failure (a smaller batch, more mem_mb).
"""

from __future__ import annotations

import logging
from pathlib import Path

import psutil

from ...plan.sortplan import GuardBounds
from ...taxonomy import Verdict, verdict_for
from .events import EventLog
from .tree import TreeSample

log = logging.getLogger("sortcanary")

# cgroup v1 writes "no limit" as the largest page-aligned 64-bit number; anything this large is none.
UNLIMITED_V1 = 1 << 60


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def _read_limit(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    if not text or text == "max" or not text.isdigit() or int(text) >= UNLIMITED_V1:
        return None
    return int(text)


def _cgroup_paths(root: Path) -> list[tuple[Path, str]]:
    """(folder holding the memory controller's files, its limit file name) for this process's
    cgroup and every ancestor, from ``<root>/proc/self/cgroup``."""
    try:
        lines = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # cgroup v2, the unified hierarchy: "0::/path"
            base, name = root / "sys/fs/cgroup", "memory.max"
        elif "memory" in controllers.split(","):  # cgroup v1: "5:memory:/path"
            base, name = root / "sys/fs/cgroup/memory", "memory.limit_in_bytes"
        else:
            continue
        parts = [p for p in path.strip().split("/") if p]
        found += [(base.joinpath(*parts[:depth]), name) for depth in range(len(parts), -1, -1)]
    return found


def cgroup_memory_limit(root: Path | str = "/") -> tuple[int, str] | None:
    """(bytes, the file it was read from): the smallest memory limit along this process's cgroup
    path, v2 or v1; None without one. ``root`` is where ``proc/`` and ``sys/fs/cgroup/`` are found
    (``/`` on a live system)."""
    limits = [(limit, str(folder / name)) for folder, name in _cgroup_paths(Path(root))
              if (limit := _read_limit(folder / name)) is not None]
    return min(limits) if limits else None


def memory_limit(bounds: GuardBounds, root: Path | str = "/") -> tuple[int, str]:
    """(bytes, where it came from): the smallest of the bounds the module doc lists."""
    total = psutil.virtual_memory().total
    host = f"memory.host_fraction={bounds.host_fraction:g} of the host's {_gb(total)}"
    candidates = [(int(total * bounds.host_fraction), host)]
    if bounds.limit_bytes:
        candidates.append((bounds.limit_bytes, "memory.limit_gb in the config"))
    cgroup = cgroup_memory_limit(root)
    if cgroup:
        candidates.append((cgroup[0], f"the job's cgroup limit ({cgroup[1]})"))
    if bounds.mem_mb:
        candidates.append((bounds.mem_mb * 1_000_000, f"the job's mem_mb={bounds.mem_mb} resource"))
    return min(candidates)


class MemoryGuard:
    """Warns once, then trips, as the tree's unreclaimable memory crosses the bounds' fractions of
    the limit (the runner logs the trip, with the verdict's figures)."""

    name = "memory"

    def __init__(self, bounds: GuardBounds, events: EventLog, root: Path | str = "/"):
        self.limit, self.source = memory_limit(bounds, root)
        self.warn_at, self.abort_at = bounds.warn_fraction * self.limit, bounds.abort_fraction * self.limit
        self.events, self.warned, self.peak = events, False, 0
        events.emit(self.name, "armed", f"limit {_gb(self.limit)} from {self.source}; warn at {_gb(self.warn_at)}, "
                    f"stop at {_gb(self.abort_at)}", limit_bytes=self.limit, limit_source=self.source,
                    warn_bytes=int(self.warn_at), abort_bytes=int(self.abort_at))

    def check(self, sample: TreeSample, now: float) -> Verdict | None:
        held = sample.anon_bytes
        self.peak = max(self.peak, held)
        share = f"{held / self.limit:.0%} of the {_gb(self.limit)} limit ({self.source})"
        if held >= self.abort_at:
            message = (f"The sorter's processes reached {_gb(held)} of memory the kernel can't reclaim, {share}; "
                       "stopped before the kernel's OOM killer or the scheduler could end the job.")
            return verdict_for("host_memory_watchdog", message=message, peak_anon_bytes=self.peak,
                               rss_bytes=sample.rss_bytes, limit_bytes=self.limit, limit_source=self.source,
                               abort_bytes=int(self.abort_at), processes=sample.processes)
        if held >= self.warn_at and not self.warned:
            self.warned = True
            log.warning("memory watchdog: the sorter's processes hold %s, %s", _gb(held), share)
            self.events.emit(self.name, "warn", f"unreclaimable memory {_gb(held)} is {share}", anon_bytes=held,
                             rss_bytes=sample.rss_bytes, limit_bytes=self.limit, limit_source=self.source,
                             processes=sample.processes)
        return None
