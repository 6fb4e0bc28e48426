"""The full-sort job: sort the whole recording, build its products, publish it atomically.

A finished sort with the same identity (sorter, parameters, recording files) is reused, never
redone: upstream re-runs (a re-checked canary) cost seconds, not hours. If its post-sort outputs
failed or were made with another ``outputs`` config, only they are rebuilt. A finished sort with
another identity is kept and this job fails with a verdict, unless ``resort_on_change``. A
post-sort failure never discards a finished sort: the sort is published with the failure in
sort.json, the job fails, and the next run rebuilds only the outputs. Snakemake retries the job
(the sort rule's ``retries``); only a verdict whose policy is ``retry_with_less`` (the resource
classes, and a lab rule's resource class) is worth a retry, so a retry after any other verdict
exits at once with it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from ..atomic import (
    link_tree,
    publish_dir,
    read_json,
    recover_interrupted,
    remove_quietly,
    staging_dir_for,
    wipe_dir,
    write_json_atomic,
)
from ..boundary import JSONDict
from ..layout import IN_SORTED
from ..plan.overrides import scoped_to_recording
from ..plan.sorters import resolve_backend
from ..plan.sortplan import SortPlan, plan_full_sort
from ..recordings import RecordingEntry
from ..runner.failure import tail
from ..runner.progress import ProgressReporter
from ..taxonomy import RETRY_WITH_LESS, Verdict, verdict_for
from .execute import OutputsFailure, build_outputs, report_context, sort_plan, verdict_of
from .records import (
    EXIT_FAILED,
    EXIT_OK,
    clear_verdict,
    halt_if_environment_wide,
    halted_verdict,
    tell_console,
    versions,
    write_verdict,
)

log = logging.getLogger("sortcanary")


def recording_fingerprint(entry: RecordingEntry) -> list[list[str | int]]:
    """Names, sizes and modification times of the recording's files: changes mean new data."""
    prints: list[list[str | int]] = []
    for name in entry.input_files:
        st = Path(name).stat()
        prints.append([Path(name).name, st.st_size, st.st_mtime_ns])
    return prints


def _previous_unretriable_verdict(attempts_path: Path | None, attempt: int) -> JSONDict | None:
    """The previous attempt's verdict when its policy is not to retry with less (retrying can't help)."""
    if attempts_path is None:
        return None
    if attempt <= 1:
        attempts_path.unlink(missing_ok=True)
        return None
    history = read_json(attempts_path, [])
    previous: JSONDict | None = history[-1] if history else None
    if previous and previous.get("policy") != RETRY_WITH_LESS:
        return previous
    return None


# Keys an older config recorded that never changed what the post-sort step builds: a sort recorded
# with them is still current (0.1's outputs.exporters.phy only listed the sorter's own folder).
BUILT_NOTHING = {"exporters": ("phy",)}


def outputs_current(record: JSONDict, plan: SortPlan) -> bool:
    """Did this sort record's post-sort step succeed with the outputs the plan asks for now?"""
    outputs = record.get("outputs") or {}
    recorded = dict(outputs.get("config") or {})
    for section, keys in BUILT_NOTHING.items():
        if isinstance(recorded.get(section), dict):
            recorded[section] = {k: v for k, v in recorded[section].items() if k not in keys}
    return bool(outputs.get("ok")) and recorded == plan.outputs


