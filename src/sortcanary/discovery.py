"""Find the recordings in a folder from small metadata only.

Discovery runs every time Snakemake builds its DAG, so it lists entries and reads headers, JSON and
HDF5 metadata and file sizes; it never reads trace data. One bad entry never hides the others: it
becomes a `Problem` with a one-line message naming the path and the fix, and the good entries go on.

Supported layouts (top level of ``recordings_dir``; docs/formats.md has the details):
  * a folder written by SpikeInterface's ``recording.save(folder=...)`` (has ``si_folder.json``);
  * a raw ``.bin``/``.dat`` file with a JSON sidecar of the same stem giving ``sampling_frequency``,
    ``num_channels``, ``dtype``, optional ``gain_to_uV``/``offset_to_uV`` and ``probe`` (a
    probeinterface JSON file, relative to the sidecar);
  * acquisition formats read through SpikeInterface's extractors (sortcanary.formats): a SpikeGLX
    session folder, an Open Ephys binary folder, an NWB file, a MaxWell ``.raw.h5`` file, an Intan
    ``.rhd``/``.rhs`` file.

Names: the recording's name (the Snakemake wildcard) is a slug of its file or folder name made of
ASCII letters, digits, ``.``, ``_`` and ``-``, so no name can ever reach a shell or a glob, and one
recording's outputs can never match another's. A format that holds several streams (probes, Open
Ephys streams, ElectricalSeries, MaxWell wells) gives one recording per stream, named
``<session>__<stream>`` with both parts slugged; the name keeps the stream even when there is only
one, so that adding or excluding a stream never renames the others. The original name is kept for
the summary.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable

import numpy as np

RAW_SUFFIXES = (".bin", ".dat")
SI_FOLDER_MARKER = "si_folder.json"
SIDECAR_REQUIRED = ("sampling_frequency", "num_channels", "dtype", "probe")
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # also the workflow's wildcard constraint
STREAM_SEPARATOR = "__"  # <session>__<stream>
FORMATS = ("si_folder", "binary", "spikeglx", "openephys", "nwb", "maxwell", "intan")


class DiscoveryError(ValueError):
    """recordings_dir itself is unusable (missing, not a folder, empty)."""


class EntryError(ValueError):
    """One entry can't be used; the message names its path and the fix."""


