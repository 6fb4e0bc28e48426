"""The run summary: one row per discovered recording, built from what is on disk.

It reads the markers, sort records and verdict logs, so it can be rebuilt after any run,
successful or not (the workflow calls it from onsuccess and onerror), and by `sortcanary status`.
It is written three ways: results/summary.tsv (for scripts), results/summary.png (units per
recording, canary time against sort time) and results/summary.html (for people: blocked and
failed recordings first, with class and remediation, and a link to each recording's report).
With them, results/report/figures/ gathers every sorted recording's figures for `snakemake --report`.
"""

from __future__ import annotations

import html
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields

from .. import layout
from ..atomic import read_json, write_text_atomic
from ..taxonomy import verdict_for

COLUMNS = ("recording", "canary", "category", "error_class", "sort", "units", "curated", "canary_s", "sort_s",
           "canary_gpu", "sort_gpu", "message", "remediation")
TABLE_COLUMNS = COLUMNS[:9]  # the terminal table; message and remediation follow each failed row


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


def preflight_failure(root: str = ".") -> dict | None:
    """The preflight verdict if the preflight failed (and has not passed since)."""
    if os.path.exists(layout.path(layout.PREFLIGHT, root)):
        return None
    record = read_json(layout.path(layout.PREFLIGHT_VERDICT, root))
    return record if record and record.get("status") == "failed" else None


def skipped_row(name: str, reason: str) -> Row:
    """A recording the config's ``recordings`` section skips: no canary, no sort, and why."""
    return Row(name, canary="skipped", sort="skipped", message=f"skipped: {reason}")


def build_rows(names, root: str = ".", problems=(), skipped: dict[str, str] | None = None) -> list[Row]:
    """One row per recording of ``names`` and of ``skipped`` (name -> reason), then one per problem."""
    failed_preflight = preflight_failure(root)
    skipped = skipped or {}
    rows = [skipped_row(name, skipped[name]) if name in skipped else recording_row(name, root, failed_preflight)
            for name in sorted(set(names) | set(skipped))]
    for problem in problems:
        row = Row(problem.name or problem.path, canary="blocked", sort="blocked")
        row.take_verdict(verdict_for(problem.error_class, message=problem.line()).as_dict())
        rows.append(row)
    return rows


def to_tsv(rows: list[Row]) -> str:
    clean = [[v.replace("\t", " ").replace("\n", " ") for v in row.values()] for row in rows]
    return "\n".join("\t".join(r) for r in [list(COLUMNS), *clean]) + "\n"


def needs_attention(row: Row) -> bool:
    return row.canary == "blocked" or row.sort in ("blocked", "failed")


def attention_first(rows: list[Row]) -> list[Row]:
    """Blocked and failed recordings first (then by name): what someone has to act on."""
    return sorted(rows, key=lambda r: (not needs_attention(r), r.recording))