class _Job:
    """One full-sort job's paths and bookkeeping (the adapter passes Snakemake's paths)."""

    def __init__(self, entry: RecordingEntry, cfg: JSONDict, *, dest: Path, done_path: Path, scratch: Path,
                 log_path: Path, verdict_path: Path, attempt: int, attempts_path: Path | None, halt_path: Path | None,
                 progress_path: Path | None = None) -> None:
        self.entry, self.cfg, self.dest, self.done_path, self.scratch = entry, cfg, dest, done_path, scratch
        self.log_path, self.verdict_path, self.attempt = log_path, verdict_path, attempt
        self.attempts_path, self.halt_path, self.progress_path = attempts_path, halt_path, progress_path
        self.started = time.monotonic()

    def progress(self, plan: SortPlan) -> ProgressReporter:
        return ProgressReporter.for_plan(plan, path=self.progress_path)

    def record(self, marker: JSONDict, identity: JSONDict, outcome: JSONDict) -> JSONDict:
        entry = self.entry
        return {"recording": entry.name, "source": entry.source, "path": entry.path, "canary": marker.get("status"),
                "num_channels": entry.num_channels, "sampling_frequency": entry.sampling_frequency,
                "identity": identity, "attempt": self.attempt, "versions": versions(), **outcome,
                "seconds": round(time.monotonic() - self.started, 3)}

    def publish(self, staging: Path, record: JSONDict, *, replace: bool, complete: bool = True) -> None:
        """Write sort.json into the assembled folder and move it into place; then, for a complete
        result, the record Snakemake waits for and the 'done' verdict."""
        write_json_atomic(staging / "sort.json", record)
        publish_dir(staging, self.dest, replace=replace)
        if complete:
            write_json_atomic(self.done_path, record)
            write_verdict(self.verdict_path, {"recording": record["recording"], "status": "done", "units": record["units"],
                                              "seconds": record["seconds"], "attempt": record["attempt"]})

    def failed(self, verdict: Verdict, **extra: Any) -> int:
        record = {"recording": self.entry.name, "status": "failed", **verdict.as_dict(), "attempt": self.attempt,
                  "seconds": round(time.monotonic() - self.started, 3), **extra}
        record["evidence"].setdefault("log_tail", tail(self.log_path, 2000))
        record["evidence"].setdefault("log", str(self.log_path))
        write_verdict(self.verdict_path, record)
        if self.attempts_path is not None:
            write_json_atomic(self.attempts_path, [*read_json(self.attempts_path, []), record])
        log.error("full sort FAILED %s: %s/%s: %s -- %s", self.entry.name, verdict.category, verdict.error_class,
                  verdict.message, verdict.remediation)
        tell_console("full sort FAILED", record, self.verdict_path)
        return EXIT_FAILED


def run_full_sort(entry: RecordingEntry, cfg: JSONDict, *, marker_path: Path, dest: Path, done_path: Path, scratch: Path,
                  log_path: Path, verdict_path: Path, attempt: int = 1, halt_path: Path | None = None,
                  attempts_path: Path | None = None, progress_path: Path | None = None,
                  mem_mb: int | None = None, root: str | Path = ".") -> int:
    """Sort the whole recording (see the module doc); return the job's exit code. ``progress_path``
    keeps the job's latest progress (sortcanary.runner.progress); ``mem_mb`` is this attempt's
    scheduler memory request, a bound of the memory watchdog; ``root`` the working directory the
    plan's records, locks and kept files are under (SortPlan.root)."""
    clear_verdict(verdict_path)
    job = _Job(entry, cfg, dest=dest, done_path=done_path, scratch=scratch, log_path=log_path, verdict_path=verdict_path,
               attempt=attempt, attempts_path=attempts_path, halt_path=halt_path, progress_path=progress_path)
    previous = _previous_unretriable_verdict(attempts_path, attempt)
    if previous:
        log.error("attempt %d: attempt %s failed with a %s verdict (%s); retrying cannot help", attempt,
                  previous.get("attempt"), previous.get("category"), previous.get("error_class"))
        write_verdict(verdict_path, {**previous, "retries_skipped": attempt})
        tell_console(f"full sort FAILED (attempt {previous.get('attempt')}; not retried)", previous, verdict_path)
        return EXIT_FAILED
    halted = halted_verdict(halt_path)
    if halted is not None:
        return job.failed(halted)
    try:
        plan = plan_full_sort(cfg, entry, attempt, mem_mb=mem_mb, root=str(root))
    except Exception as exc:  # noqa: BLE001 -- an unknown sorter or unusable device: a verdict, the job fails
        verdict = verdict_of(exc, "planning the full sort")
        halt_if_environment_wide(halt_path, entry.name, verdict)
        return job.failed(verdict)
    try:
        identity = {**plan.identity, "recording": recording_fingerprint(plan.recording)}  # with an override's probe
    except OSError as exc:  # moved, deleted or made unreadable since discovery (the canary's input check)
        return job.failed(verdict_for("input_invalid", message=f"{exc.filename}: {exc.strerror}; the recording "
                                      "changed since it was discovered. Put the file back, or run again so that "
                                      "discovery sees the folder as it is now."))
    for done in recover_interrupted(dest):  # before the finished sort is looked at: one may be set aside
        log.info("%s", done)
    existing = read_json(dest / "sort.json")
    marker = read_json(marker_path, {})
    if existing is not None and existing.get("identity") == identity:
        if outputs_current(existing, plan):
            write_json_atomic(done_path, existing)
            log.info("%s: a finished sort with the same settings and data exists; reused it", entry.name)
            return EXIT_OK
        return _rebuild_outputs(job, plan, existing, marker)
    replacing = dest.exists() and any(dest.iterdir())
    if replacing and not (plan.resort_on_change and existing is not None):
        what = "other settings or data" if existing is not None else "files but no sort.json"
        return job.failed(verdict_for("existing_result_differs",
                                      message=f"{dest} already holds a sort with {what}; it is kept untouched."))
    return _sort(job, plan, identity, marker, replacing)


