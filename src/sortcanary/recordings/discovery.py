"""Find the recordings in a folder: the dispatcher over the format registry.

Discovery runs every time Snakemake builds its DAG, so it lists entries and lets each format read
headers, JSON and HDF5 metadata and file sizes; it never reads trace data. One bad entry never
hides the others: it becomes a ``Problem`` with a one-line message naming the path and the fix,
and the good entries go on. What each format finds, and how, is its module's business
(sortcanary.recordings.formats; docs/formats.md has the layouts).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..boundary import JSONDict
from ..config import ConfigError, formats_section
from .entry import DiscoveryError, EntryError, Problem, RecordingEntry, slugify
from .formats import ALL_SUFFIXES, FORMATS, REGISTRY, FormatContext, session_name
from .metadata import forget_real_dirs


@dataclass
class Discovery:
    recordings: dict[str, RecordingEntry]
    problems: list[Problem]


def _formats(formats: JSONDict | None) -> JSONDict:
    try:
        return formats_section(formats)
    except ConfigError as exc:
        raise DiscoveryError(str(exc)) from None


def detect_format(path: Path) -> ModuleType | None:
    """The format module this directory entry belongs to, from names only, or None."""
    if path.name.startswith("."):
        return None
    if path.is_symlink() and not path.exists():
        raise EntryError("broken symlink or symlink loop; fix or remove the link")
    is_dir = path.is_dir()  # once: 10,000 entries x every format's own check was measurable (bench/)
    return next((module for module in REGISTRY.values() if module.detect(path, is_dir)), None)


def _matches(value: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, g) or fnmatch.fnmatchcase(slugify(value), g) for g in globs)


def _keep(item: RecordingEntry | Problem, cfg: JSONDict, kind: str) -> bool:
    """Config filters on one result: formats.exclude on names, formats.streams.<format> on stream labels."""
    if _matches(item.name, cfg["exclude"]):
        return False
    globs = cfg["streams"].get(kind)
    return not item.stream or globs is None or _matches(item.stream, globs)


def _problem_name(path: Path) -> str:
    return slugify(session_name(path, ALL_SUFFIXES))


def _build(path: Path, cfg: JSONDict, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    """Entries and Problems for one top-level path (never raises for a bad recording)."""
    try:
        module = detect_format(path)
        if module is None or module.FORMAT not in cfg["include"]:
            return []
        results: list[RecordingEntry | Problem] = module.entries(path, ctx)
    except EntryError as exc:
        return [Problem(_problem_name(path), str(path), str(exc))]
    except OSError as exc:  # symlink loops, vanished files, permission errors on stat
        return [Problem(_problem_name(path), str(path), f"cannot read entry ({exc.strerror or exc}); fix or remove it")]
    except Exception as exc:  # noqa: BLE001 -- a reader tripped on a corrupt file: report it, keep discovering
        detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
        return [Problem(_problem_name(path), str(path), f"cannot read its metadata ({detail}); the file is corrupt or "
                        "not in the expected layout (see docs/formats.md)")]
    return [item for item in results if _keep(item, cfg, module.FORMAT)]


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


def entry_for_path(path: str | Path, stream: str | None = None, formats: JSONDict | None = None) -> RecordingEntry:
    """The entry for one recording path (used by `sortcanary canary PATH [--stream S]`).

    ``formats``: the config's ``formats`` section (its defaults filled in here)."""
    path = Path(path)
    if not path.exists():
        raise EntryError(f"{path}: no such file or folder")
    forget_real_dirs()
    cfg = _formats(formats)
    if detect_format(path) is None:
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
    streams = ", ".join(repr(e.stream or e.name) for e in entries)  # a segment's or run's name: <rec>__seg<k>
    raise EntryError(f"{path}: holds several streams or runs ({streams}); choose one with --stream")


def discover(recordings_dir: str | Path, formats: JSONDict | None = None, *, allow_empty: bool = False) -> Discovery:
    """All usable recordings in ``recordings_dir`` plus one Problem per unusable entry or stream.

    ``formats``: the config's ``formats`` section (its defaults filled in here).
    """
    cfg = _formats(formats)
    ctx = FormatContext.from_config(cfg)
    root = resolve_recordings_dir(recordings_dir)
    forget_real_dirs()
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
