"""One row per recording: built from its records on disk, and kept by its own jobs as they end.

A row (``Row``) reads four records: the canary's marker and verdict, the sort's ``sort.json`` and
verdict. When a canary or a full sort ends, it writes its recording's row and nothing else
(``write_row``: layout.SUMMARY_ROW, one small file per recording, renamed into place), so a job's
end costs the same in a run of 5 recordings and of 5,000, and no job waits on another's. The
whole-run views (sortcanary.views.summary) and `sortcanary status` read the rows back.

A kept row stands for its records only while the same records exist: it notes which of them it
was built from, and a reader compares that with one listing per folder (``RunFiles``), never a
stat or an open per recording. What changes a record without a job ending is caught that way: a
job killed after it removed its stale verdict (and, for a canary, after Snakemake removed its
marker), a sorted folder deleted by hand. Such a row is built again from the records.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from .. import layout
from ..atomic import read_json, write_json_atomic
from ..boundary import JSONDict

if TYPE_CHECKING:
    from ..recordings.entry import Problem

# The records a row is built from, each named by the pattern that says whether it exists (the sorted
# folder stands for its sort.json: it is published whole).
RECORDS = {"marker": layout.MARKER, "canary": layout.CANARY_VERDICT, "sorted": layout.SORTED,
           "sort": layout.SORT_VERDICT}


@dataclass
class Row:
    recording: str
    canary: str = "pending"  # pass|passthrough|blocked|disabled|skipped|pending
    category: str = ""
    error_class: str = ""
    sort: str = "pending"  # done|blocked|failed|skipped|pending
    units: str = ""
    curated: str = ""  # units left after curation
    canary_s: str = ""
    sort_s: str = ""
    canary_gpu: str = ""  # the device each job ran on ("" = CPU or no GPU)
    sort_gpu: str = ""
    message: str = ""
    remediation: str = ""
    parent: str = ""  # a probe group's recording (split_by: group); "" for a recording sorted whole

    def values(self) -> list[str]:
        return [str(getattr(self, name)) for name in COLUMNS]

    def take_verdict(self, record: JSONDict) -> None:
        self.category = record.get("category", "")
        self.error_class = record.get("error_class", "")
        self.message = record.get("message", "")
        self.remediation = record.get("remediation", "")


COLUMNS = tuple(f.name for f in fields(Row))


def _seconds(record: JSONDict | None) -> str:
    return f"{record['seconds']:.1f}" if record and isinstance(record.get("seconds"), (int, float)) else ""


def recording_row(name: str, root: str = ".", preflight_failure: JSONDict | None = None) -> Row:
    """The row of ``name`` read from its records."""
    row = Row(name)
    marker = read_json(layout.path(layout.MARKER, root, recording=name))
    canary_record = read_json(layout.path(layout.CANARY_VERDICT, root, recording=name))
    sort_json = read_json(layout.path(layout.SORT_JSON, root, recording=name))
    sort_record = read_json(layout.path(layout.SORT_VERDICT, root, recording=name))
    row.canary_s = _seconds(canary_record)
    if canary_record:  # a blocked canary's device is in its evidence
        row.canary_gpu = str(canary_record.get("gpu") or (canary_record.get("evidence") or {}).get("gpu") or "")
    if marker:
        row.canary = marker.get("status", "pending")
        if row.canary == "passthrough":
            row.message = f"canary error passed through: {marker.get('error', {}).get('message', '')}"
    elif canary_record and canary_record.get("verdict") == "blocked":
        row.canary = "blocked"
        row.take_verdict(canary_record)
    elif preflight_failure:
        row.canary = "blocked"
        row.take_verdict(preflight_failure)
        row.message = f"preflight failed: {row.message}"
    if sort_json:
        row.sort = "done"
        row.units = str(sort_json.get("units", ""))
        row.curated = str((sort_json.get("outputs") or {}).get("units_curated", ""))
        row.sort_s = _seconds(sort_json)
        row.sort_gpu = str(sort_json.get("gpu") or "")
        if sort_record and sort_record.get("status") == "failed":
            row.take_verdict(sort_record)
            if sort_record.get("stage") == "outputs":
                row.sort = "failed"
                row.message = f"sort kept; its post-sort outputs failed: {row.message}"
            # otherwise (e.g. a re-sort refused) the finished result stands: still "done"
    elif row.canary == "blocked":
        row.sort = "blocked"
    elif sort_record and sort_record.get("status") == "failed":
        row.sort = "failed"
        row.sort_s = _seconds(sort_record)
        row.take_verdict(sort_record)
    return row


def records_present(name: str, root: str = ".") -> list[str]:
    """Which of RECORDS exist for ``name`` now (the keys, in RECORDS' order)."""
    return [key for key, pattern in RECORDS.items() if os.path.exists(layout.path(pattern, root, recording=name))]


def run_parents(root: str = ".") -> dict[str, str]:
    """Each probe group's or segment's recording, as the run's manifest lists them."""
    parents: dict[str, str] = (read_json(layout.path(layout.RUN_MANIFEST, root)) or {}).get("parents", {})
    return parents


def write_row(name: str, root: str = ".") -> Row:
    """At a job's end: its recording's row, from its records, with the records it was built from."""
    built_from = records_present(name, root)
    row = recording_row(name, root)
    row.parent = run_parents(root).get(name, "")
    write_json_atomic(layout.path(layout.SUMMARY_ROW, root, recording=name), {"row": asdict(row), "from": built_from})
    return row


def kept_row(name: str, root: str, present: list[str]) -> Row | None:
    """The row a job kept for ``name``, if it was built from the records ``present`` now."""
    kept = read_json(layout.path(layout.SUMMARY_ROW, root, recording=name))
    if not isinstance(kept, dict) or kept.get("from") != present:
        return None
    try:
        return Row(**kept["row"])
    except (KeyError, TypeError):  # written by another version: build it again
        return None


class RunFiles:
    """Which per-recording files of a run folder exist, from one directory listing per folder that
    a pattern of sortcanary.layout names: no path is built, stat'ed or opened per recording to know."""

    def __init__(self, root: str = "."):
        self.root = str(root)
        self._folders: dict[str, dict[str, os.DirEntry[str]]] = {}
        self._names: dict[str, set[str]] = {}

    def _listing(self, folder: str) -> dict[str, os.DirEntry[str]]:
        """A folder's entries by name, listed once."""
        if folder not in self._folders:
            try:
                with os.scandir(os.path.join(self.root, folder)) as entries:
                    self._folders[folder] = {e.name: e for e in entries}
            except OSError:
                self._folders[folder] = {}
        return self._folders[folder]

    def names(self, pattern: str) -> set[str]:
        """The recordings for which ``pattern`` exists: a file, or a folder for a pattern that ends
        with the recording's name (layout.SORTED). The pattern's last part holds the name."""
        if pattern not in self._names:
            prefix, _, suffix = pattern.partition("{recording}")
            folder, _, start = prefix.rpartition("/")
            cut = len(suffix)
            self._names[pattern] = {
                name for entry, item in self._listing(folder).items()
                if entry.startswith(start) and entry.endswith(suffix) and (cut or item.is_dir())
                and (name := entry[len(start):len(entry) - cut]) and not name.startswith(".")}
        return self._names[pattern]

    def mtime(self, pattern: str, name: str) -> float | None:
        """When ``pattern``'s file for ``name`` was last written (None: it is not there)."""
        prefix, _, suffix = pattern.partition("{recording}")
        folder, _, start = prefix.rpartition("/")
        entry = self._listing(folder).get(start + name + suffix)
        try:
            return entry.stat().st_mtime_ns / 1e9 if entry else None
        except OSError:
            return None


def preflight_failure(root: str = ".") -> JSONDict | None:
    """The preflight verdict if the preflight failed (and has not passed since)."""
    if os.path.exists(layout.path(layout.PREFLIGHT, root)):
        return None
    record = read_json(layout.path(layout.PREFLIGHT_VERDICT, root))
    return record if record and record.get("status") == "failed" else None


def skipped_row(name: str, reason: str) -> Row:
    """A recording the config's ``recordings`` section skips: no canary, no sort, and why."""
    return Row(name, canary="skipped", sort="skipped", message=f"skipped: {reason}")


def build_rows(names: Iterable[str], root: str = ".", problems: Iterable[Problem] = (), skipped: dict[str, str] | None = None,
               files: RunFiles | None = None) -> list[Row]:
    """One row per recording of ``names`` and of ``skipped`` (name -> reason), then one per problem.
    A probe group's row names its recording (``parent``), as the run's manifest lists them.

    A recording's kept row is taken while it stands for the records on disk; otherwise the row is
    built from the records (none at all: a pending row, without opening anything).
    """
    files = files or RunFiles(root)
    present = {key: files.names(pattern) for key, pattern in RECORDS.items()}
    kept = files.names(layout.SUMMARY_ROW)
    failed_preflight = preflight_failure(root)
    skipped = skipped or {}
    parents = run_parents(root)
    rows = []
    for name in sorted(set(names) | set(skipped)):
        if name in skipped:
            rows.append(skipped_row(name, skipped[name]))
            continue
        found = [key for key in RECORDS if name in present[key]]
        row = kept_row(name, root, found) if name in kept else None
        if row is None or (failed_preflight and row.canary == "pending"):  # a kept row never holds the preflight's
            row = recording_row(name, root, failed_preflight) if found or failed_preflight else Row(name)
        row.parent = parents.get(name, "")
        rows.append(row)
    for problem in problems:
        from ..taxonomy import verdict_for

        row = Row(problem.name or problem.path, canary="blocked", sort="blocked")
        row.take_verdict(verdict_for(problem.error_class, message=problem.line()).as_dict())
        rows.append(row)
    return rows


def needs_attention(row: Row) -> bool:
    return row.canary == "blocked" or row.sort in ("blocked", "failed")


def attention_first(rows: list[Row]) -> list[Row]:
    """Blocked and failed recordings first (then by name, a probe group under its recording): what
    someone has to act on."""
    return sorted(rows, key=lambda r: (not needs_attention(r), r.parent or r.recording, r.recording))


def outcome(row: Row) -> str:
    """The one word a row is filtered by: blocked, failed, sorted, skipped or pending."""
    if row.canary == "blocked" or row.sort == "blocked":
        return "blocked"
    return {"failed": "failed", "done": "sorted", "skipped": "skipped"}.get(row.sort, "pending")


def record_job_end(name: str, root: str = ".", figures: bool = False) -> None:
    """What a canary or a full sort does last, however it ended: write its recording's row and, for
    a full sort, link its figures for the report (sortcanary.views.report_figures). Nothing of the
    rest of the run is read or written. A failure is only noted: the job's own result stands."""
    try:
        write_row(name, root)
        if figures:
            from .report_figures import link_report_figures

            link_report_figures(name, root)
    except Exception as exc:  # noqa: BLE001 -- see docstring
        print(f"sortcanary: recording {name}'s summary row failed: {type(exc).__name__}: {exc}", file=sys.stderr)
