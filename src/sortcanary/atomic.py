"""Writing results so that nothing half-written is ever taken as finished.

Every file is written to a temporary sibling and renamed into place (atomic on POSIX within one
filesystem); a sorted recording is assembled in a temporary sibling folder and renamed as a whole.
A crash at any point leaves either the old result or no result, never a partial one; and a crash
while a finished result is *replaced* never loses both: the two folders are swapped in one step
where the filesystem can (``exchange``), and otherwise the old one waits beside the new one under a
name the next start recognises (``recover_interrupted``).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def dumps(data: object) -> str:
    """Deterministic JSON: sorted keys, fixed indentation, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def temp_beside(path: Path, suffix: str = ".tmp") -> tuple[int, str]:
    """A new temporary sibling of ``path`` (fd, name), with the permissions a plain new file gets:
    mkstemp's are owner-only, which would hide results from the rest of the lab once renamed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.fchmod(fd, 0o666 & ~_umask())
    return fd, tmp


def write_atomic(path: str | Path, write: Callable[[str], object], suffix: str = ".tmp") -> Path:
    """The one way sortcanary writes a file: ``write(tmp)`` fills a temporary sibling of ``path``
    (named with ``suffix``, for writers that go by the extension: numpy, pynwb, matplotlib), which
    is then flushed to disk and renamed into place. A failure leaves no temporary file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_beside(path, suffix)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda tmp: Path(tmp).write_text(text))


def write_json_atomic(path: str | Path, data: object) -> Path:
    return write_text_atomic(path, dumps(data))


def read_json(path: str | Path, default: Any = None) -> Any:  # a JSON value: any type
    """The JSON at ``path``, or ``default`` when it is missing or unreadable (any ValueError:
    malformed JSON or bytes that aren't text)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return default


def wipe_dir(path: str | Path) -> Path:
    """Empty (or create) a scratch folder, strictly: failing to wipe raises.

    A canary that ran on top of a previous run's leftovers could pass or fail for the wrong reason.
    """
    path = Path(path)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def remove_quietly(path: str | Path) -> None:
    """Best-effort clean-up after a job; never masks the job's own outcome."""
    shutil.rmtree(path, ignore_errors=True)


def staging_dir_for(final: str | Path) -> Path:
    """A fresh temporary sibling of ``final`` to assemble a result in (same filesystem)."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    staging.chmod(0o777 & ~_umask())  # it becomes the published folder: not owner-only like mkdtemp's
    return staging


def fsync_dir(path: str | Path) -> None:
    """Make the renames inside folder ``path`` durable: until its entry is flushed, a power cut can
    undo a rename that already returned."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# renameat2(2) (Linux 3.15, glibc 2.28): RENAME_EXCHANGE swaps two existing paths atomically.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# What renameat2 answers where the kernel, the C library or the filesystem can't exchange.
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}


def _renameat2() -> Any:  # a ctypes foreign function (ctypes types it as Any)
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap the two existing paths ``a`` and ``b`` in one atomic step; False (nothing changed) where
    the system or the filesystem offers no such step. Any other failure raises OSError."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def replaced_dir_for(final: str | Path) -> Path:
    """Where a replaced result waits while its successor is renamed into place (without ``exchange``)."""
    final = Path(final)
    return final.with_name(f".{final.name}.replaced")


def recover_interrupted(final: str | Path) -> list[str]:
    """Put right what an interrupted publication left beside ``final``; return what was done.

    A replaced result (``replaced_dir_for``) is restored when ``final`` is missing (the crash came
    between the two renames: the old result is the only complete one) and removed when ``final``
    is there (the crash came after the swap). Staging folders are removed: whatever they held was
    never published. Run it before anything looks at ``final``.
    """
    final = Path(final)
    done = []
    previous = replaced_dir_for(final)
    if previous.is_dir():
        if final.exists():
            remove_quietly(previous)
            done.append(f"removed {previous}, the result {final} replaced")
        else:
            os.rename(previous, final)
            fsync_dir(final.parent)
            done.append(f"restored {final} from {previous}: a run was interrupted while replacing it")
    stale = list(final.parent.glob(f".{final.name}.partial-*")) if final.parent.is_dir() else []
    for path in stale:
        remove_quietly(path)
        done.append(f"removed {path}, left behind by an interrupted run")
    return done


def _replace_by_renames(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` in two renames: the old result is set aside first, and put
    back if the second rename fails. A crash between the two leaves it set aside, where
    recover_interrupted restores it."""
    previous = replaced_dir_for(final)
    remove_quietly(previous)
    os.rename(final, previous)
    try:
        os.rename(staging, final)
    except BaseException:
        os.rename(previous, final)
        raise
    fsync_dir(final.parent)
    remove_quietly(previous)


def publish_dir(staging: str | Path, final: str | Path, *, replace: bool = False) -> Path:
    """Move a fully assembled folder into place, durably (the parent folder is flushed).

    A finished result is never overwritten unless ``replace`` says so, and even then there is no
    moment without a complete result at ``final``: the two folders are exchanged in one step, or,
    where the filesystem can't, the old one is set aside until the new one is in place.
    """
    staging, final = Path(staging), Path(final)
    if final.exists() and any(final.iterdir()):
        if not replace:
            raise FileExistsError(f"{final} already holds a finished result; it is never overwritten")
        if exchange(staging, final):
            fsync_dir(final.parent)
            remove_quietly(staging)  # the old result, now under the staging name
        else:
            _replace_by_renames(staging, final)
        return final
    if final.exists():
        final.rmdir()
    os.rename(staging, final)
    fsync_dir(final.parent)
    return final


def link_or_copy(src: str | Path, dst: str | Path) -> None:
    """A hard link of ``src`` at ``dst``, or a copy where linking fails (another filesystem)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def link_tree(source: str | Path, target: str | Path) -> Path:
    """Recreate ``source`` at ``target`` with hard links (a copy where linking fails).

    How a finished sort is carried into a new staging folder when only its post-sort outputs are
    rebuilt: seconds and no extra disk for a sorter folder of any size. The linked files are shared
    with the original, so they must only be read, never written, in the new folder.
    """

    return Path(shutil.copytree(source, target, copy_function=link_or_copy))
