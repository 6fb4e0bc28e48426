"""What the format modules share: the config's ``formats`` settings and session naming."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...boundary import JSONDict
from ..entry import EntryError
from ..metadata import probe_channel_count


@dataclass(frozen=True)
class FormatContext:
    """What the format readers need from the config's ``formats`` section."""

    probe: dict[str, str] = field(default_factory=dict)  # format -> absolute probeinterface JSON path
    hdf5_plugin_path: str | None = None

    @classmethod
    def from_config(cls, formats: JSONDict) -> FormatContext:
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
        contacts = probe_channel_count(Path(path))
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


def session_name(path: Path, suffixes: Iterable[str] = ()) -> str:
    """The session part of a recording name: the folder name, or the file name without its format
    suffix (one of ``suffixes``, else its last suffix)."""
    name = path.name
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name if path.is_dir() else Path(name).stem  # (a broken link is no file, but named like one)
