"""results/summary.html: the run's page, one file that opens in any browser, without a server.

It is read by a person deciding what to do, at 5 recordings or at 10,000, so it starts with what
needs action: each kind of block or failure once, with how many recordings it hit, a few of their
names and the remediation. Then the counts, the plot, and the recordings' rows, blocked and failed
first. A small inline script (no network, nothing loaded from elsewhere) filters the rows by
verdict or by a kind of failure and searches them by name.

The page holds every row as data and shows at most ``SHOWN`` of those that match (the first of
them written into the page, so that it reads without scripts too), with a button for the rest: a
browser lays out a 10,000-row table for seconds, and again at every change of filter, while a page
of a few hundred rows opens and filters at once whatever the size of the run.
"""

from __future__ import annotations

import html
import json
import os
import time
from collections import defaultdict

from .. import layout
from .rows import COLUMNS, Row, attention_first, needs_attention, outcome

VERDICTS = ("sorted", "blocked", "failed", "pending", "skipped")  # outcome()'s words, in the filter's order
EXAMPLES = 5  # names shown per kind of failure
SHOWN = 500  # rows shown at once

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;
vertical-align:top}th{background:#f4f4f4}#rows thead th{position:sticky;top:0}tr.attention td{background:#fdecea}
img{max-width:100%}.controls{margin:1em 0;display:flex;flex-wrap:wrap;gap:.4em;align-items:center}
button{font:inherit;font-size:.85em;padding:.2em .6em;border:1px solid #bbb;border-radius:3px;background:#fff;
cursor:pointer}button[aria-pressed=true]{background:#1f5fa8;color:#fff;border-color:#1f5fa8}
input[type=search]{font:inherit;padding:.2em .4em;min-width:16em}#shown{color:#555;font-size:.85em}
"""

# The rows as data (#rows-data: [cells..., verdict, kind, report link]); a button's data-filter is a
# verdict, "action" or "all", its data-class a kind of failure. row() writes what row_html() does.
SCRIPT = """
(() => {
  const rows = JSON.parse(document.getElementById("rows-data").textContent);
  const width = rows.length ? rows[0].length - 3 : 0;
  const names = rows.map(r => r[0].toLowerCase());
  const body = document.querySelector("#rows tbody"), search = document.getElementById("search");
  const shown = document.getElementById("shown"), more = document.getElementById("more");
  const buttons = Array.from(document.querySelectorAll("button[data-filter]"));
  const esc = s => s.replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
  const row = r => '<tr data-v="' + r[width] + '" data-c="' + esc(r[width + 1]) + '"'
    + (r[width] === "blocked" || r[width] === "failed" ? " class=attention>" : ">")
    + r.slice(0, width).map(v => "<td>" + esc(v) + "</td>").join("")
    + "<td>" + (r[width + 2] ? '<a href="' + esc(r[width + 2]) + '">report</a>' : "") + "</td></tr>";
  let verdict = "all", kind = "", limit = %(shown)d;
  function apply() {
    const q = search.value.trim().toLowerCase(), hits = [];
    rows.forEach((r, i) => {
      const v = r[width];
      if ((verdict === "all" || v === verdict || (verdict === "action" && (v === "blocked" || v === "failed")))
          && (!kind || r[width + 1] === kind) && (!q || names[i].includes(q))) hits.push(r);
    });
    body.innerHTML = hits.slice(0, limit).map(row).join("");
    shown.textContent = "showing " + Math.min(limit, hits.length) + " of " + hits.length
      + (hits.length < rows.length ? " matching (" + rows.length + " in all)" : "");
    more.hidden = hits.length <= limit;
    more.textContent = "show all " + hits.length;
    for (const b of buttons) {
      b.setAttribute("aria-pressed", String(b.dataset.filter === verdict && (b.dataset.class || "") === kind));
    }
  }
  for (const b of buttons) {
    b.addEventListener("click", () => {
      verdict = b.dataset.filter; kind = b.dataset.class || ""; limit = %(shown)d; apply();
    });
  }
  search.addEventListener("input", () => { limit = %(shown)d; apply(); });
  more.addEventListener("click", () => { limit = Infinity; apply(); });
  const start = decodeURIComponent(location.hash.slice(1));
  if (start) { verdict = start; apply(); }
})();
""" % {"shown": SHOWN}


def kind_of(row: Row) -> str:
    """A failure's kind, as the filter names it: ``category/error_class``."""
    return f"{row.category}/{row.error_class}" if needs_attention(row) else ""


def _button(label: str, count: int, verdict: str, kind: str = "") -> str:
    data = f' data-class="{html.escape(kind)}"' if kind else ""
    pressed = "true" if verdict == "all" else "false"
    return (f'<button type="button" data-filter="{verdict}"{data} aria-pressed="{pressed}">'
            f"{html.escape(label)} ({count})</button>")


def action_section(rows: list[Row]) -> str:
    """Each kind of block or failure once: how many, which recordings, what to do."""
    kinds: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if needs_attention(row):
            kinds[(outcome(row), kind_of(row))].append(row)
    if not kinds:
        return "<p>Nothing needs action.</p>"
    items = []
    for (verdict, kind), hit in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        names = ", ".join(html.escape(r.recording) for r in hit[:EXAMPLES]) + (", ..." if len(hit) > EXAMPLES else "")
        fix = hit[0].remediation or hit[0].message
        items.append(f"<tr><td>{_button(verdict, len(hit), verdict, kind)}</td><td>{html.escape(kind)}</td>"
                     f"<td>{names}</td><td>{html.escape(fix)}</td></tr>")
    return ("<h2>Needs action</h2><table><tr><th>verdict</th><th>class</th><th>recordings</th><th>what to do</th>"
            f"</tr>{''.join(items)}</table>")


def row_html(cells: list[str], verdict: str, kind: str, link: str) -> str:
    """One row of the table (the script's ``row`` writes the same)."""
    tds = "".join(f"<td>{html.escape(v)}</td>" for v in cells)
    report = f'<a href="{html.escape(link)}">report</a>' if link else ""
    attention = " class=attention" if verdict in ("blocked", "failed") else ""
    return f'<tr data-v="{verdict}" data-c="{html.escape(kind)}"{attention}>{tds}<td>{report}</td></tr>'


def report_link(row: Row, root: str, results: str) -> str:
    """The recording's report page, relative to results/, if it has one."""
    if row.sort not in ("done", "failed"):
        return ""
    page = layout.path(layout.SORTED, root, recording=row.recording) + "/" + layout.IN_SORTED["report"]
    return os.path.relpath(page, results) if os.path.isfile(page) else ""


def plot_section(plot_error: str | None, plot_drawn: float | None) -> str:
    """The plot; ``plot_drawn``: when the plot on disk was drawn, if not with this page (0: never)."""
    if plot_error:
        return f"<p>The summary plot could not be drawn: {html.escape(plot_error)}</p>"
    if plot_drawn == 0.0:
        return "<p>The plot is drawn when the run ends, and by <code>sortcanary summary</code>.</p>"
    image = (f'<p><img src="{os.path.basename(layout.SUMMARY_PNG)}" '
             'alt="recordings by verdict; units per recording; canary and sort times"></p>')
    if plot_drawn is None:
        return image
    drawn = time.strftime("%Y-%m-%d %H:%M", time.localtime(plot_drawn))
    return (f"{image}<p><small>The plot is from {drawn}; this page from <code>sortcanary status</code>. "
            "The run's end and <code>sortcanary summary</code> redraw it.</small></p>")


def to_html(rows: list[Row], root: str = ".", plot_error: str | None = None, plot_drawn: float | None = None) -> str:
    """The summary page, beside summary.tsv: links and the plot are relative to results/ (see
    plot_section for ``plot_drawn``)."""
    results = os.path.dirname(layout.path(layout.SUMMARY_HTML, root))
    data = [[*row.values(), outcome(row), kind_of(row), report_link(row, root, results)]
            for row in attention_first(rows)]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*COLUMNS, "report"])
    body = "".join(row_html(r[:-3], *r[-3:]) for r in data[:SHOWN])
    counts = {v: sum(outcome(r) == v for r in rows) for v in VERDICTS}
    attention = counts["blocked"] + counts["failed"]
    buttons = [_button("all", len(rows), "all"), _button("needs action", attention, "action")]
    buttons += [_button(v, n, v) for v, n in counts.items() if n]
    rest = (f'<button type="button" id="more">show all {len(rows)}</button>'
            f"<noscript>The first {SHOWN} rows; results/summary.tsv holds all {len(rows)}.</noscript>"
            if len(rows) > SHOWN else '<button type="button" id="more" hidden></button>')
    said = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    as_data = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")  # no "</script>" inside
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>sortcanary summary</title>'
        f"<style>{CSS}</style></head><body><h1>sortcanary summary</h1>"
        f"<p>{len(rows)} recordings: {said or 'none'}; {attention} blocked or failed (listed first).</p>"
        f"{action_section(rows)}{plot_section(plot_error, plot_drawn)}<h2>Recordings</h2>"
        f'<div class="controls">{"".join(buttons)}<input type="search" id="search" placeholder="search by name" '
        f'aria-label="search by name"><span id="shown">showing {min(len(rows), SHOWN)} of {len(rows)}</span>'
        f'{rest}</div><table id="rows"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<script type="application/json" id="rows-data">{as_data}</script><script>{SCRIPT}</script></body></html>\n'
    )
