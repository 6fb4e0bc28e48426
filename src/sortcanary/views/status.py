"""`sortcanary status`: the summary table of a results folder, for recordings found on disk.

The recordings are those any per-recording path of sortcanary.layout names, found by globbing the
layout's own patterns (never a second copy of them), so status works on any finished, failed or
half-run results folder without the config or the recordings.
"""

from __future__ import annotations

from pathlib import Path

from .. import layout
from .summary import Row, attention_first, build_rows

# Per-recording paths whose presence means sortcanary has seen the recording.
EVIDENCE = (layout.MARKER, layout.CANARY_VERDICT, layout.SORT_VERDICT, layout.SORTED)


def recordings_on_disk(root: Path) -> set[str]:
    names: set[str] = set()
    for pattern in EVIDENCE:
        prefix, _, suffix = pattern.partition("{recording}")
        for path in root.glob(prefix + "*" + suffix):
            name = path.as_posix()[len(root.as_posix()) + 1 + len(prefix): len(path.as_posix()) - len(suffix) or None]
            if name and not name.startswith(".") and (suffix or path.is_dir()):
                names.add(name)
    return names


def status_root(results_dir: str) -> Path:
    """The working directory of a run, given it or its results folder."""
    path = Path(results_dir)
    results = Path(layout.SUMMARY_TSV).parent.name
    return path.parent if path.name == results or (path / Path(layout.SORTED).parent.name).is_dir() else path


def status_rows(results_dir: str) -> tuple[Path, list[Row]]:
    root = status_root(results_dir)
    return root, attention_first(build_rows(recordings_on_disk(root), str(root)))
