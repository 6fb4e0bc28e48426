"""When a recording began, from its own metadata: the NWB export's session_start_time.

An upload must not pass a copy date off as an acquisition time, so each format that has a clock
reads it (its module's optional ``session_start(entry)``); the file's modification time is only
the last resort, and the source string says so.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .entry import RecordingEntry
from .formats import REGISTRY

log = logging.getLogger("sortcanary")

MTIME_SOURCE = "modification time"  # how a source string starts when the time is a file's mtime


def session_start(entry: RecordingEntry, timezone: str | None = None) -> tuple[datetime, str]:
    """When the recording began (tz-aware) and where that came from, from metadata only.

    Each acquisition format's module reads its own clock (its ``session_start``, optional: SpikeGLX
    fileCreateTime, Open Ephys sync_messages/settings.xml, NWB session_start_time, MaxWell
    start_time, Intan's file-name stamp); a format with none (raw binary, SpikeInterface folders)
    or a file without one falls back to the first input file's modification time, and the source
    then says so, because NWB files carry it and an upload must not pass a copy date off as an
    acquisition time. Acquisition software mostly writes local wall-clock time with no zone: that
    is read as ``timezone`` (an IANA name, outputs.nwb_metadata.timezone) or, unset, as this
    machine's local time.
    """
    reader = getattr(REGISTRY.get(entry.format), "session_start", None)
    found = None
    if reader is not None:
        try:
            found = reader(entry)
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


def localize(naive: datetime, timezone: str | None) -> datetime:
    """A wall-clock time without a zone, placed in ``timezone`` (IANA name) or this machine's zone."""
    if not timezone:
        return naive.astimezone()  # Python reads a naive time as local time here
    try:
        return naive.replace(tzinfo=ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"outputs.nwb_metadata.timezone {timezone!r} is not a known IANA time zone; "
                         "use a name such as Europe/Berlin or America/New_York") from None
