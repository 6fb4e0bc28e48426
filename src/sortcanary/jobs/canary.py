"""The canary job: rehearse the full sort on a short window, and gate the full sort on it.

pass / passthrough / disabled write the marker (the full sort's input) and exit 0; a failure whose
verdict's policy is to block (every classified one, whatever its policy beyond that: block, block
the run, retry the full sort with less) writes no marker, keeps the verdict, and exits
EXIT_BLOCKED; a verdict with the policy ``report`` (unclassified) passes through. A *biological* verdict is
first confirmed on further windows (the plan's confirmation windows): the recording passes if
any of them sorts. Environment and resource verdicts don't depend on the data and are not
re-tried, with one exception: when the sorter failed for want of spikes (whichever way the window's
activity settled it), a window ``SPARSE_WINDOW_FACTOR`` times longer is sorted before blocking,
because a sparse or faint recording can starve the sorter in one short window and still sort in
full. Unexpected errors pass through (a smoke test, not a gate); KeyboardInterrupt and SystemExit
propagate.

A blocked canary's evidence outlives its scratch window: the files its verdict names there (the
sorter's own log, spikeinterface_log.json) are copied to the job's evidence folder
(layout.CANARY_EVIDENCE) before the window is removed, and the verdict names the copies.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path

from ..atomic import remove_quietly, wipe_dir, write_json_atomic
from ..boundary import JSONDict
from ..checks.activity import too_few_spikes
from ..plan.join import join_broken, join_record, naming_join, off_join_window
from ..plan.overrides import scoped_to_recording
from ..plan.sortplan import CanaryDisabled, SortPlan, plan_canary
from ..recordings import RecordingEntry
from ..runner.failure import tail
from ..runner.progress import ProgressReporter
from ..taxonomy import BIOLOGICAL, REPORT, SortFailure, Verdict, unclassified
from .execute import sort_plan
from .records import (
    EXIT_BLOCKED,
    EXIT_OK,
    clear_verdict,
    halt_if_environment_wide,
    halted_verdict,
    tell_console,
    write_verdict,
)

log = logging.getLogger("sortcanary")


def _is_file(text: str) -> bool:
    """Whether ``text`` names a file; a message too long to be a path name is not one."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _paths_inside(verdict: Verdict, workspace: Path) -> set[str]:
    """Every file of ``workspace`` the verdict names: an evidence value that is a path, or a path
    written into its message or evidence text (an exception that names a log, a trace file)."""
    texts = [verdict.message, *(v for v in verdict.evidence.values() if isinstance(v, str))]
    prefixes = {str(workspace), str(workspace.resolve())}
    named = {t for t in texts if "\n" not in t and _is_file(t)}
    for prefix in prefixes:
        named |= {m.rstrip(".,;:)") for t in texts for m in re.findall(re.escape(prefix) + r"/[^\s'\"]+", t)}
    inside = workspace.resolve()
    return {n for n in named if _is_file(n) and inside in Path(n).resolve().parents}


def keep_evidence(verdict: Verdict, workspace: Path, evidence_dir: Path | None, log_path: Path) -> Verdict:
    """Copy the files ``verdict`` names inside ``workspace`` (about to be removed) into ``evidence_dir``
    and name the copies instead, wherever the evidence, the job log's tail or the message mentions
    them; the copies are listed in ``evidence.kept``."""
    verdict.evidence.setdefault("log_tail", tail(log_path, 2000))
    if evidence_dir is None:
        return verdict
    renamed = {}
    for name in sorted(_paths_inside(verdict, workspace)):
        evidence_dir.mkdir(parents=True, exist_ok=True)
        kept = evidence_dir / Path(name).name
        shutil.copy2(name, kept)
        renamed[name] = renamed[str(Path(name).resolve())] = str(kept)
    for old in sorted(renamed, key=len, reverse=True):  # an absolute path before a relative tail of it
        verdict.evidence = {k: v.replace(old, renamed[old]) if isinstance(v, str) else v
                            for k, v in verdict.evidence.items()}
        verdict.message = verdict.message.replace(old, renamed[old])
    if renamed:
        verdict.evidence["kept"] = sorted(set(renamed.values()))
        verdict.evidence["kept_note"] = (f"the canary's scratch window is removed after each window; the files "
                                         f"named here were copied out of it into {evidence_dir}")
    return verdict