def to_table(rows: list[Row], columns=TABLE_COLUMNS, notes: dict[str, str] | None = None) -> str:
    """A plain-text table for the terminal (message/remediation follow each failed row, and the
    note of ``notes`` each row it names: a running job's progress)."""
    header = list(columns)
    cells = [[str(getattr(row, c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    for row, cell in zip(rows, cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(cell, widths)).rstrip())
        if notes and row.recording in notes:
            lines.append(f"    .. {notes[row.recording]}")
        if row.message:
            lines.append(f"    -> {row.message}")
            if row.remediation:
                lines.append(f"    fix: {row.remediation}")
    return "\n".join(lines)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def plot_summary(rows: list[Row], path: str) -> None:
    """Units per recording (raw and curated), and canary time against sort time."""
    import numpy as np

    from ..products.figures import new_figure, save_png

    names = [r.recording for r in rows]
    y = np.arange(len(rows))
    fig = new_figure(10.0, max(2.5, 0.35 * len(rows) + 1.3))
    units_ax, time_ax = fig.subplots(1, 2, sharey=True)
    units_ax.barh(y - 0.2, [_number(r.units) for r in rows], height=0.4, color="#9bb7d4", label="raw")
    units_ax.barh(y + 0.2, [_number(r.curated) for r in rows], height=0.4, color="#1f5fa8", label="curated")
    units_ax.set_xlabel("units")
    time_ax.barh(y - 0.2, [_number(r.canary_s) for r in rows], height=0.4, color="#e0a458", label="canary")
    time_ax.barh(y + 0.2, [_number(r.sort_s) for r in rows], height=0.4, color="#5b8c5a", label="full sort + outputs")
    time_ax.set_xlabel("seconds")
    for ax in (units_ax, time_ax):
        ax.legend(fontsize=7, loc="lower right")
    units_ax.set_yticks(y, [f"{n} ({r.sort})" if r.sort != "done" else n for n, r in zip(names, rows)], fontsize=8)
    units_ax.invert_yaxis()
    save_png(fig, path)


HTML_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;
vertical-align:top}th{background:#f4f4f4}tr.attention td{background:#fdecea}img{max-width:100%}
"""


def to_html(rows: list[Row], root: str = ".", plot_error: str | None = None) -> str:
    """The summary page, beside summary.tsv: links and the plot are relative to results/."""
    results = os.path.dirname(layout.path(layout.SUMMARY_HTML, root))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*COLUMNS, "report"])
    body = []
    for row in attention_first(rows):
        page = layout.path(layout.SORTED, root, recording=row.recording) + "/" + layout.IN_SORTED["report"]
        link = (f'<a href="{html.escape(os.path.relpath(page, results))}">report</a>'
                if os.path.isfile(page) else "")
        cells = "".join(f"<td>{html.escape(v)}</td>" for v in row.values())
        body.append(f'<tr class="{"attention" if needs_attention(row) else ""}">{cells}<td>{link}</td></tr>')
    plot = os.path.basename(layout.SUMMARY_PNG)
    figure = (f"<p>The summary plot could not be drawn: {html.escape(plot_error)}</p>" if plot_error
              else f'<p><img src="{plot}" alt="units per recording; canary and sort times"></p>')
    attention = sum(needs_attention(r) for r in rows)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>sortcanary summary</title>'
        f"<style>{HTML_CSS}</style></head><body><h1>sortcanary summary</h1>"
        f"<p>{len(rows)} recordings; {attention} blocked or failed (listed first).</p>"
        f"<table><tr>{head}</tr>{''.join(body)}</table>{figure}</body></html>\n"
    )


@contextmanager
def summary_lock(root: str = "."):
    """Jobs that finish together refresh the summary in turn: each file is written atomically, but
    the report's figure folder is swapped whole, and two swaps at once would trip over each other."""
    import fcntl

    path = layout.path(layout.SUMMARY_LOCK, root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def write_summary(names, root: str = ".", problems=(), skipped: dict[str, str] | None = None) -> tuple[list[Row], str]:
    """Write summary.tsv, then summary.png, summary.html and the report's figure folder. The TSV
    comes first and a failing plot or figure copy is only noted: it must never cost the run its summary."""
    with summary_lock(root):
        return _write_summary(names, root, problems, skipped)


def _write_summary(names, root: str, problems, skipped) -> tuple[list[Row], str]:
    from .report_figures import collect_report_figures

    rows = build_rows(names, root, problems, skipped)
    write_text_atomic(layout.path(layout.SUMMARY_TSV, root), to_tsv(rows))
    plot_error = None
    try:
        plot_summary(rows, layout.path(layout.SUMMARY_PNG, root))
    except Exception as exc:  # noqa: BLE001 -- see docstring
        plot_error = f"{type(exc).__name__}: {exc}"
        print(f"sortcanary: summary plot failed: {plot_error}", file=sys.stderr)
    try:
        collect_report_figures([row.recording for row in rows if row.sort in ("done", "failed")], root)
    except Exception as exc:  # noqa: BLE001 -- see docstring
        print(f"sortcanary: collecting the report's figures failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    write_text_atomic(layout.path(layout.SUMMARY_HTML, root), to_html(rows, root, plot_error))
    return rows, to_table(attention_first(rows))
