"""Whose storage a filesystem refused: the path a failed write names, read beside its errno.

A read-only filesystem (EROFS) or a full quota (EDQUOT) says what happened, not who must act. Where
the path is the user's own storage -- a data, scratch, project or home folder -- a read-only mount
is the job's set-up (a container that did not bind the folder writable, an export mounted read-only)
and a home folder's quota is the user's own. Where it is the system's or an installed package's tree
(``/usr``, ``/var``, ``/srv``, ``site-packages``), a read-only image is as often a tool writing where
it should not, a bug; and a quota on a path the text does not place is charged to an owner or group
it does not show. So these rules read the path on the errno's line, and stay silent without one.
"""

from __future__ import annotations

import re

from .lookalikes import node_knows_the_user, not_held_by_another_program
from .parse import ParsedFailure
from .rules import Hit

# A quoted absolute path, as OSError prints it; or Go's unquoted one after the call that failed (a *PathError:
# "open /data/x: read-only file system", as Docker, Apptainer and podman print it).
PATH = re.compile(r"['\"`]((?:/|~/|[A-Za-z]:\\)[^'\"`\n]*)['\"`]|\b(?:open|mkdir|write|stat|lstat|remove|rename|"
                  r"unlinkat|openat|mkdirat) ((?:/|~/)[^\s:'\"`]+): ")
SYSTEM_TREE = re.compile(r"^/(usr|var|etc|opt|srv|bin|sbin|lib\w*|boot|sys|proc|run|root|tmp|dev)(/|$)|"
                         r"[\\/](site|dist)-packages[\\/]")
HOME = re.compile(r"^(~/|[A-Za-z]:\\Users\\|/Users/)|(^|/)home\d*/")


def _path_of(parsed: ParsedFailure, name: str) -> tuple[int | None, str] | None:
    """The line of the first ``name`` errno that names a path, and the path."""
    for fact in parsed.errnos:
        if fact.value == name and fact.line is not None:
            found = PATH.search(parsed.lines[fact.line])
            if found:
                return fact.line, found.group(1) or found.group(2)
    return None


def read_only_user_storage(parsed: ParsedFailure) -> Hit | None:
    """EROFS on a path outside the system's and the installed packages' trees: the user's storage is
    mounted read-only where the job runs."""
    found = _path_of(parsed, "EROFS")
    if found is None or SYSTEM_TREE.search(found[1]):
        return None
    return Hit(found[0], {"errno": "EROFS", "path": found[1], "message": f"{found[1]} is on a filesystem mounted "
                          "read-only where the job runs (a container's bind mount, a read-only export)."})


SHARED_TEMP = re.compile(r"^/(var/)?tmp/[^/]+$")  # a name directly in the sticky /tmp


def access_denied(parsed: ParsedFailure) -> Hit | None:
    """EACCES, unless on a name directly in the shared temporary folder: /tmp is writable by all and sticky, so
    a name there is denied only when another user created it first -- a program that fixed the name instead of
    asking for a fresh one (mkstemp). The user can neither make it accessible nor remove it."""
    fact = next((f for f in parsed.errnos if f.value == "EACCES"), None)
    if fact is None or not not_held_by_another_program(parsed.text):  # another's file, not a permission (lookalikes)
        return None
    found = _path_of(parsed, "EACCES")
    if found is not None and SHARED_TEMP.search(found[1]):
        return None
    return Hit(fact.line, {"errno": "EACCES"})


# SLURM's daemons and clients print the C library's words for errno after what failed ("error: execve(): x:
# Permission denied", "unable to status file /etc/slurm/slurm.conf: Permission denied"): EACCES on a script it was
# to run or a file it must read. slurmstepd's chdir refused, after which it goes on in /tmp, is a notice.
SCHEDULER_DENIED = re.compile(r"(?:^|\n)\s*(?:slurmstepd|slurmd|srun|sbatch|salloc)(?:-[\w.-]+)?: (?:error|fatal): "
                              r"[^\n]*?: Permission denied\b(?![^\n]*going to /tmp)")


def scheduler_access_denied(parsed: ParsedFailure) -> Hit | None:
    """The scheduler could not run the job's script or read its own configuration: EACCES in its words (not on
    a node that does not know the job's user: the node is out of step, lookalikes)."""
    found = SCHEDULER_DENIED.search(parsed.text) if node_knows_the_user(parsed.text) else None
    return Hit(parsed.line_at(found.end() - 1), {"errno": "EACCES"}) if found else None


def home_quota(parsed: ParsedFailure) -> Hit | None:
    """EDQUOT on a path in a home folder: the user's own quota is full."""
    found = _path_of(parsed, "EDQUOT")
    if found is None or not HOME.search(found[1]):
        return None
    return Hit(found[0], {"errno": "EDQUOT", "path": found[1], "message": f"The quota of the home folder holding "
                          f"{found[1]} is full."})


MISSING_AFTER = re.compile(r"Missing files after \d+ seconds?:\s*\n(.+?)\n\s*\(missing locally, parent dir contents: "
                           r"([^)\n]*)\)", re.DOTALL)


def output_late(parsed: ParsedFailure) -> Hit | None:
    """Snakemake calls an output missing that its parent folder lists: the job wrote it, and the shared
    filesystem showed it later than Snakemake waited (``--latency-wait``)."""
    for found in MISSING_AFTER.finditer(parsed.text):
        listed = {name.strip() for name in found.group(2).split(",")}
        late = [path for path in found.group(1).split() if path.rstrip("/").rsplit("/", 1)[-1] in listed]
        if late:
            return Hit(parsed.line_at(found.start()), {"path": late[0], "message": f"{late[0]} was written but "
                                                       "appeared on the shared filesystem after Snakemake stopped "
                                                       "waiting: raise --latency-wait."})
    return None


# Libraries that pass their data between processes through the memory filesystem (/dev/shm) unless told otherwise:
# pandarallel's memory file system (use_memory_fs, on by default on Linux). ENOSPC raised in their own frame is
# /dev/shm filling, which a larger disk does not cure.
MEMORY_FS_STAGING = re.compile(r"[\\/]pandarallel[\\/]")


def memory_fs_full(parsed: ParsedFailure) -> Hit | None:
    """ENOSPC raised in a library that stages through /dev/shm by default: the memory filesystem is full."""
    enospc = next((f for f in parsed.errnos if f.value == "ENOSPC"), None)
    raised = next((r for r in parsed.raised if r.where and MEMORY_FS_STAGING.search(r.where)), None)
    if enospc is None or raised is None:
        return None
    return Hit(enospc.line, {"errno": "ENOSPC", "message": f"{raised.where} passes data through /dev/shm, which "
                             "filled up (not the disk)."})


# Windows' MAX_PATH: a path of 260 characters or more (the terminating NUL counted) can't be opened where long paths
# are not enabled, and Windows answers ERROR_PATH_NOT_FOUND, which Python reports as ENOENT -- most often as pip
# unpacks a package's deep test data into a per-user site-packages that is itself deep.
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:\\")
MAX_PATH = 260


def windows_path_too_long(parsed: ParsedFailure) -> Hit | None:
    """ENOENT on a Windows path of MAX_PATH characters or more (as its repr doubles each backslash)."""
    found = _path_of(parsed, "ENOENT")
    if found is None or not WINDOWS_DRIVE.match(found[1]):
        return None
    path = found[1].replace("\\\\", "\\")
    if len(path) < MAX_PATH:
        return None
    return Hit(found[0], {"errno": "ENOENT", "path": path, "message": f"The path is {len(path)} characters long, "
                          f"past Windows' limit of {MAX_PATH - 1} where long paths are not enabled."})
