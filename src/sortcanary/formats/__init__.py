"""Acquisition formats: what discovery finds in each, from headers and metadata only.

One module per format turns a session folder or a file into RecordingEntry items (one per sortable
stream) and Problem items (one per unusable stream); an error that spoils the whole source raises
EntryError. Each reads only what is cheap: text or JSON metadata, binary headers, HDF5 attributes
and dataset shapes, and file sizes -- never traces. Opening the recording is sortcanary.loading's
job, through SpikeInterface's extractors with the keyword arguments stored in ``entry.reader``.

Detection is by name only (suffixes, marker files), so a corrupt file is still recognised as its
format and reported as such, naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..discovery import EntryError, Problem, RecordingEntry, _probe_channel_count

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
