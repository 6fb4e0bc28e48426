"""Room to write: the results and scratch folders exist, are writable and have space."""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path

from ..taxonomy import SortFailure, verdict_for


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sortcanary-write-check-"):
            pass
    except OSError as exc:
        raise SortFailure(verdict_for(
            "disk_exhausted" if exc.errno == errno.ENOSPC else "probe_config_error",
            message=f"Folder {folder} is not writable ({exc.strerror}).",
        )) from exc


def check_free_space(folder: Path, min_free_gb: float) -> None:
    free = shutil.disk_usage(folder).free
    if free < min_free_gb * 1e9:
        raise SortFailure(verdict_for(
            "disk_exhausted",
            message=f"Only {free / 1e9:.2f} GB free in {folder}; preflight.min_free_gb is {min_free_gb}.",
            free_bytes=free,
        ))
