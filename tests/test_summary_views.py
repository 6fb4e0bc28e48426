"""The run's views at any size: a job's end writes its own row and nothing of the rest of the run,
a kept row stands only for the records it was built from, and the summary page of 10,000
recordings opens and filters in a real browser (headless Chromium).

No workflow run here: the records are written at the paths sortcanary.layout names, as the jobs
write them; the shared Kilosort4 run (test_progress.py) checks the same from a real run: no
summary file before the run ends, rows mid-run, every view after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import chromium_dom, dom_json
from sortcanary import layout
from sortcanary.views.rows import Row, build_rows, outcome, record_job_end
from sortcanary.views.summary import write_summary
from sortcanary.views.summary_page import SHOWN, to_html


def finished(root: Path, name: str, units: int = 3, figures=("raster", "metrics")) -> None:
    """A recording whose canary passed and whose full sort is done, as the jobs leave it."""
    def write(pattern: str, data: dict) -> None:
        path = root / pattern.format(recording=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))

    write(layout.MARKER, {"recording": name, "status": "pass"})
    write(layout.CANARY_VERDICT, {"recording": name, "verdict": "pass", "seconds": 30.0})
    write(layout.SORT_JSON, {"recording": name, "units": units, "seconds": 600.0, "outputs": {"units_curated": 1}})
    write(layout.SORT_VERDICT, {"recording": name, "status": "done", "seconds": 600.0})
    folder = root / layout.SORTED.format(recording=name) / layout.IN_SORTED["figures"]
    folder.mkdir(exist_ok=True)
    for figure in figures:
        (folder / f"{figure}.png").write_bytes(f"{name} {figure}".encode())


def stamps(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root`` with its inode and mtime."""
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_a_job_end_writes_its_own_row_and_figures_and_nothing_of_the_run(tmp_path):
    """What the canary and sort adapters call last (workflow/scripts/*.py): after a run's views were
    drawn, a sort of "b" ending writes b's row and relinks b's figures; the summary files, the
    other rows and the other recordings' figure folders are not touched."""
    for name in ("a", "b", "c"):
        finished(tmp_path, name)
    for name in ("a", "b", "c"):
        record_job_end(name, str(tmp_path), figures=True)
    write_summary(["a", "b", "c"], str(tmp_path))
    finished(tmp_path, "b", units=7, figures=("raster", "templates"))  # b's sort ran again
    (tmp_path / layout.SORTED.format(recording="b") / layout.IN_SORTED["figures"] / "metrics.png").unlink()
    before = stamps(tmp_path)

    record_job_end("b", str(tmp_path), figures=True)

    after = stamps(tmp_path)
    changed = {p for p in before.keys() & after.keys() if before[p] != after[p]} | (before.keys() ^ after.keys())
    figures = layout.REPORT_FIGURES
    own = {layout.SUMMARY_ROW.format(recording="b"), os.path.dirname(layout.SUMMARY_ROW), figures, f"{figures}/b"}
    assert {p for p in changed if p not in own and not p.startswith(f"{figures}/b/")} == set()
    assert json.loads((tmp_path / layout.SUMMARY_ROW.format(recording="b")).read_text())["row"]["units"] == "7"
    linked = tmp_path / figures / "b"
    assert sorted(p.name for p in linked.iterdir()) == ["raster.png", "templates.png"]
    assert {layout.SUMMARY_ROW.format(recording="b"), f"{figures}/b/templates.png"} <= changed


def test_a_kept_row_stands_only_for_the_records_it_was_built_from(tmp_path):
    finished(tmp_path, "a")
    record_job_end("a", str(tmp_path))
    marker = tmp_path / layout.MARKER.format(recording="a")
    marker.write_text(json.dumps({"recording": "a", "status": "passthrough"}))  # same records there, new content
    assert build_rows(["a"], str(tmp_path))[0].canary == "pass", "the kept row is read, not the four records"
    # a canary run again and killed: Snakemake removed its marker, the job its stale verdict
    marker.unlink()
    (tmp_path / layout.CANARY_VERDICT.format(recording="a")).unlink()
    row = build_rows(["a"], str(tmp_path))[0]
    assert (row.canary, row.sort) == ("pending", "done"), "built again from what is on disk"
    # a failed preflight blocks the canaries that have no result, kept row or not
    (tmp_path / layout.PREFLIGHT_VERDICT).write_text(json.dumps({"status": "failed", "category": "environment",
                                                                 "error_class": "device_unavailable"}))
    assert build_rows(["a"], str(tmp_path))[0].canary == "blocked"


