"""Acquisition formats: what discovery finds in each, from headers and metadata only.

One module per format turns a session folder or a file into RecordingEntry items (one per sortable
stream) and Problem items (one per unusable stream); an error that spoils the whole source raises
EntryError. Each reads only what is cheap: text or JSON metadata, binary headers, HDF5 attributes
and dataset shapes, and file sizes -- never traces. Opening the recording is sortcanary.loading's
job, through SpikeInterface's extractors with the keyword arguments stored in ``entry.reader``.

Detection is by name only (suffixes, marker files), so a corrupt file is still recognised as its
format and reported as such, naming the file.

Each module also reads when its recording began (``session_start``, for the NWB export), again from
metadata only; ``session_start`` below picks the reader and falls back to a file's mtime.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..discovery import EntryError, Problem, RecordingEntry, _probe_channel_count

log = logging.getLogger("sortcanary")

# Formats whose geometry may be missing from the file, so formats.probe can supply it.
PROBE_OVERRIDE_FORMATS = ("openephys", "nwb", "intan")
FILE_SUFFIXES = {".nwb": "nwb", ".raw.h5": "maxwell", ".rhd": "intan", ".rhs": "intan"}


@dataclass(frozen=True)
class FormatContext:
    """What the format readers need from the config's ``formats`` section."""

    probe: dict = field(default_factory=dict)  # format -> absolute probeinterface JSON path
    hdf5_plugin_path: str | None = None

    @classmethod
    def from_config(cls, formats: dict) -> "FormatContext":
        probes = {k: str(Path(v).expanduser().absolute()) for k, v in (formats.get("probe") or {}).items() if v}
        plugin = formats.get("hdf5_plugin_path")
        return cls(probe=probes, hdf5_plugin_path=str(Path(plugin).expanduser().absolute()) if plugin else None)

    def probe_override(self, fmt: str, num_channels: int) -> str:
        """The formats.probe.<fmt> file, checked against the channel count; "" when not set."""
        path = self.probe.get(fmt)
        if not path:
            return ""
        if not Path(path).is_file():
            raise EntryError(f"formats.probe.{fmt} names {path}, which does not exist; fix the path")
        contacts = _probe_channel_count(Path(path))
        if contacts != num_channels:
            raise EntryError(
                f"formats.probe.{fmt} ({Path(path).name}) has {contacts} contacts but the recording has "
                f"{num_channels} channels; give a probe with one contact per channel"
            )
        return path

    def require_probe(self, fmt: str, num_channels: int, why: str) -> str:
        """The override for a recording whose file carries no geometry: missing = a clear EntryError."""
        path = self.probe_override(fmt, num_channels)
        if not path:
            raise EntryError(
                f"{why}; set formats.probe.{fmt} to a probeinterface JSON file with {num_channels} contacts "
                "(see config/README.md)"
            )
        return path


def session_name(path: Path) -> str:
    """The session part of a recording name: the folder name, or the file name without its format suffix."""
    name = path.name
    for suffix in sorted(FILE_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name if path.is_dir() else Path(name).stem  # (a broken link is no file, but named like one)


def folder_format(folder: Path) -> str | None:
    """Open Ephys (a structure.oebin below) or SpikeGLX (a .meta below), from names only."""
    if next(folder.rglob("structure.oebin"), None) is not None:
        return "openephys"
    if next(folder.rglob("*.meta"), None) is not None:
        return "spikeglx"
    return None


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix, fmt in FILE_SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


def folder_entries(fmt: str, folder: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    from . import openephys, spikeglx

    return {"openephys": openephys.entries, "spikeglx": spikeglx.entries}[fmt](folder, ctx)


def file_entries(fmt: str, path: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    from . import intan, maxwell, nwb

    return {"nwb": nwb.entries, "maxwell": maxwell.entries, "intan": intan.entries}[fmt](path, ctx)


def loose_spikeglx_file(path: Path) -> list:
    raise EntryError(
        f"SpikeGLX file {path.name} (with {path.with_suffix('.meta').name}) lies directly in recordings_dir; "
        "SpikeGLX runs are read per folder: move the run's .bin/.meta files into a folder of their own"
    )


# -- session start (NWB export) ---------------------------------------------------------------


def session_start(entry: RecordingEntry, timezone: str | None = None) -> tuple[datetime, str]:
    """When the recording began (tz-aware) and where that came from, from metadata only.

    Each acquisition format's module reads its own clock (``<format>.session_start``: SpikeGLX
    fileCreateTime, Open Ephys sync_messages/settings.xml, NWB session_start_time, MaxWell
    start_time, Intan's file-name stamp); a format with none (raw binary, SpikeInterface folders)
    or a file without one falls back to the first input file's modification time, and the source
    then says so, because NWB files carry it and an upload must not pass a copy date off as an
    acquisition time. Acquisition software mostly writes local wall-clock time with no zone: that
    is read as ``timezone`` (an IANA name, outputs.nwb_metadata.timezone) or, unset, as this
    machine's local time.
    """
    from . import intan, maxwell, nwb, openephys, spikeglx

    readers = {"spikeglx": spikeglx.session_start, "openephys": openephys.session_start, "nwb": nwb.session_start,
               "maxwell": maxwell.session_start, "intan": intan.session_start}
    found = None
    if entry.format in readers:
        try:
            found = readers[entry.format](entry)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged clock field must not cost the export
            log.warning("%s: cannot read the acquisition start time (%s: %s); using the file's modification time",
                        entry.name, type(exc).__name__, exc)
    if found is None:
        first = Path(entry.input_files[0] if entry.input_files else entry.path)
        mtime = datetime.fromtimestamp(first.stat().st_mtime, tz=dt_timezone.utc)
        return mtime, f"{MTIME_SOURCE} of {first.name} (the recording carries no acquisition start time)"
    when, source = found
    if when.tzinfo is not None:
        return when, source
    return localize(when, timezone), f"{source}, read as {timezone or 'local'} time"


MTIME_SOURCE = "modification time"  # how a source string starts when the time is a file's mtime


def localize(naive: datetime, timezone: str | None) -> datetime:
    """A wall-clock time without a zone, placed in ``timezone`` (IANA name) or this machine's zone."""
    if not timezone:
        return naive.astimezone()  # Python reads a naive time as local time here
    try:
        return naive.replace(tzinfo=ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"outputs.nwb_metadata.timezone {timezone!r} is not a known IANA time zone; "
                         "use a name such as Europe/Berlin or America/New_York") from None
