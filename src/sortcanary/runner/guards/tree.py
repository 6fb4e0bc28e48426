"""One sample of the sorter's process tree (the child and all its descendants), taken once per poll
and shared by the guards: resident memory, CPU time and read-side I/O, summed over the tree.

Sorters fork (SpikeInterface's job workers, torch's compile workers), so the child alone
understates both memory and work. Memory summed over the tree counts pages shared between a parent
and its forked workers more than once: it errs high, on the safe side for a memory limit, and
costs one /proc read per process where PSS would mean parsing every smaps.

Two memory figures: RSS, all resident pages, and the memory the kernel can't take back, which is
what runs a machine or a cgroup out of memory: anonymous pages (``RssAnon``), shared memory
(``RssShmem``: /dev/shm, tmpfs, torch's shared tensors) and what was swapped out (``VmSwap``). RSS
also counts the file-backed pages of a recording the sorter memory-maps, and those are clean: the
kernel drops them under pressure, and a cgroup reclaims them before it kills a job.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

# The lines of /proc/<pid>/status (kB) that make up memory the kernel cannot reclaim.
UNRECLAIMABLE = ("RssAnon", "RssShmem", "VmSwap")


@dataclass(frozen=True)
class TreeSample:
    rss_bytes: int
    anon_bytes: int  # anonymous + shared memory + swapped out: what a memory limit is compared with
    cpu_s: float  # user + system, with the reaped children's, over the tree
    read_bytes: int  # rchar + read_bytes over the tree (see guards.io_stall for why reads only)
    processes: int


def memory_of(proc: psutil.Process) -> tuple[int, int]:
    """(RSS, unreclaimable bytes) of one process, from one read of /proc/<pid>/status; where there
    is no such file (not Linux), RSS stands for both."""
    try:
        with open(f"/proc/{proc.pid}/status", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
    except FileNotFoundError:
        if psutil.LINUX:
            raise psutil.NoSuchProcess(proc.pid) from None
        rss = proc.memory_info().rss
        return rss, rss
    except PermissionError:
        raise psutil.AccessDenied(proc.pid) from None
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == "VmRSS" or key in UNRECLAIMABLE:
            fields[key] = int(value.split()[0]) * 1024
    return fields.get("VmRSS", 0), sum(fields.get(key, 0) for key in UNRECLAIMABLE)


def tree_processes(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def sample_tree(pid: int) -> TreeSample | None:
    """The tree under ``pid`` now, or None once it is gone. A process that ends mid-sample is
    left out; a counter the kernel won't show (another user's process) counts as zero."""
    rss = anon = reads = 0
    cpu = 0.0
    counted = 0
    for proc in tree_processes(pid):
        try:
            with proc.oneshot():
                resident, unreclaimable = memory_of(proc)
                rss, anon = rss + resident, anon + unreclaimable
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
    return TreeSample(rss, anon, cpu, reads, counted) if counted else None


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
