"""What a user sees while it runs: the progress line, `sortcanary status` mid-sort, the verdict of
a blocked canary. One real Kilosort4 workflow run (the ks4 test); the parser and the liveness
rules are also checked on their own, on a real Kilosort4 4.1.7 log and real processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import (
    DEAD_NAME,
    GT_NAME,
    MID_RUN,
    NYQUIST_NAME,
    SHANKS_NAME,
    evidence_paths,
    read_json,
    read_summary,
    sortcanary,
)
from sortcanary import layout
from sortcanary.runner.progress import LogProgress, ProgressReporter
from sortcanary.views.live import running_job

SHANK_GROUPS = (f"{SHANKS_NAME}__g0", f"{SHANKS_NAME}__g1")  # the shared run's two-shank probe, split by group

KS4_LOG = Path(__file__).parent / "data" / "ks4_sort_excerpt.log"  # a real full sort's job log, paths shortened
KS4_STAGES = ["loading", "sorting", "preprocessing", "drift correction", "spike detection", "first clustering",
              "template extraction", "final clustering", "merging clusters", "saving phy output", "saving the sorting",
              "post-sort analyzer", "post-sort curation", "post-sort exports", "post-sort figures"]


def stages_seen(sorter: str, text: str, chunk: int) -> list[tuple]:
    """Feed ``text`` in pieces of ``chunk`` characters; every distinct (stage, percent, total) seen."""
    progress, seen = LogProgress(sorter), []
    for start in range(0, len(text), chunk):
        progress.feed(text[start:start + chunk])
        state = (progress.stage, *((progress.bar and (progress.bar["percent"], progress.bar["total"])) or (None, None)))
        if not seen or seen[-1] != state:
            seen.append(state)
    return seen


def test_kilosort4_stages_and_bars_are_read_from_its_log_in_any_pieces():
    text = KS4_LOG.read_text(encoding="utf-8")
    by_line = stages_seen("kilosort4", text, 1)
    assert [s for s in dict.fromkeys(stage for stage, *_ in by_line) if s] == KS4_STAGES
    assert stages_seen("kilosort4", text, 7) == by_line, "a line or a bar cut between two reads counts once, whole"
    drift = [(pct, total) for stage, pct, total in by_line if stage == "drift correction" and pct is not None]
    assert drift[0][0] < 50 and drift[-1] == (100, 9), drift  # KS4's 9 batches of 2 s, bar by bar


def test_another_sorter_falls_back_on_the_job_stages_and_any_bar():
    progress = LogProgress("mountainsort5")
    progress.feed(KS4_LOG.read_text(encoding="utf-8"))
    assert progress.stage == "post-sort figures"  # sortcanary's own markers: Kilosort4's headers mean nothing here
    progress.feed("sortcanary INFO stage: sorting\nwhitening:  40%|████      | 4/10 [00:08<00:12,  2.00s/it]")
    assert progress.stage == "sorting" and progress.bar["percent"] == 40 and progress.bar["eta_s"] == 12
    assert progress.bar["step"] == "whitening"


def test_the_time_in_the_sorters_passes_over_the_data_is_kept_apart():
    """What a forecast scales (sortcanary.plan.resources): from Kilosort4's drift pass to the end of
    its clustering; its start-up before and the saving after are paid once."""
    now = [0.0]
    progress = LogProgress("kilosort4", clock=lambda: now[0])
    for line, pause in [("sortcanary INFO stage: sorting", 0.3), ("Computing drift correction.", 0.2),
                        ("First clustering", 0.3)]:
        progress.feed(line + "\n")
        now[0] += pause
    assert progress.data_pass_seconds() == 0.5, "drift correction and, so far, the clustering it is in"
    progress.feed("sortcanary INFO stage: saving the sorting\n")
    now[0] += 0.4
    assert progress.data_pass_seconds() == 0.5, "saving is paid once: not counted"
    other = LogProgress("mountainsort5")
    other.feed("sortcanary INFO stage: sorting\n")
    assert other.data_pass_seconds() is None, "unknown stages: the whole time is scaled"


def test_a_job_is_running_while_its_process_lives_and_its_verdict_is_older(tmp_path):
    reporter = ProgressReporter(recording="rec", job="sort", sorter="kilosort4", interval_s=60,
                                path=tmp_path / layout.SORT_PROGRESS.format(recording="rec"))
    reporter.follow(tmp_path / "missing.log", "sort")  # writes the progress file, as a job does
    state = running_job("rec", str(tmp_path))
    assert state and state["job"] == "sort" and state["stage"] == "starting" and state["pid"] == os.getpid()
    verdict = tmp_path / layout.SORT_VERDICT.format(recording="rec")
    verdict.write_text("{}")
    assert running_job("rec", str(tmp_path)) is None, "a verdict newer than the progress: the job is over"
    verdict.unlink()
    progress = json.loads(reporter.path.read_text())
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    reporter.path.write_text(json.dumps({**progress, "pid": int(ended.stdout)}))
    assert running_job("rec", str(tmp_path)) is None, "its process is gone (killed without a verdict)"
    reporter.path.write_text(json.dumps({**progress, "pid_started": progress["pid_started"] - 3600}))
    assert running_job("rec", str(tmp_path)) is None, "a recycled pid is another process"
    reporter.path.write_text(json.dumps({**progress, "host": "another-node", "updated": time.time()}))
    assert running_job("rec", str(tmp_path)), "on another host: alive while the file is refreshed"
    reporter.path.write_text(json.dumps({**progress, "host": "another-node", "updated": time.time() - 400}))
    assert running_job("rec", str(tmp_path)) is None


def test_a_full_sort_shows_its_forecast_finish_from_its_canary(tmp_path, monkeypatch):
    """start + the canary's rate x the length, in the progress line, its JSON and `sortcanary status`;
    a canary's own line, and a sort whose canary measured nothing, show none."""
    monkeypatch.chdir(tmp_path)  # a job runs in the workflow's directory
    record = tmp_path / layout.CANARY_VERDICT.format(recording="rec")
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"measured": {"window_s": 30, "sort_seconds": 45, "outputs_seconds": 15}}))

    def reporter(window):
        plan = type("Plan", (), {"recording": type("Entry", (), {"name": "rec"}), "job": "sort", "sorter": "kilosort4",
                                 "progress_interval_s": 60, "window": window, "duration_s": 600.0,
                                 "root": tmp_path})
        return ProgressReporter.for_plan(plan, path=tmp_path / layout.SORT_PROGRESS.format(recording="rec"))

    sort = reporter(None)
    assert sort.forecast_s == 1200.0  # 2 s per second sorted x 600 s
    sort.follow(tmp_path / "missing.log", "sort")
    finish = time.strftime("%H:%M", time.localtime(sort.started_wall + 1200))
    line = PROGRESS_LINE.search(sort.line())
    assert line and line["finish"] == finish, sort.line()
    assert re.search(r"forecast finish \S+ \(in (19m[45]\ds|20m00s)\)", sort.line())
    note = running_job("rec", str(tmp_path))
    assert note and note["forecast_s"] == 1200.0
    status = sortcanary("status", str(tmp_path / "results"), cwd=tmp_path)
    assert f"forecast finish {finish}" in status.stdout, status.stdout
    assert reporter(object()).forecast_s is None  # a canary's window: no forecast
    record.write_text(json.dumps({"status": "passthrough"}))
    assert reporter(None).forecast_s is None and "forecast" not in reporter(None).line()