# Per 100 recordings: (canary, category, error_class, sort); the rest are sorted.
MIX = ([("blocked", "biological", "insufficient_activity", "blocked")] * 6 + [("blocked", "biological", "flat_signal",
       "blocked")] * 2 + [("blocked", "environment", "device_unavailable", "blocked")]
       + [("pass", "resource", "host_out_of_memory", "failed")] * 2 + [("pass", "", "", "pending")] * 3)
CHECK_FILTERS = """<script>
window.addEventListener("load", () => {
  const visible = () => Array.from(document.querySelectorAll("#rows tbody tr"))
    .filter(tr => getComputedStyle(tr).display !== "none");
  const seen = v => ({n: v.length, verdicts: [...new Set(v.map(tr => tr.dataset.v))],
                      kinds: [...new Set(v.map(tr => tr.dataset.c))], first: v.length ? v[0].cells[0].textContent : null,
                      shown: document.getElementById("shown").textContent});
  const out = {loaded: seen(visible())};
  const click = selector => document.querySelector(selector).click();
  click('.controls button[data-filter="blocked"]');
  out.blocked = seen(visible());
  click("#more");
  out.blocked_all = seen(visible());
  click('button[data-class="biological/flat_signal"]');
  out.flat = seen(visible());
  click('.controls button[data-filter="failed"]');
  out.failed = seen(visible());
  click('.controls button[data-filter="all"]');
  const search = document.getElementById("search");
  search.value = "REC09999";
  search.dispatchEvent(new Event("input"));
  out.search = seen(visible());
  const pre = document.createElement("pre");
  pre.id = "filter-check";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def test_the_summary_page_of_10000_recordings_filters_by_verdict_in_chromium(tmp_path):
    rows = []
    for i in range(10_000):
        canary, category, error_class, sort = MIX[i % 100] if i % 100 < len(MIX) else ("pass", "", "", "done")
        rows.append(Row(f"rec{i:05d}", canary=canary, category=category, error_class=error_class, sort=sort,
                        units="4" if sort == "done" else "", message="why" if category else "",
                        remediation="what to do" if category else ""))
    count = {v: sum(outcome(r) == v for r in rows) for v in ("blocked", "failed", "sorted", "pending")}
    assert count == {"blocked": 900, "failed": 200, "sorted": 8600, "pending": 300}
    page = tmp_path / layout.SUMMARY_HTML
    page.parent.mkdir(parents=True)
    page.write_text(to_html(rows, str(tmp_path)))

    seen = dom_json(chromium_dom(page, CHECK_FILTERS, tmp_path), "filter-check")

    assert seen["loaded"]["n"] == SHOWN and seen["loaded"]["shown"] == f"showing {SHOWN} of 10000"
    assert seen["loaded"]["first"] == "rec00000" and set(seen["loaded"]["verdicts"]) == {"blocked", "failed"}, \
        "what needs action comes first"
    assert seen["blocked"]["verdicts"] == ["blocked"] and seen["blocked"]["n"] == SHOWN
    assert seen["blocked"]["shown"] == f"showing {SHOWN} of 900 matching (10000 in all)"
    assert seen["blocked_all"]["n"] == 900 and seen["blocked_all"]["verdicts"] == ["blocked"]
    assert seen["flat"]["n"] == 200 and seen["flat"]["kinds"] == ["biological/flat_signal"]
    assert seen["failed"]["n"] == 200 and seen["failed"]["verdicts"] == ["failed"]
    assert seen["search"]["n"] == 1 and seen["search"]["first"] == "rec09999", "found past the rows shown first"
    assert os.path.getsize(page) < 3_000_000