def _try_window(plan: SortPlan, workspace: Path, log_path: Path, progress: ProgressReporter,
                evidence_dir: Path | None) -> tuple[JSONDict, Verdict | None]:
    """Sort one canary window; return (what the marker records about it, the failure verdict or None)."""
    assert plan.window is not None, "a canary's plan has a window"
    tried = plan.window.as_dict()
    try:
        wipe_dir(workspace)
        outcome = sort_plan(plan, dest=workspace / "out", workdir=workspace / "child", log_path=log_path,
                            progress=progress)
        notes = (outcome.get("recipe") or {}).get("notes")
        return {**tried, "outcome": "pass", "units": outcome["units"], "gpu": outcome["gpu"],
                "measured": measured(plan, outcome), **({"notes": notes} if notes else {})}, None
    except SortFailure as failure:
        verdict = keep_evidence(failure.verdict, workspace, evidence_dir, log_path)
    except Exception as exc:  # the canary is a smoke test: unexpected errors pass through
        log.exception("canary hit an unexpected error")
        verdict = unclassified(str(exc)[:500] or type(exc).__name__, exception=type(exc).__name__)
    finally:
        remove_quietly(workspace)
    return {**tried, "outcome": f"{verdict.category}/{verdict.error_class}", "gpu": verdict.evidence.get("gpu")}, verdict


def measured(plan: SortPlan, outcome: JSONDict) -> JSONDict:
    """What a passing window cost, for sizing the full sort (sortcanary.plan.resources): its length,
    the sorter's seconds and the part of them spent in passes over the data, the post-sort outputs'
    seconds, and the peak host and GPU memory of the sort (None where the runner measured none)."""
    outputs = outcome.get("outputs") or {}
    return {"window_s": plan.duration_s, "sort_seconds": outcome["sort_seconds"],
            "data_pass_seconds": outcome.get("data_pass_seconds"), "outputs_seconds": outputs.get("seconds"),
            "peak_rss_bytes": outcome.get("peak_rss_bytes"), "peak_gpu_bytes": outcome.get("peak_gpu_bytes")}


def _confirm(plan: SortPlan, first: JSONDict, verdict: Verdict, workspace: Path, log_path: Path, base: JSONDict,
             progress: ProgressReporter, evidence_dir: Path | None) -> tuple[list[JSONDict], Verdict | None]:
    """Re-try a biological verdict on the confirmation windows; stop at the first that isn't one."""
    windows = [first]
    last: Verdict | None = verdict
    if len(plan.confirm_windows) < plan.confirm_asked:
        base["confirmation_note"] = (f"recording too short for {plan.confirm_asked} confirmation windows; "
                                     f"judged on {len(plan.confirm_windows)}")
    for window in plan.confirm_windows:
        log.info("canary %s: leading window %s; confirming on [%.1f s, %.1f s)", plan.recording.name,
                 first["outcome"], window.start_s, window.start_s + window.duration_s)
        tried, last = _try_window(plan.on(window), workspace, log_path, progress, evidence_dir)
        windows.append(tried)
        if last is None or last.category != BIOLOGICAL:
            break  # it sorted (None), or a non-data failure takes over
    return windows, last


def _judge_join(plan: SortPlan, windows: list[JSONDict], verdict: Verdict, workspace: Path, log_path: Path,
                progress: ProgressReporter, evidence_dir: Path | None) -> tuple[list[JSONDict], Verdict]:
    """The window across a join failed: one as long inside the first run tells whether the join is
    the cause (sortcanary.plan.join.join_broken) or the recording itself."""
    assert plan.window is not None, "a canary's plan has a window"
    clear = off_join_window(plan.recording, plan.window)
    if clear is None:
        return windows, verdict
    log.info("canary %s: the window across the join failed; trying [%.1f s, %.1f s) inside the first run",
             plan.recording.name, clear.start_s, clear.start_s + clear.duration_s)
    tried, other = _try_window(plan.on(clear), workspace, log_path, progress, evidence_dir)
    windows = [*windows, tried]
    return windows, (join_broken(verdict, plan.recording, plan.window) if other is None else verdict)


def _longer(plan: SortPlan, windows: list[JSONDict], workspace: Path, log_path: Path, progress: ProgressReporter,
            evidence_dir: Path | None) -> tuple[list[JSONDict], Verdict | None]:
    """Sort the plan's longer window after a too-few-spikes verdict; its verdict is the canary's."""
    window = plan.sparse_window
    assert window is not None, "run_canary calls this only for a plan with a longer window"
    log.info("canary %s: too few spikes in %d window(s); sorting [%.1f s, %.1f s) before blocking",
             plan.recording.name, len(windows), window.start_s, window.start_s + window.duration_s)
    tried, verdict = _try_window(plan.on(window, plan.sparse_timeout_s), workspace, log_path, progress, evidence_dir)
    return [*windows, tried], verdict


