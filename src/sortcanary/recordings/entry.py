"""The recording contract: what discovery finds and every later stage reads.

A ``RecordingEntry`` is built from metadata only (headers, JSON, HDF5 attributes, file sizes) and
is a plain JSON-able value: Snakemake passes it to the jobs as a param, the job plan embeds it, and
the sorter's child process rebuilds the recording from it. Nothing here imports another module of
the package, so every layer can depend on it.

Names: the recording's name (the Snakemake wildcard) is a slug of its file or folder name made of
ASCII letters, digits, ``.``, ``_`` and ``-``, so no name can ever reach a shell or a glob, and one
recording's outputs can never match another's. A format that holds several streams gives one
recording per stream, named ``<session>__<stream>`` with both parts slugged; the name keeps the
stream even when there is only one, so that adding or excluding a stream never renames the others.
A recording split by probe group (config ``split_by: group``) gives one recording per group, named
``<recording>__g<k>`` (``group_name``), whose ``parent`` is the recording's own name; a name that
would collide with another recording's is refused where the split is made (sortcanary.plan.split).
A multi-segment recording is one recording per segment, ``<recording>__seg<k>`` (``segment_name``),
with the same ``parent``, unless the config joins them (``join: runs``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields

from ..boundary import JSONDict

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # also the workflow's wildcard constraint
STREAM_SEPARATOR = "__"  # <session>__<stream>


class DiscoveryError(ValueError):
    """recordings_dir itself is unusable (missing, not a folder, empty)."""


class EntryError(ValueError):
    """One entry can't be used; the message names its path and the fix."""


@dataclass(frozen=True)
class RecordingEntry:
    name: str  # the wildcard: a safe slug
    source: str  # the file or folder name as found on disk
    path: str  # absolute path of the folder or raw file
    format: str  # a name in sortcanary.recordings.formats.REGISTRY
    sampling_frequency: float
    num_channels: int
    dtype: str
    duration_s: float
    input_files: tuple[str, ...]  # what Snakemake tracks for changes
    binary: JSONDict = field(default_factory=dict)  # raw-file parameters (format "binary" only)
    stream: str = ""  # the stream within the source (probe, Open Ephys stream, series, well); "" = single-stream
    reader: JSONDict = field(default_factory=dict)  # keyword arguments for the SpikeInterface extractor
    probe: str = ""  # probeinterface JSON replacing the file's geometry (config formats.probe)
    channel_ids: tuple[str, ...] = ()  # keep only these channels (e.g. Open Ephys AUX inputs dropped); () = all
    hdf5: JSONDict = field(default_factory=dict)  # HDF5 formats: {"filters": [ids], "plugin_path": str | None}
    parent: str = ""  # a probe group's recording name before the split (what `recordings:` overrides match)
    group: int = -1  # a probe group's value of SpikeInterface's `group` property; -1 = all channels
    segment: int = -1  # one segment of a multi-segment recording (its index); -1 = the recording as opened
    runs: tuple[JSONDict, ...] = ()  # join: runs: the segments joined end to end, {"name", "segment", "duration_s"} each

    @property
    def config_name(self) -> str:
        """The name the config's ``recordings`` overrides match: the recording's, before any split."""
        return self.parent or self.name

    def as_dict(self) -> JSONDict:
        """A plain copy for JSON and Snakemake params. Written out rather than dataclasses.asdict, whose
        recursive deep copy made up a measurable share of a 10,000-recording dry run (bench/)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("binary", "reader", "hdf5"):
            data[name] = dict(data[name])
        data["runs"] = [dict(run) for run in self.runs]
        for name, default in UNSPLIT.items():  # left out unsplit: a recording's params (and its jobs) stay as they were
            if data[name] == default:
                del data[name]
        return data

    @classmethod
    def from_dict(cls, data: JSONDict) -> RecordingEntry:
        data = dict(data)
        data["input_files"] = tuple(data.get("input_files", ()))
        data["channel_ids"] = tuple(data.get("channel_ids", ()))
        data["runs"] = tuple(dict(run) for run in data.get("runs", ()))
        return cls(**data)


UNSPLIT = {"parent": "", "group": -1, "segment": -1, "runs": []}  # as as_dict writes them


@dataclass(frozen=True)
class Problem:
    """An entry (or one stream of it) that can't be sorted, with a one-line reason and fix."""

    name: str
    path: str
    message: str
    stream: str = ""  # set when one stream of a multi-stream source is unusable
    error_class: str = "input_invalid"  # the verdict class the summary gives it (sortcanary.taxonomy)

    def line(self) -> str:
        return f"{self.path}: {self.message}"


def slugify(raw: str) -> str:
    """A name safe as a wildcard, a path component and a shell word."""
    ascii_name = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return re.sub(r"^[._-]+", "", slug).rstrip("._-")


GROUP_SEPARATOR = "__g"  # <recording>__g<k>
SEGMENT_SEPARATOR = "__seg"  # <recording>__seg<k>


def group_name(recording: str, group: int) -> str:
    """The name of probe group ``group`` of ``recording``."""
    return f"{recording}{GROUP_SEPARATOR}{group}"


def segment_name(recording: str, segment: int) -> str:
    """The name of segment ``segment`` of a multi-segment recording."""
    return f"{recording}{SEGMENT_SEPARATOR}{segment}"


def recording_name(session: str, stream: str) -> str:
    """The recording name of one stream of a session: ``<session>__<stream>``, both parts slugged
    ("" when either part has no usable character, which discovery reports)."""
    parts = slugify(session), slugify(stream)
    return STREAM_SEPARATOR.join(parts) if all(parts) else ""
