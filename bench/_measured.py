"""Run one command and report what it cost, as JSON: ``python bench/_measured.py OUT.json -- CMD...``.

Why a wrapper process: Linux charges a reaped child's I/O to its parent (``/proc/self/io``) and
``wait4`` returns the child's peak RSS including its own reaped descendants. So this process, which
does nothing but start and reap CMD, sees the cost of CMD's whole process tree (Snakemake, its job
scripts, sortcanary's sorter child), with no sampling gaps:

* ``wall_s``        wall-clock time of CMD;
* ``maxrss_mib``    peak RSS of the largest single process in the tree (``ru_maxrss``);
* ``io``            deltas of ``/proc/self/io``: ``rchar``/``wchar`` (bytes through read/write
                    calls), ``read_bytes``/``write_bytes`` (bytes the tree made the block layer
                    fetch / dirtied in the page cache, counted even if the file is deleted before
                    write-back) and ``cancelled_write_bytes``.

Descendants that outlive their parent (double forks) would escape the count; sortcanary's and
Snakemake's children are all reaped by their parents.
"""

import json
import os
import resource
import subprocess
import sys
import time


def read_io() -> dict:
    with open("/proc/self/io") as fh:
        return {k: int(v) for k, v in (line.split(":") for line in fh)}


def main(argv: list[str]) -> int:
    out, sep, cmd = argv[0], argv[1], argv[2:]
    assert sep == "--" and cmd, "usage: _measured.py OUT.json -- CMD..."
    before = read_io()
    started = time.monotonic()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    after = read_io()
    proc.returncode = os.waitstatus_to_exitcode(status)
    record = {
        "cmd": cmd,
        "rc": proc.returncode,
        "wall_s": round(wall, 3),
        "maxrss_mib": round(usage.ru_maxrss / 1024, 1),
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "io": {k: after[k] - before[k] for k in after},
        "rusage_children_maxrss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    with open(out, "w") as fh:
        json.dump(record, fh, indent=2)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
