"""Small metadata readers the formats share: JSON objects, probe files, raw file sizes.

Every failure is an ``EntryError`` whose message names the file and the fix, so discovery can
report one bad recording in one line and go on with the others.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import numpy as np

from ..boundary import JSONDict
from .entry import EntryError


def read_json_object(path: Path, what: str) -> JSONDict:
    """The JSON object in ``path`` (``what`` names it in messages)."""
    try:
        with open(path) as fh:
            data = json.load(fh)
    except PermissionError:
        raise EntryError(f"cannot read {what} (permission denied); make it readable (chmod a+r)") from None
    except json.JSONDecodeError as exc:
        raise EntryError(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno}); fix or regenerate it") from None
    except OSError as exc:
        raise EntryError(f"cannot read {what} ({exc.strerror}); check the file") from None
    if not isinstance(data, dict):
        raise EntryError(f"{what} must hold a JSON object; fix or regenerate it")
    return data


def frames_in(path: Path, num_channels: int, dtype: np.dtype, offset: int = 0) -> int:
    """Samples per channel in a raw interleaved file, from its size; a size that doesn't divide is a
    truncated copy or a wrong channel count/dtype."""
    try:
        size = path.stat().st_size - offset
    except OSError as exc:
        raise EntryError(f"cannot stat raw file {path.name} ({exc.strerror})") from None
    if not os.access(path, os.R_OK):
        raise EntryError(f"raw file {path.name} is not readable (permission denied); make it readable (chmod a+r)")
    frame_bytes = num_channels * dtype.itemsize
    if size <= 0:
        raise EntryError(f"raw file {path.name} is empty; nothing to sort (remove it or re-export it)")
    if size % frame_bytes:
        raise EntryError(
            f"raw file {path.name} has {size} bytes, not a multiple of num_channels x itemsize = {frame_bytes} "
            "(truncated copy, or wrong num_channels/dtype in the sidecar)"
        )
    return size // frame_bytes


def binary_params(meta: JSONDict, what: str) -> tuple[float, int, np.dtype]:
    """(sampling_frequency, num_channels, dtype) from a sidecar or SpikeInterface's binary.json, checked."""
    try:
        fs = float(meta["sampling_frequency"])
        nch = int(meta["num_channels"])
        dtype = np.dtype(meta["dtype"])
    except KeyError as exc:
        raise EntryError(f"{what} lacks '{exc.args[0]}'; add it") from None
    except (TypeError, ValueError) as exc:
        raise EntryError(f"{what} has an invalid sampling_frequency/num_channels/dtype ({exc}); fix it") from None
    if not fs > 0 or not np.isfinite(fs):
        raise EntryError(f"{what}: sampling_frequency must be a positive number, got {meta['sampling_frequency']!r}")
    if nch <= 0:
        raise EntryError(f"{what}: num_channels must be positive, got {nch}")
    return fs, nch, dtype


@functools.lru_cache(maxsize=256)
def _real_dir(folder: str) -> str:
    return os.path.realpath(folder)


def real_path(path: Path) -> str:
    """``str(path.resolve())`` for a file, resolving its folder only once per discovery.

    Path.resolve() lstat()s every component of every path; over 10,000 recordings in one folder that
    was most of discovery's time (bench/bench_dag_scale.py). A file that is itself a symlink is still
    resolved in full. Discovery calls ``forget_real_dirs`` when it starts.
    """
    text = os.fspath(path)
    if os.path.islink(text):
        return os.path.realpath(text)
    head, tail = os.path.split(text)
    return os.path.join(_real_dir(head or os.curdir), tail)


def forget_real_dirs() -> None:
    _real_dir.cache_clear()


# (path, size, mtime_ns) -> contact count. A batch of raw recordings usually shares one probe file,
# and parsing it again for every recording was a third of discovery's time (bench/bench_dag_scale.py).
_PROBE_CONTACTS: dict[tuple[str, int, int], int] = {}


def probe_channel_count(probe_path: Path) -> int:
    """The number of contacts in a probeinterface JSON file, parsed once per version of the file."""
    try:
        st = os.stat(probe_path)
        key = (str(probe_path), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key in _PROBE_CONTACTS:
        return _PROBE_CONTACTS[key]
    data = read_json_object(probe_path, f"probe file {probe_path.name}")
    try:
        count = sum(len(p["contact_positions"]) for p in data["probes"])
    except (KeyError, TypeError):
        raise EntryError(
            f"probe file {probe_path.name} is not a probeinterface JSON file (no probes/contact_positions)") from None
    if key is not None:
        _PROBE_CONTACTS[key] = count
    return count
