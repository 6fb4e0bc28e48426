"""MaxWell (MaxOne / MaxTwo) ``.raw.h5``: one recording per well.

Read with h5py as metadata only, following neo's MaxwellRawIO: ``/version``; for the legacy MaxOne
layout (version 20160704) ``/sig`` (channels x samples), ``/mapping`` and a 20 kHz rate; for the
current layout ``/wells/<well>/<rec>/settings/{sampling,mapping}`` and
``/wells/<well>/<rec>/groups/routed/raw``. Geometry is the mapping's x/y (probeinterface reads it).
The stream label is the well (``well000``), prefixed with the recording (``rec0001/well000``) when
the file holds several.

MaxWell compresses traces with a vendor HDF5 filter plugin. The filters the raw dataset needs are
recorded (metadata), and preflight and the job check that HDF5 can load them from
``formats.hdf5_plugin_path``; a missing plugin is the environment verdict ``hdf5_plugin_missing``.

Session start, where the file has one (neo exposes none): the current layout's
``wells/<well>/<rec>/start_time`` (milliseconds since 1970-01-01 UTC), the legacy layout's ``/time``
text (``start: YYYY-MM-DD HH:MM:SS;...``, local time). Both follow files MaxLab software writes as
other readers describe them; no vendor-written file was available to test against.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ...boundary import H5, JSONDict, Recording
from ..entry import EntryError, Problem, RecordingEntry, recording_name
from . import hdf5
from .context import FormatContext, session_name

FORMAT = "maxwell"
SUFFIXES = (".raw.h5",)
LEGACY_VERSION = 20160704
LEGACY_RATE = 20000.0


def _version(f: H5, path: Path) -> int:
    try:
        return int(hdf5.text(f["version"][0]))
    except (KeyError, IndexError, ValueError, TypeError):
        raise EntryError(f"{path.name} has no readable /version dataset; it is not a MaxWell recording "
                         "(or it is corrupt)") from None


def _connected(mapping: H5, what: str) -> int:
    names = set(getattr(mapping.dtype, "names", None) or ())
    if not {"channel", "electrode", "x", "y"} <= names:
        raise EntryError(f"{what} mapping lacks channel/electrode/x/y fields; the file is corrupt")
    return int((np.asarray(mapping["channel"]) >= 0).sum())


def _entry(path: Path, raw: H5, mapping: H5, fs: float, label: str, reader: JSONDict, ctx: FormatContext,
           num_channels: int | None = None) -> RecordingEntry:
    what = f"{label}" if label else path.name
    channels = _connected(mapping, what)
    if raw.ndim != 2 or raw.shape[1] == 0:
        raise EntryError(f"{what}: raw data has shape {raw.shape}; expected (channels, samples) with samples > 0")
    if num_channels is not None and raw.shape[0] != num_channels:
        raise EntryError(f"{what}: raw data has {raw.shape[0]} rows for {num_channels} mapped channels; the file is "
                         "corrupt")
    return RecordingEntry(
        name=recording_name(session_name(path, SUFFIXES), label),
        source=path.name,
        path=str(path.resolve()),
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=channels,
        dtype=np.dtype(raw.dtype).str,
        duration_s=int(raw.shape[1]) / fs,
        input_files=(str(path.resolve()),),
        stream=label,
        reader=reader,
        hdf5={"filters": hdf5.required_filters(raw), "plugin_path": ctx.hdf5_plugin_path},
    )


def _legacy(path: Path, f: H5, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    if "sig" not in f or "mapping" not in f:
        raise EntryError(f"{path.name} (legacy MaxOne layout) lacks /sig or /mapping; the file is incomplete")
    return [_entry(path, f["sig"], f["mapping"], LEGACY_RATE, "well000", {"stream_id": "well000"}, ctx)]


def _wells(path: Path, f: H5, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    if "wells" not in f:
        raise EntryError(f"{path.name} has no /wells group; the file is incomplete")
    pairs = [(well, rec) for well in sorted(f["wells"]) for rec in sorted(f["wells"][well])]
    several = len({rec for _, rec in pairs}) > 1
    results: list[RecordingEntry | Problem] = []
    for well, rec in pairs:
        label = f"{rec}/{well}" if several else well
        base = f"wells/{well}/{rec}"
        try:
            if f"{base}/groups/routed/raw" not in f:
                raise EntryError(f"{label} has no routed raw data ({base}/groups/routed/raw); nothing to sort")
            settings = f[f"{base}/settings"]
            fs = float(settings["sampling"][0])
            mapping = settings["mapping"]
            results.append(_entry(path, f[f"{base}/groups/routed/raw"], mapping, fs, label,
                                  {"stream_id": well, "rec_name": rec}, ctx, num_channels=_connected(mapping, label)))
        except EntryError as exc:
            results.append(Problem(recording_name(session_name(path, SUFFIXES), label), str(path), str(exc), label))
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            results.append(Problem(recording_name(session_name(path, SUFFIXES), label), str(path),
                                   f"{label}: settings are incomplete ({exc}); the file is corrupt", label))
    if not results:
        raise EntryError(f"{path.name} holds no well recordings; nothing to sort")
    return results


def detect(path: Path, is_dir: bool) -> bool:
    return not is_dir and path.name.lower().endswith(SUFFIXES)


def entries(path: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    with hdf5.open_file(path, "MaxWell") as f:
        if _version(f, path) == LEGACY_VERSION:
            return _legacy(path, f, ctx)
        return _wells(path, f, ctx)


def open_recording(entry: RecordingEntry) -> Recording:
    from spikeinterface.extractors import read_maxwell

    # install_maxwell_plugin would download the vendor plugin at run time; the plugin comes from
    # formats.hdf5_plugin_path instead (checked by preflight and before the job reads).
    return read_maxwell(entry.path, install_maxwell_plugin=False, **entry.reader)


LEGACY_START = re.compile(r"start:\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")


def session_start(entry: RecordingEntry) -> tuple[datetime, str] | None:
    """The well recording's start time (UTC), the legacy file's /time (naive local), or None."""
    path = Path(entry.path)
    with hdf5.open_file(path, "MaxWell") as f:
        rec = entry.reader.get("rec_name")
        key = f"wells/{entry.reader.get('stream_id')}/{rec}/start_time"
        if rec and key in f:
            ms = int(np.asarray(f[key][()]).ravel()[0])
            return datetime.fromtimestamp(ms / 1000, tz=timezone.utc), f"MaxWell {key} in {path.name}"
        if "time" in f:
            found = LEGACY_START.search(hdf5.text(np.asarray(f["time"][()]).ravel()[0]))
            if found:
                return datetime.fromisoformat(found.group(1)), f"MaxWell /time in {path.name}"
    return None