def _sort(job: _Job, plan: SortPlan, identity: JSONDict, marker: JSONDict, replacing: bool) -> int:
    staging = staging_dir_for(job.dest)
    workspace = wipe_dir(job.scratch)
    extra: JSONDict = {}
    try:
        outcome = sort_plan(plan, dest=staging, workdir=workspace, log_path=job.log_path,
                            context={"canary": marker, "attempt": job.attempt}, progress=job.progress(plan))
        record = job.record(marker, identity, outcome)
        job.publish(staging, record, replace=replacing)
        log.info("sorted %s: %d units in %.1f s", plan.recording.name, outcome["units"], record["seconds"])
        return EXIT_OK
    except OutputsFailure as failure:
        verdict = failure.verdict
        failed = {"ok": False, "config": plan.outputs, **{k: v for k, v in verdict.as_dict().items() if k != "evidence"}}
        job.publish(staging, job.record(marker, identity, {**failure.outcome, "outputs": failed}), replace=replacing,
                    complete=False)
        extra = {"stage": "outputs", "sort_kept": str(job.dest)}
        log.error("%s: the sort finished but its post-sort outputs failed; the sort is kept in %s and the next "
                  "run rebuilds only the outputs", plan.recording.name, job.dest)
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict; the job fails
        verdict = scoped_to_recording(verdict_of(exc, "full sort"), job.cfg, job.entry.config_name)
    finally:
        remove_quietly(staging)
        remove_quietly(workspace)
    halt_if_environment_wide(job.halt_path, plan.recording.name, verdict)
    return job.failed(verdict, **extra)


def _rebuild_outputs(job: _Job, plan: SortPlan, existing: JSONDict, marker: JSONDict) -> int:
    """Rebuild only the post-sort outputs of a finished sort: the sort's folders are hard-linked
    into a new staging folder, the outputs built there, and the whole published in one rename."""
    log.info("%s: a finished sort with the same settings and data exists; rebuilding only its post-sort outputs",
             plan.recording.name)
    staging = staging_dir_for(job.dest)
    workspace = wipe_dir(job.scratch)
    try:
        for part in ("sorter", "sorting", "motion"):
            if (job.dest / IN_SORTED[part]).is_dir():
                link_tree(job.dest / IN_SORTED[part], staging / IN_SORTED[part])
        defaults = resolve_backend(existing["sorter"], plan.root).default_params()
        context = report_context(plan, existing, defaults, {"canary": marker, "attempt": job.attempt})
        outputs = build_outputs(plan, dest=staging, workdir=workspace, log_path=job.log_path, context=context,
                                progress=job.progress(plan))
        job.publish(staging, {**existing, "outputs": outputs, "versions": versions()}, replace=True)
        log.info("rebuilt the post-sort outputs of %s in %.1f s", plan.recording.name, time.monotonic() - job.started)
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict; the job fails
        verdict = verdict_of(exc, "rebuilding the post-sort outputs")
    finally:
        remove_quietly(staging)
        remove_quietly(workspace)
    return job.failed(verdict, stage="outputs", sort_kept=str(job.dest))
