"""The run summary: one row per discovered recording, built from what is on disk.

It reads the markers, sort records and verdict logs, so it can be rebuilt after any run,
successful or not (the workflow calls it from onsuccess and onerror), and by `sortcanary status`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from . import layout
from .classification import verdict_for
from .outputs import read_json, write_text_atomic

COLUMNS = ("recording", "canary", "category", "error_class", "sort", "units", "canary_s", "sort_s", "message",
           "remediation")


@dataclass
class Row:
    recording: str
    canary: str = "pending"  # pass|passthrough|blocked|disabled|pending
    category: str = ""
    error_class: str = ""
    sort: str = "pending"  # done|blocked|failed|pending
    units: str = ""
    canary_s: str = ""
    sort_s: str = ""
    message: str = ""
    remediation: str = ""

    def values(self) -> list[str]:
        return [str(getattr(self, f.name)) for f in fields(self)]

    def take_verdict(self, record: dict) -> None:
        self.category = record.get("category", "")
        self.error_class = record.get("error_class", "")
        self.message = record.get("message", "")
        self.remediation = record.get("remediation", "")


def _seconds(record: dict | None) -> str:
    return f"{record['seconds']:.1f}" if record and isinstance(record.get("seconds"), (int, float)) else ""


def recording_row(name: str, root: str = ".", preflight_failure: dict | None = None) -> Row:
    row = Row(name)
    marker = read_json(layout.path(layout.MARKER, root, recording=name))
    canary_record = read_json(layout.path(layout.CANARY_VERDICT, root, recording=name))
    sort_json = read_json(layout.path(layout.SORT_JSON, root, recording=name))
    sort_record = read_json(layout.path(layout.SORT_VERDICT, root, recording=name))
    row.canary_s = _seconds(canary_record)
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
        row.sort_s = _seconds(sort_json)
        if sort_record and sort_record.get("status") == "failed":  # e.g. a re-sort refused: the result stands
            row.take_verdict(sort_record)
    elif row.canary == "blocked":
        row.sort = "blocked"
    elif sort_record and sort_record.get("status") == "failed":
        row.sort = "failed"
        row.sort_s = _seconds(sort_record)
        row.take_verdict(sort_record)
    return row


def preflight_failure(root: str = ".") -> dict | None:
    """The preflight verdict if the preflight failed (and has not passed since)."""
    if os.path.exists(layout.path(layout.PREFLIGHT, root)):
        return None
    record = read_json(layout.path(layout.PREFLIGHT_VERDICT, root))
    return record if record and record.get("status") == "failed" else None


def build_rows(names, root: str = ".", problems=()) -> list[Row]:
    failed_preflight = preflight_failure(root)
    rows = [recording_row(name, root, failed_preflight) for name in sorted(names)]
    for problem in problems:
        row = Row(problem.name or problem.path, canary="blocked", sort="blocked")
        row.take_verdict(verdict_for("input_invalid", message=problem.line()).as_dict())
        rows.append(row)
    return rows


def to_tsv(rows: list[Row]) -> str:
    clean = [[v.replace("\t", " ").replace("\n", " ") for v in row.values()] for row in rows]
    return "\n".join("\t".join(r) for r in [list(COLUMNS), *clean]) + "\n"


def to_table(rows: list[Row], columns=COLUMNS[:8]) -> str:
    """A plain-text table for the terminal (message/remediation follow each failed row)."""
    header = list(columns)
    cells = [[str(getattr(row, c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    for row, cell in zip(rows, cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(cell, widths)).rstrip())
        if row.message:
            lines.append(f"    -> {row.message}")
            if row.remediation:
                lines.append(f"    fix: {row.remediation}")
    return "\n".join(lines)


def write_summary(names, root: str = ".", problems=()) -> tuple[list[Row], str]:
    rows = build_rows(names, root, problems)
    write_text_atomic(layout.path(layout.SUMMARY_TSV, root), to_tsv(rows))
    return rows, to_table(rows)
