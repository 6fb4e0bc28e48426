"""The run's views: results/summary.tsv, summary.png, summary.html and the report's figure folder.

They are drawn from the recordings' rows (sortcanary.views.rows), never by a job: a job writes its
own row and links its own figures, and the whole-run files are written when the run ends (the
workflow's onsuccess and onerror) and by `sortcanary summary`; `sortcanary status` brings the TSV
and the page up to date (``render``). The TSV is
for scripts; the plot (sortcanary.views.summary_plot) and the page (sortcanary.views.summary_page)
are for people, and hold as well at 5 recordings as at 10,000: counts and distributions, what needs
action first, a filter and a search. results/report/figures/ holds every sorted recording's figures
for `snakemake --report` (sortcanary.views.report_figures).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .. import layout
from ..atomic import write_text_atomic
from .rows import COLUMNS, Row, attention_first, build_rows

if TYPE_CHECKING:
    from ..recordings.entry import Problem

TABLE_COLUMNS = COLUMNS[:9]  # the terminal table; message and remediation follow each failed row


def to_tsv(rows: list[Row]) -> str:
    clean = [[v.replace("\t", " ").replace("\n", " ") for v in row.values()] for row in rows]
    return "\n".join("\t".join(r) for r in [list(COLUMNS), *clean]) + "\n"


def to_table(rows: list[Row], columns: Sequence[str] = TABLE_COLUMNS, notes: dict[str, str] | None = None) -> str:
    """A plain-text table for the terminal (message/remediation follow each failed row, and the
    note of ``notes`` each row it names: a running job's progress)."""
    if any(row.parent for row in rows) and "parent" not in columns:  # probe groups: which recording each is
        columns = (*columns, "parent")
    header = list(columns)
    cells = [[str(getattr(row, c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    for row, cell in zip(rows, cells, strict=True):
        lines.append("  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True)).rstrip())
        if notes and row.recording in notes:
            lines.append(f"    .. {notes[row.recording]}")
        if row.message:
            lines.append(f"    -> {row.message}")
            if row.remediation:
                lines.append(f"    fix: {row.remediation}")
    return "\n".join(lines)


@contextmanager
def summary_lock(root: str = ".") -> Iterator[None]:
    """Whoever writes the run's views (the run's end, `sortcanary summary`, `sortcanary status`) takes
    turns: each file is written atomically, but two writers could leave a plot and a page of two
    different moments, or trip over each other's figure folders."""
    import fcntl

    path = layout.path(layout.SUMMARY_LOCK, root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def write_summary(names: Iterable[str], root: str = ".", problems: Iterable[Problem] = (),
                  skipped: dict[str, str] | None = None) -> tuple[list[Row], str]:
    """Every view of the run: the summary files and the report's figure folder made whole. Returns
    the rows and the terminal table (blocked and failed first)."""
    from .report_figures import collect_report_figures

    rows = build_rows(names, root, problems, skipped)
    with summary_lock(root):
        render(rows, root)
        try:
            collect_report_figures([row.recording for row in rows if row.sort in ("done", "failed")], root)
        except Exception as exc:  # noqa: BLE001 -- a figure folder must never cost the run its summary
            print(f"sortcanary: collecting the report's figures failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return rows, to_table(attention_first(rows))


def render(rows: list[Row], root: str = ".", for_status: bool = False) -> bool:
    """Write summary.tsv, then summary.png and summary.html, from ``rows``. The TSV comes first, and
    a failing plot is only noted: it must never cost the run its summary.

    ``for_status``: nothing is written when the TSV already says the same, and the plot stays as the
    run's end or `sortcanary summary` drew it (the page says when): importing matplotlib and drawing
    take two thirds of a second, more than half of a status call at 10,000 recordings
    (BENCHMARKS.md 9). Returns whether anything was written."""
    from .summary_page import to_html
    from .summary_plot import plot_summary

    tsv = to_tsv(rows)
    paths = [layout.path(p, root) for p in (layout.SUMMARY_TSV, layout.SUMMARY_PNG, layout.SUMMARY_HTML)]
    if for_status and os.path.isfile(paths[2]) and _text(paths[0]) == tsv:
        return False
    write_text_atomic(paths[0], tsv)
    plot_error, plot_drawn = None, None
    if for_status:
        plot_drawn = os.path.getmtime(paths[1]) if os.path.isfile(paths[1]) else 0.0
    else:
        try:
            plot_summary(rows, paths[1])
        except Exception as exc:  # noqa: BLE001 -- see docstring
            plot_error = f"{type(exc).__name__}: {exc}"
            print(f"sortcanary: summary plot failed: {plot_error}", file=sys.stderr)
    write_text_atomic(paths[2], to_html(rows, root, plot_error, plot_drawn))
    return True


def _text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None