def run_canary(entry: RecordingEntry, cfg: JSONDict, *, scratch: Path, log_path: Path, marker_path: Path | None = None,
               verdict_path: Path | None = None, halt_path: Path | None = None, evidence_dir: Path | None = None,
               progress_path: Path | None = None, mem_mb: int | None = None,
               root: str | Path = ".") -> tuple[int, JSONDict]:
    """Rehearse the full sort of ``entry``; return (exit code, verdict record). See the module doc.
    ``evidence_dir`` keeps a blocked window's evidence; ``progress_path`` the job's latest progress;
    ``mem_mb`` is the job's scheduler memory request, a bound of the memory watchdog; ``root`` the
    working directory the plan's locks and kept files are under (SortPlan.root)."""
    clear_verdict(verdict_path)
    if evidence_dir is not None:
        remove_quietly(evidence_dir)
    base: JSONDict = {"recording": entry.name, "source": entry.source}
    started = time.monotonic()
    halted = halted_verdict(halt_path)
    if halted is not None:
        return _blocked(base, halted, started, log_path, verdict_path, None)
    try:
        plan = plan_canary(cfg, entry, mem_mb=mem_mb, root=str(root))
    except SortFailure as failure:  # an unknown or broken sorter, an unusable device: nothing to rehearse with
        return _blocked(base, failure.verdict, started, log_path, verdict_path, halt_path)
    base["sorter"] = plan.sorter
    if isinstance(plan, CanaryDisabled):
        return _finish({**base, "status": "disabled", "reason": plan.reason}, started, marker_path, verdict_path)
    assert plan.window is not None, "a canary's plan has a window"
    base["window"] = plan.window.as_dict()
    if entry.runs:
        base["join"] = join_record(plan.recording, plan.window)
    if plan.window.clamped:
        base["note"] = (f"recording ({entry.duration_s:.1f} s) is shorter than the window; "
                        "the canary sorted all of it")
    progress = ProgressReporter.for_plan(plan, path=progress_path)
    first, verdict = _try_window(plan, scratch, log_path, progress, evidence_dir)
    windows = [first]
    if verdict is not None and entry.runs:
        windows, verdict = _judge_join(plan, windows, verdict, scratch, log_path, progress, evidence_dir)
    if verdict is not None and verdict.category == BIOLOGICAL:
        windows, verdict = _confirm(plan, first, verdict, scratch, log_path, base, progress, evidence_dir)
    if verdict is not None and plan.sparse_window is not None and too_few_spikes(verdict):
        windows, verdict = _longer(plan, windows, scratch, log_path, progress, evidence_dir)
    # The device is the run's, not the verdict's: it goes to the verdict record, never the marker.
    gpus = [w.pop("gpu") for w in windows]
    notes = [w.pop("notes", None) for w in windows][-1]
    base["windows"] = windows
    if verdict is None:
        measured = windows[-1].pop("measured")
        marker = {**base, "status": "pass", "units": windows[-1]["units"]}
        if notes:  # the recipe's notes (a dropped step, bad channels below the limit): deterministic
            marker["notes"] = notes
        if len(windows) > 1:
            quiet, good = windows[0], windows[-1]
            marker["note"] = (f"leading window [{quiet['start_s']:g} s, {quiet['start_s'] + quiet['duration_s']:g} s) "
                              f"was {quiet['outcome']}; window [{good['start_s']:g} s, "
                              f"{good['start_s'] + good['duration_s']:g} s) sorted")
        return _finish(marker, started, marker_path, verdict_path, gpus[-1], measured)
    if entry.runs:
        verdict = naming_join(verdict, plan.recording, plan.window)
    if verdict.policy != REPORT:
        return _blocked(base, scoped_to_recording(verdict, cfg, entry.config_name), started, log_path, verdict_path,
                        halt_path)
    marker = {**base, "status": "passthrough", "error": {"type": verdict.error_class, "message": verdict.message}}
    return _finish(marker, started, marker_path, verdict_path, gpus[-1])


def _blocked(base: JSONDict, verdict: Verdict, started: float, log_path: Path, verdict_path: Path | None,
             halt_path: Path | None) -> tuple[int, JSONDict]:
    halt_if_environment_wide(halt_path, base["recording"], verdict)
    record = {**base, "verdict": "blocked", **verdict.as_dict(), "seconds": round(time.monotonic() - started, 3)}
    record.setdefault("evidence", {}).setdefault("log_tail", tail(log_path, 2000))
    record["evidence"].setdefault("log", str(log_path))
    write_verdict(verdict_path, record)
    log.error("canary BLOCKED %s: %s/%s: %s -- %s", base["recording"], verdict.category, verdict.error_class,
              verdict.message, verdict.remediation)
    tell_console("canary BLOCKED", record, verdict_path)
    return EXIT_BLOCKED, record


def _finish(marker: JSONDict, started: float, marker_path: Path | None, verdict_path: Path | None,
            gpu: str | None = None, measured: JSONDict | None = None) -> tuple[int, JSONDict]:
    """The marker holds only the deterministic verdict (an unchanged verdict must not look new:
    Snakemake compares a small input's checksum, so a re-run canary with the same verdict does not
    re-run the full sort); timings, the device the canary ran on, and what the passing window
    ``measured`` to size the full sort (sortcanary.plan.resources), go to the verdict record in the log."""
    record = {**marker, "verdict": marker["status"], "seconds": round(time.monotonic() - started, 3), "gpu": gpu}
    if measured is not None:
        record["measured"] = measured
    write_verdict(verdict_path, record)
    if marker_path is not None:
        write_json_atomic(marker_path, marker)
    log.info("canary %s: %s", marker["recording"], marker["status"])
    return EXIT_OK, record