PROGRESS_LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] sortcanary \| (?P<job>canary|sort) (?P<rec>\S+) \| (?P<what>.+?) \| "
                           r"elapsed (?P<elapsed>\S+)(?: \| step ETA (?P<eta>\S+))?"
                           r"(?: \| forecast finish (?P<finish>\S+) \((?:in \S+|overdue)\))?$", re.M)


@pytest.fixture(scope="module")
def live_ks4_run(ks4_run):
    """The shared Kilosort4 run (conftest.ks4_run: healthy_b sorted, silent blocked, a progress line
    every 2 s), with what was seen from outside while healthy_b's full sort ran: `sortcanary status`
    once, and `--watch 1` for two redraws."""
    seen = read_json(ks4_run.workdir.parent / MID_RUN)
    return ks4_run.workdir, ks4_run.result.returncode, ks4_run.result.stderr, seen


@pytest.mark.ks4
def test_the_console_shows_progress_lines_with_a_stage_and_percent_before_the_sort_ends(live_ks4_run):
    workdir, _, console, _ = live_ks4_run
    assert (workdir / "results" / "sorted" / "healthy_b" / "sort.json").is_file(), console[-3000:]
    # from Snakemake's start of healthy_b's sort job to its end (the run sorts two recordings at a
    # time: the other job's lines come in between)
    job = re.search(r"localrule sort:\n(?:    .*\n)*?    jobid: (\d+)\n"
                    r"(?:    .*\n)*?    wildcards: recording=healthy_b\n", console)
    assert job, console[-3000:]
    sort_ended = console.index(f"Finished jobid: {job[1]} (Rule: sort)", job.end())
    lines = [m for m in PROGRESS_LINE.finditer(console, job.end(), sort_ended)
             if (m["job"], m["rec"]) == ("sort", "healthy_b")]
    assert lines, console[job.end():sort_ended][-3000:]
    with_percent = [m for m in lines if re.search(r"\b\d{1,3}% \(\d+/\d+\)", m["what"])]
    assert with_percent, [m.group(0) for m in lines]
    ks4_stages = {m["what"].split(" ")[0] for m in with_percent}
    assert ks4_stages & {"drift", "spike", "template"}, ks4_stages
    assert any(m["eta"] for m in with_percent), "tqdm's remaining time is the step's ETA"
    # canaries print theirs too, and the sorter's own output stays in the job's log
    assert any(m["job"] == "canary" for m in PROGRESS_LINE.finditer(console))
    assert "Extracting spikes using templates" not in console
    assert "Extracting spikes using templates" in (workdir / "logs" / "sort" / "healthy_b.log").read_text()


