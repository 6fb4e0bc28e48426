"""Writing results so that nothing half-written is ever taken as finished.

Every file is written to a temporary sibling and renamed into place (atomic on POSIX within one
filesystem); a sorted recording is assembled in a temporary sibling folder and renamed as a whole.
A crash at any point leaves either the old result or no result, never a partial one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def dumps(data) -> str:
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


def write_json_atomic(path: str | Path, data) -> Path:
    return write_text_atomic(path, dumps(data))


def read_json(path: str | Path, default=None):
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


def remove_stale_staging(final: str | Path) -> list[Path]:
    """Remove staging folders a killed run left beside ``final`` (never ``final`` itself)."""
    final = Path(final)
    stale = list(final.parent.glob(f".{final.name}.partial-*")) if final.parent.is_dir() else []
    for path in stale:
        remove_quietly(path)
    return stale


def publish_dir(staging: str | Path, final: str | Path, *, replace: bool = False) -> Path:
    """Move a fully assembled folder into place.

    A finished result is never overwritten unless ``replace`` says so, and even then the old one is
    only removed after the new one is in place.
    """
    staging, final = Path(staging), Path(final)
    previous = None
    if final.exists() and any(final.iterdir()):
        if not replace:
            raise FileExistsError(f"{final} already holds a finished result; it is never overwritten")
        previous = final.with_name(f".{final.name}.replaced")
        remove_quietly(previous)
        os.rename(final, previous)
    elif final.exists():
        final.rmdir()
    os.rename(staging, final)
    if previous is not None:
        remove_quietly(previous)
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
