"""HDF5 plumbing shared by NWB and MaxWell: open for metadata, list the filters data needs, and
point HDF5 at a plugin folder.

MaxWell's compressed ``.raw.h5`` files need a vendor filter plugin that HDF5 loads at run time
from HDF5_PLUGIN_PATH. Which filters a dataset needs is metadata (its creation property list), so
discovery records them without reading data, preflight checks that each can be loaded, and the job
checks again before it reads: a missing plugin is an *environment* verdict (hdf5_plugin_missing)
with the filter and the path searched, never an anonymous read error hours into a sort.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ...boundary import H5
from ...taxonomy import SortFailure, verdict_for
from ..entry import EntryError

# Filters built into HDF5 (deflate, shuffle, fletcher32, szip, nbit, scaleoffset) and LZF, which
# h5py registers itself in every process that imports it (SpikeInterface reads through h5py).
BUILTIN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})


def use_plugin_path(path: str | None) -> None:
    """Make HDF5 search ``path`` first for filter plugins, in this process and in its children.

    The environment variable is read once when the HDF5 library starts, which may already have
    happened (h5py imported elsewhere), so the folder is also prepended through h5py's H5PL API.
    """
    if not path:
        return
    current = os.environ.get("HDF5_PLUGIN_PATH", "")
    if path not in current.split(os.pathsep):
        os.environ["HDF5_PLUGIN_PATH"] = os.pathsep.join(p for p in (path, current) if p)
    import h5py

    searched = {h5py.h5pl.get(i).decode() for i in range(h5py.h5pl.size())}
    if path not in searched:
        h5py.h5pl.prepend(path.encode())


def search_path() -> str:
    """Where HDF5 looks for plugins now (for messages)."""
    import h5py

    return os.pathsep.join(h5py.h5pl.get(i).decode() for i in range(h5py.h5pl.size()))


def open_file(path: Path, what: str) -> H5:
    """An h5py File opened read-only for metadata; any failure is an EntryError naming the file."""
    try:
        import h5py
    except ImportError:
        raise EntryError(f"reading {what} needs h5py; install it (pip install h5py)") from None
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        reason = str(exc).replace("Unable to synchronously open file ", "").replace("Unable to open file ", "")
        raise EntryError(f"{path.name} is not a readable HDF5 {what} file {reason}; it is truncated or corrupt: "
                         "copy it again from the acquisition machine") from None


def required_filters(dataset: H5) -> list[int]:
    """The non-builtin filter ids a dataset's chunks go through (metadata only)."""
    plist = dataset.id.get_create_plist()
    ids = {plist.get_filter(i)[0] for i in range(plist.get_nfilters())}
    return sorted(int(i) for i in ids - BUILTIN_FILTERS)


def unavailable_filters(filters: Iterable[int], plugin_path: str | None = None) -> list[int]:
    """The filters HDF5 can neither find registered nor load as a plugin (after ``plugin_path``)."""
    if not filters:
        return []
    import h5py

    use_plugin_path(plugin_path)
    return [int(f) for f in filters if not h5py.h5z.filter_avail(int(f))]


def require_filters(filters: Iterable[int], plugin_path: str | None, where: str) -> None:
    """Raise the environment verdict ``hdf5_plugin_missing`` (naming the filter, ``where`` it is
    needed and the folders searched) unless every filter can be loaded. Preflight calls it for all
    discovered recordings, the job again before it reads one."""
    missing = unavailable_filters(filters, plugin_path)
    if not missing:
        return
    configured = f"formats.hdf5_plugin_path is {plugin_path}" if plugin_path else "formats.hdf5_plugin_path is not set"
    ids = ", ".join(str(f) for f in missing)
    raise SortFailure(verdict_for(
        "hdf5_plugin_missing",
        message=f"HDF5 filter {ids} needed to read {where} is not available ({configured}; HDF5 searched "
                f"{search_path() or 'no folder'})",
        file=where, filters=missing,
    ))


def text(value: object) -> str:
    """An HDF5 string attribute or dataset value as str (h5py gives bytes for some)."""
    return value.decode() if isinstance(value, bytes) else str(value)
