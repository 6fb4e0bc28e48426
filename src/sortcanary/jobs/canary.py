"""The canary job: rehearse the full sort on a short window, and gate the full sort on it.

pass / passthrough / disabled write the marker (the full sort's input) and exit 0; a classified
failure writes no marker, keeps the verdict, and exits EXIT_BLOCKED. A *biological* verdict is
first confirmed on further windows (the plan's confirmation windows): the recording passes if
any of them sorts. Environment and resource verdicts don't depend on the data and are not
re-tried, with one exception: when the sorter failed for want of spikes (whichever way the window's
activity settled it), a window ``SPARSE_WINDOW_FACTOR`` times longer is sorted before blocking,
because a sparse or faint recording can starve the sorter in one short window and still sort in
full. Unexpected errors pass through (a smoke test, not a gate); KeyboardInterrupt and SystemExit
propagate.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ..atomic import remove_quietly, wipe_dir, write_json_atomic
from ..checks.activity import too_few_spikes
from ..taxonomy import BIOLOGICAL, SortFailure, Verdict, unclassified
from ..plan.sortplan import SortPlan, plan_canary
from ..recordings import RecordingEntry
from ..runner.watched import tail
from .execute import sort_plan
from .records import EXIT_BLOCKED, EXIT_OK, clear_verdict, halt_if_environment_wide, halted_verdict, write_verdict

log = logging.getLogger("sortcanary")


def _try_window(plan: SortPlan, workspace: Path, log_path: Path) -> tuple[dict, Verdict | None]:
    """Sort one canary window; return (what the marker records about it, the failure verdict or None)."""
    tried = plan.window.as_dict()
    try:
        wipe_dir(workspace)
        outcome = sort_plan(plan, dest=workspace / "out", workdir=workspace / "child", log_path=log_path)
        return {**tried, "outcome": "pass", "units": outcome["units"]}, None
    except SortFailure as failure:
        verdict = failure.verdict
    except Exception as exc:  # noqa: BLE001 -- the canary is a smoke test: unexpected errors pass through
        log.exception("canary hit an unexpected error")
        verdict = unclassified(str(exc)[:500] or type(exc).__name__, exception=type(exc).__name__)
    finally:
        remove_quietly(workspace)
    return {**tried, "outcome": f"{verdict.category}/{verdict.error_class}"}, verdict


def _confirm(plan: SortPlan, first: dict, verdict: Verdict, workspace: Path, log_path: Path,
             base: dict) -> tuple[list[dict], Verdict | None]:
    """Re-try a biological verdict on the confirmation windows; stop at the first that isn't one."""
    windows = [first]
    if len(plan.confirm_windows) < plan.confirm_asked:
        base["confirmation_note"] = (f"recording too short for {plan.confirm_asked} confirmation windows; "
                                     f"judged on {len(plan.confirm_windows)}")
    for window in plan.confirm_windows:
        log.info("canary %s: leading window %s; confirming on [%.1f s, %.1f s)", plan.recording.name,
                 first["outcome"], window.start_s, window.start_s + window.duration_s)
        tried, verdict = _try_window(plan.on(window), workspace, log_path)
        windows.append(tried)
        if verdict is None or verdict.category != BIOLOGICAL:
            break  # it sorted (None), or a non-data failure takes over
    return windows, verdict


def _longer(plan: SortPlan, windows: list[dict], workspace: Path, log_path: Path) -> tuple[list[dict], Verdict | None]:
    """Sort the plan's longer window after a too-few-spikes verdict; its verdict is the canary's."""
    window = plan.sparse_window
    log.info("canary %s: too few spikes in %d window(s); sorting [%.1f s, %.1f s) before blocking",
             plan.recording.name, len(windows), window.start_s, window.start_s + window.duration_s)
    tried, verdict = _try_window(plan.on(window, plan.sparse_timeout_s), workspace, log_path)
    return [*windows, tried], verdict


def run_canary(entry: RecordingEntry, cfg: dict, *, scratch: Path, log_path: Path, marker_path: Path | None = None,
               verdict_path: Path | None = None, halt_path: Path | None = None) -> tuple[int, dict]:
    """Rehearse the full sort of ``entry``; return (exit code, verdict record). See the module doc."""
    clear_verdict(verdict_path)
    base = {"recording": entry.name, "source": entry.source, "sorter": cfg["sorter"]}
    started = time.monotonic()
    halted = halted_verdict(halt_path)
    if halted is not None:
        return _blocked(base, halted, started, log_path, verdict_path, None)
    try:
        plan = plan_canary(cfg, entry)
    except SortFailure as failure:  # an unknown or broken sorter, an unusable device: nothing to rehearse with
        return _blocked(base, failure.verdict, started, log_path, verdict_path, halt_path)
    if plan is None:
        marker = {**base, "status": "disabled", "reason": f"canary.window_s={cfg['canary']['window_s']}"}
        return _finish(marker, started, marker_path, verdict_path)
    base["window"] = plan.window.as_dict()
    if plan.window.clamped:
        base["note"] = (f"recording ({entry.duration_s:.1f} s) is shorter than the window; "
                        "the canary sorted all of it")
    first, verdict = _try_window(plan, scratch, log_path)
    windows = [first]
    if verdict is not None and verdict.category == BIOLOGICAL:
        windows, verdict = _confirm(plan, first, verdict, scratch, log_path, base)
    if verdict is not None and plan.sparse_window is not None and too_few_spikes(verdict):
        windows, verdict = _longer(plan, windows, scratch, log_path)
    base["windows"] = windows
    if verdict is None:
        marker = {**base, "status": "pass", "units": windows[-1]["units"]}
        if len(windows) > 1:
            quiet, good = windows[0], windows[-1]
            marker["note"] = (f"leading window [{quiet['start_s']:g} s, {quiet['start_s'] + quiet['duration_s']:g} s) "
                              f"was {quiet['outcome']}; window [{good['start_s']:g} s, "
                              f"{good['start_s'] + good['duration_s']:g} s) sorted")
        return _finish(marker, started, marker_path, verdict_path)
    if verdict.classified:
        return _blocked(base, verdict, started, log_path, verdict_path, halt_path)
    marker = {**base, "status": "passthrough", "error": {"type": verdict.error_class, "message": verdict.message}}
    return _finish(marker, started, marker_path, verdict_path)


def _blocked(base: dict, verdict: Verdict, started: float, log_path: Path, verdict_path: Path | None,
             halt_path: Path | None) -> tuple[int, dict]:
    halt_if_environment_wide(halt_path, base["recording"], verdict)
    record = {**base, "verdict": "blocked", **verdict.as_dict(), "seconds": round(time.monotonic() - started, 3)}
    record.setdefault("evidence", {}).setdefault("log_tail", tail(log_path, 2000))
    write_verdict(verdict_path, record)
    log.error("canary BLOCKED %s: %s/%s: %s -- %s", base["recording"], verdict.category, verdict.error_class,
              verdict.message, verdict.remediation)
    return EXIT_BLOCKED, record


def _finish(marker: dict, started: float, marker_path: Path | None, verdict_path: Path | None) -> tuple[int, dict]:
    """The marker holds only the deterministic verdict (an unchanged verdict must not look new);
    timings go to the verdict record in the log."""
    record = {**marker, "verdict": marker["status"], "seconds": round(time.monotonic() - started, 3)}
    write_verdict(verdict_path, record)
    if marker_path is not None:
        write_json_atomic(marker_path, marker)
    log.info("canary %s: %s", marker["recording"], marker["status"])
    return EXIT_OK, record