@dataclass(frozen=True)
class RecordingEntry:
    name: str  # the wildcard: a safe slug
    source: str  # the file or folder name as found on disk
    path: str  # absolute path of the folder or raw file
    format: str  # one of FORMATS
    sampling_frequency: float
    num_channels: int
    dtype: str
    duration_s: float
    input_files: tuple[str, ...]  # what Snakemake tracks for changes
    binary: dict = field(default_factory=dict)  # raw-file parameters (format "binary" only)
    # Added for the acquisition formats; all optional, so records written before them still load.
    stream: str = ""  # the stream within the source (probe, Open Ephys stream, series, well); "" = single-stream
    reader: dict = field(default_factory=dict)  # keyword arguments for the SpikeInterface extractor
    probe: str = ""  # probeinterface JSON replacing the file's geometry (config formats.probe)
    channel_ids: tuple[str, ...] = ()  # keep only these channels (e.g. Open Ephys AUX inputs dropped); () = all
    hdf5: dict = field(default_factory=dict)  # HDF5 formats: {"filters": [ids], "plugin_path": str | None}

    def as_dict(self) -> dict:
        """A plain copy for JSON and Snakemake params. Written out rather than dataclasses.asdict, whose
        recursive deep copy made up a measurable share of a 10,000-recording dry run (bench/)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("binary", "reader", "hdf5"):
            data[name] = dict(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RecordingEntry":
        data = dict(data)
        data["input_files"] = tuple(data.get("input_files", ()))
        data["channel_ids"] = tuple(data.get("channel_ids", ()))
        return cls(**data)


@dataclass(frozen=True)
class Problem:
    name: str
    path: str
    message: str
    stream: str = ""  # set when one stream of a multi-stream source is unusable

    def line(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Discovery:
    recordings: dict[str, RecordingEntry]
    problems: list[Problem]


def slugify(raw: str) -> str:
    """A name safe as a wildcard, a path component and a shell word."""
    ascii_name = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return re.sub(r"^[._-]+", "", slug).rstrip("._-")


def recording_name(session: str, stream: str) -> str:
    """The recording name of one stream of a session: ``<session>__<stream>``, both parts slugged
    ("" when either part has no usable character, which discovery reports)."""
    parts = slugify(session), slugify(stream)
    return STREAM_SEPARATOR.join(parts) if all(parts) else ""


def formats_config(formats: dict | None = None) -> dict:
    """The ``formats`` config section with its defaults filled in from the schema (their only home)."""
    from .config import ConfigError, validate_config

    try:
        return validate_config({"recordings_dir": ".", "formats": dict(formats or {})})["formats"]
    except ConfigError as exc:
        raise DiscoveryError(str(exc)) from None


def _read_json(path: Path, what: str) -> dict:
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


def _frames_in(path: Path, num_channels: int, dtype: np.dtype, offset: int = 0) -> int:
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


def _check_binary_params(meta: dict, what: str) -> tuple[float, int, np.dtype]:
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


def _real(path: Path) -> str:
    """``str(path.resolve())`` for a file, resolving its folder only once per discovery.

    Path.resolve() lstat()s every component of every path; over 10,000 recordings in one folder that
    was most of discovery's time (bench/bench_dag_scale.py). A file that is itself a symlink is still
    resolved in full. discover() and entry_for_path() clear the folder cache when they start.
    """
    text = os.fspath(path)
    if os.path.islink(text):
        return os.path.realpath(text)
    head, tail = os.path.split(text)
    return os.path.join(_real_dir(head or os.curdir), tail)


# (path, size, mtime_ns) -> contact count. A batch of raw recordings usually shares one probe file,
# and parsing it again for every recording was a third of discovery's time (bench/bench_dag_scale.py).
_PROBE_CONTACTS: dict[tuple[str, int, int], int] = {}


def _probe_channel_count(probe_path: Path) -> int:
    """The number of contacts in a probeinterface JSON file, parsed once per version of the file."""
    try:
        st = os.stat(probe_path)
        key = (str(probe_path), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key in _PROBE_CONTACTS:
        return _PROBE_CONTACTS[key]
    data = _read_json(probe_path, f"probe file {probe_path.name}")
    try:
        count = sum(len(p["contact_positions"]) for p in data["probes"])
    except (KeyError, TypeError):
        raise EntryError(f"probe file {probe_path.name} is not a probeinterface JSON file (no probes/contact_positions)") from None
    if key is not None:
        _PROBE_CONTACTS[key] = count
    return count


def _binary_entry(raw: Path, sidecar: Path) -> RecordingEntry:
    meta = _read_json(sidecar, f"sidecar {sidecar.name}")
    missing = [k for k in SIDECAR_REQUIRED if k not in meta]
    if missing:
        raise EntryError(f"sidecar {sidecar.name} lacks {', '.join(missing)}; add them (see config/README.md)")
    fs, nch, dtype = _check_binary_params(meta, f"sidecar {sidecar.name}")
    probe_path = Path(_real(sidecar.parent / str(meta["probe"])))
    if not probe_path.is_file():
        raise EntryError(f"sidecar {sidecar.name} names probe '{meta['probe']}', which does not exist; fix the path")
    probe_channels = _probe_channel_count(probe_path)
    if probe_channels != nch:
        raise EntryError(
            f"probe {probe_path.name} has {probe_channels} contacts but sidecar {sidecar.name} says num_channels={nch}; "
            "they must match"
        )
    frames = _frames_in(raw, nch, dtype)
    raw_path = _real(raw)
    binary = {
        "sampling_frequency": fs,
        "num_channels": nch,
        "dtype": dtype.str,
        "gain_to_uV": meta.get("gain_to_uV"),
        "offset_to_uV": meta.get("offset_to_uV"),
        "probe": str(probe_path),
    }
    return RecordingEntry(
        name=slugify(raw.stem),
        source=raw.name,
        path=raw_path,
        format="binary",
        sampling_frequency=fs,
        num_channels=nch,
        dtype=dtype.str,
        duration_s=frames / fs,
        input_files=(raw_path, _real(sidecar), str(probe_path)),
        binary=binary,
    )


def _si_folder_entry(folder: Path) -> RecordingEntry:
    marker = folder / SI_FOLDER_MARKER
    _read_json(marker, f"{SI_FOLDER_MARKER}")
    binary_json = folder / "binary.json"
    if not binary_json.is_file():
        raise EntryError(
            "SpikeInterface folder is not in binary format (no binary.json); re-save it with "
            "recording.save(folder=..., format='binary')"
        )
    kwargs = _read_json(binary_json, "binary.json").get("kwargs", {})
    fs, nch, dtype = _check_binary_params(kwargs, "binary.json")
    files = kwargs.get("file_paths") or []
    if not files:
        raise EntryError("binary.json lists no trace files; re-save the recording")
    offset = int(kwargs.get("file_offset") or 0)
    frames = 0
    raw_paths = []
    for name in files:
        raw = (folder / name).resolve() if not os.path.isabs(name) else Path(name)
        if not raw.is_file():
            raise EntryError(f"trace file {name} listed in binary.json is missing; the folder is incomplete")
        frames += _frames_in(raw, nch, dtype, offset)
        raw_paths.append(str(raw))
    if not (folder / "probegroup.json").is_file() and not (folder / "probe.json").is_file():
        raise EntryError("SpikeInterface folder has no probe (probegroup.json); attach a probe and re-save it")
    return RecordingEntry(
        name=slugify(folder.name),
        source=folder.name,
        path=str(folder.resolve()),
        format="si_folder",
        sampling_frequency=fs,
        num_channels=nch,
        dtype=dtype.str,
        duration_s=frames / fs,
        input_files=(str(marker.resolve()), str(binary_json.resolve()), *raw_paths),
    )


Builder = Callable[["FormatContext"], list]  # returns RecordingEntry and Problem items; raises EntryError


def _binary_candidate(raw: Path, ctx) -> list:
    sidecar = raw.with_suffix(".json")
    if not sidecar.exists():
        raise EntryError(f"raw file has no JSON sidecar ({sidecar.name}); add one (see config/README.md)")
    return [_binary_entry(raw, sidecar)]


def _candidate(path: Path) -> tuple[str, Builder] | None:
    """What this directory entry could be, from names only: (format, builder) or None."""
    from . import formats

    if path.name.startswith("."):
        return None
    if path.is_symlink() and not path.exists():
        raise EntryError("broken symlink or symlink loop; fix or remove the link")
    if path.is_dir():
        if (path / SI_FOLDER_MARKER).exists():
            return ("si_folder", lambda ctx: [_si_folder_entry(path)])
        kind = formats.folder_format(path)
        return (kind, lambda ctx: formats.folder_entries(kind, path, ctx)) if kind else None
    kind = formats.file_format(path)
    if kind:
        return (kind, lambda ctx: formats.file_entries(kind, path, ctx))
    if path.suffix.lower() in RAW_SUFFIXES:
        if path.with_suffix(".meta").exists():
            return ("spikeglx", lambda ctx: formats.loose_spikeglx_file(path))
        return ("binary", lambda ctx: _binary_candidate(path, ctx))
    return None


def _problem_name(path: Path) -> str:
    from .formats import session_name

    return slugify(session_name(path))


def _matches(value: str, globs) -> bool:
    return any(fnmatch.fnmatchcase(value, g) or fnmatch.fnmatchcase(slugify(value), g) for g in globs)


def _keep(item, cfg: dict, kind: str) -> bool:
    """Config filters on one result: formats.exclude on names, formats.streams.<format> on stream labels."""
    if _matches(item.name, cfg["exclude"]):
        return False
    globs = cfg["streams"].get(kind)
    return not item.stream or globs is None or _matches(item.stream, globs)


def _build(path: Path, cfg: dict, ctx) -> list:
    """Entries and Problems for one top-level path (never raises for a bad recording)."""
    try:
        candidate = _candidate(path)
        if candidate is None or candidate[0] not in cfg["include"]:
            return []
        results = candidate[1](ctx)
    except EntryError as exc:
        return [Problem(_problem_name(path), str(path), str(exc))]
    except OSError as exc:  # symlink loops, vanished files, permission errors on stat
        return [Problem(_problem_name(path), str(path), f"cannot read entry ({exc.strerror or exc}); fix or remove it")]
    except Exception as exc:  # noqa: BLE001 -- a reader tripped on a corrupt file: report it, keep discovering
        detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
        return [Problem(_problem_name(path), str(path), f"cannot read its metadata ({detail}); the file is corrupt or "
                        "not in the expected layout (see docs/formats.md)")]
    return [item for item in results if _keep(item, cfg, candidate[0])]


def resolve_recordings_dir(recordings_dir: str | Path) -> Path:
    root = Path(recordings_dir).expanduser()
    if not root.exists():
        raise DiscoveryError(
            f"recordings_dir '{recordings_dir}' does not exist; set recordings_dir in config/config.yaml "
            "or pass --config recordings_dir=/path/to/recordings"
        )
    if not root.is_dir():
        raise DiscoveryError(f"recordings_dir '{recordings_dir}' is not a folder; point it at the folder holding the recordings")
    return root


def entry_for_path(path: str | Path, stream: str | None = None, formats: dict | None = None) -> RecordingEntry:
    """The entry for one recording path (used by `sortcanary canary PATH [--stream S]`)."""
    from .formats import FormatContext

    path = Path(path)
    if not path.exists():
        raise EntryError(f"{path}: no such file or folder")
    _real_dir.cache_clear()
    cfg = formats_config(formats)
    if _candidate(path) is None:
        raise EntryError(f"{path}: not a recording (expected one of the layouts in docs/formats.md)")
    results = _build(path, {**cfg, "include": FORMATS, "exclude": []}, FormatContext.from_config(cfg))
    entries = [r for r in results if isinstance(r, RecordingEntry)]
    problems = [r for r in results if isinstance(r, Problem)]
    if stream is not None:
        chosen = [r for r in results if stream in (r.stream, r.name, slugify(r.stream))]
        if not chosen:
            known = ", ".join(repr(e.stream) for e in entries) or "none usable"
            raise EntryError(f"{path}: no stream {stream!r} (streams: {known})")
        if isinstance(chosen[0], Problem):
            raise EntryError(chosen[0].line())
        return chosen[0]
    if len(entries) == 1 and not problems:
        return entries[0]
    if not entries:
        raise EntryError(problems[0].line() if problems else f"{path}: holds no sortable stream")
    streams = ", ".join(repr(e.stream) for e in entries)
    raise EntryError(f"{path}: holds several streams ({streams}); choose one with --stream")


def discover(recordings_dir: str | Path, formats: dict | None = None, *, allow_empty: bool = False) -> Discovery:
    """All usable recordings in ``recordings_dir`` plus one Problem per unusable entry or stream.

    ``formats`` is the config's ``formats`` section (defaults from the schema when None).
    """
    from .formats import FormatContext

    cfg = formats_config(formats)
    ctx = FormatContext.from_config(cfg)
    root = resolve_recordings_dir(recordings_dir)
    _real_dir.cache_clear()
    found: dict[str, list[RecordingEntry]] = {}
    problems: list[Problem] = []
    try:
        children = sorted(root.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise DiscoveryError(f"cannot list recordings_dir '{recordings_dir}' ({exc.strerror}); check its permissions") from None
    for child in children:
        if _matches(child.name, cfg["exclude"]):
            continue
        for item in _build(child, cfg, ctx):
            if isinstance(item, Problem):
                problems.append(item)
            elif not item.name:
                problems.append(Problem(child.name, str(child), "name has no usable characters; rename it"))
            else:
                found.setdefault(item.name, []).append(item)
    recordings: dict[str, RecordingEntry] = {}
    for name, entries in found.items():
        if len(entries) == 1:
            recordings[name] = entries[0]
            continue
        sources = " and ".join(repr(e.source + (f" ({e.stream})" if e.stream else "")) for e in entries)
        for entry in entries:
            problems.append(
                Problem(name, str(root / entry.source),  # as found in recordings_dir, not a link's target
                        f"name collision: {sources} both map to recording name '{name}'; rename one")
            )
    if not recordings and not problems and not allow_empty:
        raise DiscoveryError(
            f"recordings_dir '{recordings_dir}' holds no recordings (see docs/formats.md for the layouts found, "
            "and formats.include/exclude/streams in config/README.md); "
            "point recordings_dir at your data or run `sortcanary demo-data DIR`"
        )
    return Discovery(recordings=recordings, problems=problems)
