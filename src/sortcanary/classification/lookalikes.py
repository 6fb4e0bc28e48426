"""Words that name a cause, printed where another mechanism is behind them, and what in the text tells them apart.

A rule that fires on "Permission denied", "Access is denied" or "unable to open shared memory object" reads the
cause the words name. Some mechanisms print the same words with another cause behind them, and say so
elsewhere in the text, or by what they leave out:

- Windows answers a rename or move (``'src' -> 'dst'``) of a folder that a process still holds a file in open with
  ERROR_ACCESS_DENIED: a handle left open (a logger's file), not a permission the user lacks;
- a sync client's own file mid-transfer (Google Drive's ``.tmp.drivedownload``/``.tmp.driveupload``, Dropbox's
  ``.dropbox.cache``), refused to a program that walked into its folder, is that client's, not the user's files;
- a conda solve whose packages need another system's virtual package (``nothing provides __unix needed by``) was
  asked for another platform's environment (a lock file made on Linux, read on Windows), not versions that clash;
- a DLL that does not load with Windows' ERROR_COMMITMENT_LIMIT (``[WinError 1455] The paging file is too small``)
  found no memory to map it in: the host's memory, not a broken binary;
- a node whose user database does not know the job's user (``id: cannot find name for user ID 42``) then fails to
  make that user's folders: the node is out of step (the centre drains it), not the user's permissions or image;
- torch's ``unable to open shared memory object <name> in read-write mode`` is shm_open failing, and the C
  library's words after it say why: ENOSPC or EACCES is /dev/shm, EMFILE the open-files limit; without them, nothing;
- a free-space check that does not know what it needs ("Needed: Unknown size") measured nothing;
- a submission that failed because the scheduler's controller did not answer, or its answer did not arrive whole
  (SLURM's communication errors: an overloaded controller, a network), is no refusal of the request;
- an image pull (an engine's or an orchestrator's) whose layers found no room on the node's disk (``no space left on
  device``) is the disk's, not the registry's: the disk rule decides it;
- a warning the tool says it ignored (ld.so's ``object 'x' from LD_PRELOAD cannot be preloaded ...: ignored.``) is
  not the failure's cause: the program went on.
"""

from __future__ import annotations

import functools
import re

WINDOWS_RENAME = re.compile(r"\[WinError 5\] Access is denied: '[^'\n]+' -> '")
SYNC_CLIENT_FILE = re.compile(r"\bAccess is denied: '[^'\n]*(\.tmp\.drive(download|upload)|\.dropbox\.cache)\b")
OTHER_PLATFORM_SOLVE = re.compile(r"\bnothing provides (requested )?__(unix|linux|win|osx)\b")
COMMIT_LIMIT = re.compile(r"\[WinError 1455\]|\bpaging file is too small\b")
NODE_LACKS_USER = re.compile(r"cannot find name for (user|group) ID \d+|\bgetpw(uid|nam)(_r)?\(?\)? failed|\bNo passwd "
                             r"entry for user\b|\bI have no name!", re.IGNORECASE)
# shm_open refused, and what the C library said after it, if anything (torch writes "<strerror> (<errno>)").
SHM_OPEN = re.compile(r"unable to open shared memory object\b(?![^\n]*(No space left on device|Permission denied|No "
                      r"such file or directory|Read-only file system))[^\n]*", re.IGNORECASE)
FREE_SPACE_UNKNOWN = re.compile(r"\b(needed|required|requires?)\b:? Unknown size\b", re.IGNORECASE)
IGNORED = re.compile(r"^[^\n]*\bcannot be preloaded\b[^\n]*:\s*ignored\.?[ \t]*$", re.IGNORECASE | re.MULTILINE)
SLURM_TRANSPORT = re.compile(
    r"Unexpected message received|Communication (connection|shutdown) failure|Message (send|receive) failure|"
    r"Incompatible versions of client and server code|Insane message length|Unexpected missing socket error|"
    r"Connection (rejected by handler|forced closed|timed out)|Unable to contact slurm controller|Rate limit "
    r"exceeded, please retry|Socket timed out on send/recv|Zero Bytes were transmitted or received|backup "
    r"controller in standby mode", re.IGNORECASE)
LOCAL_DISK_FULL = re.compile(r"no space left on device", re.IGNORECASE)


def not_held_by_another_program(text: str) -> bool:
    """Access refused to a path another program holds: a Windows rename of a folder with a file open in it, or a
    sync client's own file mid-transfer."""
    return not (WINDOWS_RENAME.search(text) or SYNC_CLIENT_FILE.search(text))


def scheduler_answered(text: str) -> bool:
    """A submission that failed because the controller did not answer, or its answer did not arrive whole
    (SLURM's communication errors: an overloaded controller, a network), is no refusal of the request."""
    return not SLURM_TRANSPORT.search(text)


def not_the_local_disk(text: str) -> bool:
    """The pull failed for the registry's reply, not because its layers filled the local disk."""
    return not LOCAL_DISK_FULL.search(text)


def versions_not_platform(text: str) -> bool:
    return not OTHER_PLATFORM_SOLVE.search(text)


def not_the_commit_limit(text: str) -> bool:
    return not COMMIT_LIMIT.search(text)


def node_knows_the_user(text: str) -> bool:
    return not NODE_LACKS_USER.search(text)


def the_users_permission(text: str) -> bool:
    """A permission refused is the user's, unless a path another program holds or a node that does not know the
    user says otherwise."""
    return not_held_by_another_program(text) and node_knows_the_user(text)


def free_space_known(text: str) -> bool:
    return not FREE_SPACE_UNKNOWN.search(text)


@functools.lru_cache(maxsize=8)
def heeded(text: str) -> str:
    """``text`` with the warnings a tool says it ignored, and shm_open failures that give no cause of the shared
    memory's, blanked to spaces (offsets stay put); the text itself where there are none."""
    blanked = text
    for pattern in (IGNORED, SHM_OPEN):
        if pattern.search(blanked):
            blanked = pattern.sub(lambda m: " " * len(m.group(0)), blanked)
    return blanked
