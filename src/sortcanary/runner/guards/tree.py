"""One sample of the sorter's process tree (the child and all its descendants), taken once per poll
and shared by the guards: resident memory, CPU time and read-side I/O, summed over the tree.

Sorters fork (SpikeInterface's job workers, torch's compile workers), so the child alone
understates both memory and work. RSS summed over the tree counts pages shared between a parent
and its forked workers more than once: it errs high, on the safe side for a memory limit, and
costs one /proc read per process where PSS would mean parsing every smaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class TreeSample:
    rss_bytes: int
    cpu_s: float  # user + system, with the reaped children's, over the tree
    read_bytes: int  # rchar + read_bytes over the tree (see guards.io_stall for why reads only)
    processes: int


def tree_processes(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def sample_tree(pid: int) -> TreeSample | None:
    """The tree under ``pid`` now, or None once it is gone. A process that ends mid-sample is
    left out; a counter the kernel won't show (another user's process) counts as zero."""
    rss = reads = 0
    cpu = 0.0
    counted = 0
    for proc in tree_processes(pid):
        try:
            with proc.oneshot():
                rss += proc.memory_info().rss
                times = proc.cpu_times()
                cpu += times.user + times.system + times.children_user + times.children_system
                try:
                    io = proc.io_counters()
                    reads += io.read_chars + io.read_bytes
                except (psutil.AccessDenied, AttributeError):
                    pass
            counted += 1
        except psutil.Error:
            continue
    return TreeSample(rss, cpu, reads, counted) if counted else None


def tree_states(pid: int) -> dict[str, int]:
    """How many processes of the tree are in each state (``disk-sleep`` is a kernel wait on I/O)."""
    states: dict[str, int] = {}
    for proc in tree_processes(pid):
        try:
            status = proc.status()
        except psutil.Error:
            continue
        states[status] = states.get(status, 0) + 1
    return states