@pytest.mark.ks4
def test_status_mid_sort_shows_the_recording_running_with_stage_and_elapsed(live_ks4_run):
    workdir, _, _, seen = live_ks4_run
    assert "status" in seen, "the full sort never reported a percent while it ran"
    status = seen["status"]
    row = next(line for line in status.splitlines() if line.startswith("healthy_b"))
    assert row.split()[:3] == ["healthy_b", "pass", "running"], status
    note = status.splitlines()[status.splitlines().index(row) + 1]
    assert note.startswith("    .. running sort: ") and "elapsed " in note and "%" in note, status
    assert seen["progress"]["stage"] in note
    # each finished job kept its recording's row, and status shows it, before the run ends ...
    rows = seen["rows_mid_run"]
    assert (rows["silent"]["canary"], rows["silent"]["error_class"]) == ("blocked", "insufficient_activity"), rows
    assert rows["healthy_b"]["canary"] == "pass" and rows["healthy_b"]["sort"] == "pending", rows
    silent = next(line for line in status.splitlines() if line.startswith("silent"))
    assert silent.split()[:5] == ["silent", "blocked", "biological", "insufficient_activity", "blocked"], status
    # ... and no job wrote the run's views: they are drawn when the run ends; status writes the table
    # and the page (the plot is the run end's)
    assert seen["summary_files_mid_run"] == [], seen["summary_files_mid_run"]
    assert "silent\tblocked" in seen["summary_after_status"] and "healthy_b\tpass" in seen["summary_after_status"]
    assert seen["summary_files_after_status"] == ["summary.html", "summary.tsv"]
    # --watch redraws in place: clear screen, header, table, twice or more in 2.6 s
    watch = seen["watch"]
    assert watch.count("\033[H\033[2J") >= 2 and watch.count("Every 1s: sortcanary status") >= 2, watch
    assert "running sort: " in watch
    (workdir / "status_excerpt.txt").write_text(status + "\n---- --watch 1 ----\n" + watch)


@pytest.mark.ks4
def test_the_silent_canary_reads_as_its_verdict_with_every_evidence_file_kept(live_ks4_run):
    workdir, code, console, _ = live_ks4_run
    assert code != 0, "a blocked canary is a failed job"
    verdict = read_json(workdir / "logs" / "canary" / "silent.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("biological", "insufficient_activity")
    block = console[console.index("sortcanary: canary BLOCKED silent: biological / insufficient_activity"):]
    assert block.index(f"fix: {verdict['remediation']}") < block.index("Error in rule canary")
    named = evidence_paths(verdict)
    assert {"logs/canary/silent/kilosort4.log", "logs/canary/silent/spikeinterface_log.json"} <= named, named
    missing = [p for p in named if not (workdir / p).exists() and not Path(p).exists()]
    assert not missing, missing
    assert "scratch/" not in json.dumps(verdict), "no evidence may point into the removed scratch window"


@pytest.mark.ks4
def test_when_the_run_ends_its_views_hold_every_recording_from_the_rows(live_ks4_run):
    """The run's end drew the views from the rows its jobs kept: every recording of the manifest,
    the blocked one first on the page, and the sorted ones' figures linked for the report."""
    workdir, _, _, _ = live_ks4_run
    names = sorted(read_json(workdir / layout.RUN_MANIFEST)["recordings"])
    blocked = ["silent", DEAD_NAME, NYQUIST_NAME]  # by their canaries
    assert names == sorted([GT_NAME, "healthy_b", *SHANK_GROUPS, *blocked])
    summary = read_summary(workdir)
    assert sorted(summary) == names
    for name in names:
        kept = read_json(workdir / layout.SUMMARY_ROW.format(recording=name))["row"]
        assert summary[name] == {k: v.replace("\t", " ").replace("\n", " ") for k, v in kept.items()}, name
    page = (workdir / layout.SUMMARY_HTML).read_text()
    order = re.findall(r'<tr data-v="(\w+)" data-c="[^"]*"[^>]*><td>([^<]+)</td>', page)
    assert order[:3] == [("blocked", name) for name in sorted(blocked)] and sorted(n for _, n in order) == names, order
    figures = workdir / layout.REPORT_FIGURES
    assert sorted(p.name for p in figures.iterdir()) == sorted([GT_NAME, "healthy_b", *SHANK_GROUPS])
    for name in (GT_NAME, "healthy_b"):
        own = workdir / layout.SORTED.format(recording=name) / layout.IN_SORTED["figures"]
        assert {p.name: p.stat().st_ino for p in (figures / name).iterdir()} == {
            p.name: p.stat().st_ino for p in own.glob("*.png")}, name
