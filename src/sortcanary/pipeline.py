"""One function sorts a recording; the canary and the full sort are two uses of it.

``process_recording`` runs the configured sorter on a recording (or a window of it) in a watched
child process and raises ``SortFailure`` with a verdict when it fails. The canary calls it with
the canary config and the leading window; the full sort with the live config and no window. That
is what makes the canary a faithful rehearsal: same sorter, loader, parameters and code path.
"""

from __future__ import annotations

import copy
import logging
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .classification import BIOLOGICAL, BLOCK_RUN, RESOURCE, SortFailure, Verdict, unclassified, verdict_for
from .config import Window, canary_config, canary_window, confirmation_windows, inactivity_timeout_s
from .discovery import RecordingEntry
from .isolation import run_child, tail
from .layout import IN_SORTED
from .outputs import (
    clear_verdict,
    link_tree,
    publish_dir,
    read_json,
    remove_quietly,
    remove_stale_staging,
    staging_dir_for,
    wipe_dir,
    write_json_atomic,
)
from .postprocess import any_wanted, check_dependencies
from .sorters import check_sampling_frequency, container_options, resolve_backend, sorter_params

log = logging.getLogger("sortcanary")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BLOCKED = 3


def versions() -> dict:
    import importlib.metadata as md

    found = {"sortcanary": __version__, "python": platform.python_version()}
    for pkg in ("spikeinterface", "kilosort", "torch", "probeinterface", "numpy"):
        try:
            found[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            found[pkg] = None
    return found


class OutputsFailure(SortFailure):
    """The sort succeeded but its post-sort step failed; ``outcome`` is the finished sort's."""

    def __init__(self, verdict, outcome: dict):
        super().__init__(verdict)
        self.outcome = outcome


def non_default_params(params: dict, defaults: dict) -> dict:
    return {k: v for k, v in sorted(params.items()) if k not in defaults or defaults[k] != v}


def report_context(entry: RecordingEntry, window: Window | None, outcome: dict, defaults: dict,
                   extra: dict | None = None) -> dict:
    """What the report page shows besides the outputs: recording facts, sorter, parameters that
    differ from the sorter's defaults, versions, sort timing (plus the caller's canary marker)."""
    first = Path(entry.input_files[0]) if entry.input_files else Path(entry.path)
    return {
        "recording": {k: getattr(entry, k) for k in ("name", "source", "path", "format", "num_channels",
                                                     "sampling_frequency", "duration_s")},
        "window": window.as_dict() if window else None,
        "sorter": outcome["sorter"],
        "sorter_version": outcome["sorter_version"],
        "params_non_default": non_default_params(outcome["sorter_params"], defaults),
        "versions": versions(),
        "timings": {"sort_s": outcome.get("sort_seconds", outcome.get("seconds", 0.0))},
        # NWB wants a session start; the data's modification time is the best a file offers.
        "session_start": datetime.fromtimestamp(first.stat().st_mtime, tz=timezone.utc).isoformat(),
        **(extra or {}),
    }


def process_recording(
    entry: RecordingEntry,
    cfg: dict,
    *,
    window: Window | None,
    dest: Path,
    workdir: Path,
    log_path: Path,
    context: dict | None = None,
) -> dict:
    """Sort ``entry`` (or its ``window``) into ``dest``, then build the post-sort outputs that
    ``cfg["outputs"]`` asks for there; return the outcome or raise SortFailure.

    ``dest`` receives ``sorter/`` (the sorter's own folder, e.g. KS4's phy output in
    ``sorter/sorter_output``), ``sorting/`` (a SpikeInterface sorting folder) and the outputs of
    sortcanary.postprocess (layout.IN_SORTED). A failed post-sort step raises OutputsFailure, which
    carries the finished sort's outcome. ``context`` adds to the report page (the canary marker).
    """
    backend = resolve_backend(cfg["sorter"])
    check_sampling_frequency(backend, entry.sampling_frequency, entry.source)
    params = sorter_params(cfg, backend)
    if any_wanted(cfg):
        check_dependencies(cfg)  # e.g. NWB without pynwb: an environment verdict now, not after the sort
    duration_s = window.duration_s if window else entry.duration_s
    timeout_s = inactivity_timeout_s(cfg, duration_s)
    sorter_folder = dest / IN_SORTED["sorter"]
    dest.mkdir(parents=True, exist_ok=True)
    log.info("sorting %s (%s, %.1f s of %.1f s) with %s %s; inactivity timeout %.0f s",
             entry.name, "window" if window else "full", duration_s, entry.duration_s, cfg["sorter"],
             {k: v for k, v in params.items()}, timeout_s)
    run = run_child(
        {
            "task": "sort",
            "entry": entry.as_dict(),
            "window": window.as_dict() if window else None,
            "sorter": cfg["sorter"],
            "params": params,
            "container": container_options(cfg),
            "sorter_folder": str(sorter_folder),
            "sorting_folder": str(dest / IN_SORTED["sorting"]),
            "data_checks": window is not None,  # cheap trace checks run on the canary window only
        },
        workdir=workdir,
        log_path=log_path,
        timeout_s=timeout_s,
        watch=[dest],
        disk_paths=[dest, workdir],
        abort_free_bytes=int(cfg["disk"]["abort_free_gb"] * 1e9),
        sorter_logs=backend.log_files(sorter_folder),
    )
    if not run.ok:
        raise SortFailure(run.verdict)
    outcome = {
        "units": run.units,
        "seconds": round(run.seconds, 3),
        "sort_seconds": round(run.seconds, 3),
        "sorter": cfg["sorter"],
        "sorter_version": backend.version(),
        "sorter_params": params,
        "duration_s": duration_s,
    }
    if not any_wanted(cfg):
        outcome["outputs"] = {"ok": True, "config": cfg["outputs"]}
        return outcome
    try:
        context = report_context(entry, window, outcome, backend.default_params(), context)
        outcome["outputs"] = run_outputs(entry, cfg, window=window, dest=dest, workdir=workdir, log_path=log_path,
                                         context=context)
    except SortFailure as failure:
        raise OutputsFailure(failure.verdict, outcome) from failure
    except Exception as exc:  # whatever goes wrong after the sort must not cost the sort
        log.exception("post-sort step failed unexpectedly")
        raise OutputsFailure(unclassified(f"{type(exc).__name__}: {str(exc)[:500]}"), outcome) from exc
    outcome["seconds"] = round(outcome["sort_seconds"] + outcome["outputs"].get("seconds", 0.0), 3)
    return outcome


def run_outputs(entry: RecordingEntry, cfg: dict, *, window: Window | None, dest: Path, workdir: Path,
                log_path: Path, context: dict) -> dict:
    """Build the post-sort outputs from the sorting saved in ``dest``, in a watched child process
    of its own: a crash or hang there is classified like a sorter's, and the sort survives it.
    Returns the record kept in sort.json: ``ok``, the ``config`` it was built with, and what was
    made; raises SortFailure."""
    record = {"ok": True, "config": cfg["outputs"]}
    if not any_wanted(cfg):
        return record
    duration_s = window.duration_s if window else entry.duration_s
    run = run_child(
        {
            "task": "outputs",
            "entry": entry.as_dict(),
            "window": window.as_dict() if window else None,
            "sorting_folder": str(dest / IN_SORTED["sorting"]),
            "dest": str(dest),
            "cfg": {"outputs": cfg["outputs"], "job_kwargs": cfg.get("job_kwargs", {})},
            "context": context,
        },
        workdir=workdir,
        log_path=log_path,
        timeout_s=inactivity_timeout_s(cfg, duration_s),
        watch=[dest],
        disk_paths=[dest, workdir],
        abort_free_bytes=int(cfg["disk"]["abort_free_gb"] * 1e9),
        sorter_logs=[],
    )
    if not run.ok:
        raise SortFailure(run.verdict)
    log.info("post-sort outputs of %s built in %.1f s", entry.name, run.seconds)
    return {**record, **run.details["outputs"], "seconds": round(run.seconds, 3)}


# -- the canary -------------------------------------------------------------------------------


def _write_verdict(verdict_path: Path | None, record: dict) -> None:
    if verdict_path is not None:
        write_json_atomic(verdict_path, record)


def _try_window(entry, ccfg, window: Window, workspace: Path, log_path: Path) -> tuple[dict, Verdict | None]:
    """Sort one canary window; return (what the marker records about it, the failure verdict or None).

    Unexpected exceptions become unclassified verdicts; KeyboardInterrupt/SystemExit propagate.
    """
    tried = {**window.as_dict()}
    try:
        wipe_dir(workspace)
        outcome = process_recording(entry, ccfg, window=window, dest=workspace / "out", workdir=workspace / "child",
                                    log_path=log_path)
        return {**tried, "outcome": "pass", "units": outcome["units"]}, None
    except SortFailure as failure:
        verdict = failure.verdict
    except Exception as exc:  # noqa: BLE001 -- the canary is a smoke test: unexpected errors pass through
        log.exception("canary hit an unexpected error")
        verdict = unclassified(str(exc)[:500] or type(exc).__name__, exception=type(exc).__name__)
    finally:
        remove_quietly(workspace)
    return {**tried, "outcome": f"{verdict.category}/{verdict.error_class}"}, verdict


def run_canary(
    entry: RecordingEntry,
    cfg: dict,
    *,
    scratch: Path,
    log_path: Path,
    marker_path: Path | None = None,
    verdict_path: Path | None = None,
    halt_path: Path | None = None,
) -> tuple[int, dict]:
    """Rehearse the full sort on the leading window; return (exit code, verdict record).

    pass / passthrough / disabled write the marker and return 0; a classified failure writes no
    marker, keeps the verdict, and returns EXIT_BLOCKED. A *biological* verdict is first confirmed
    on further windows (config.confirmation_windows): the recording passes if any of them sorts.
    Environment and resource verdicts don't depend on the data and are not re-tried.
    KeyboardInterrupt and SystemExit propagate.
    """
    clear_verdict(verdict_path)
    window = canary_window(cfg["canary"]["window_s"], entry.duration_s)
    base = {"recording": entry.name, "source": entry.source, "sorter": cfg["sorter"]}
    halted = halted_verdict(halt_path)
    if halted is not None:
        return _canary_blocked(entry, {**base, "window": window.as_dict() if window else None}, halted,
                               {"seconds": 0.0}, log_path, verdict_path)
    if window is None:
        marker = {**base, "status": "disabled", "reason": f"canary.window_s={cfg['canary']['window_s']}"}
        return _finish_canary(marker, {}, marker_path, verdict_path)
    base["window"] = window.as_dict()
    if window.clamped:
        base["note"] = f"recording ({entry.duration_s:.1f} s) is shorter than the window; the canary sorted all of it"
    started = time.monotonic()
    try:
        ccfg = canary_config(cfg, resolve_backend(cfg["sorter"]).default_params())
    except SortFailure as failure:  # an unknown or broken sorter: nothing to rehearse with
        return _canary_blocked(entry, base, failure.verdict, {"seconds": 0.0}, log_path, verdict_path)
    tried, verdict = _try_window(entry, ccfg, window, scratch, log_path)
    windows = [tried]
    if verdict is not None and verdict.category == BIOLOGICAL:
        extra = confirmation_windows(window.duration_s, entry.duration_s, cfg["canary"]["confirm_windows"])
        if len(extra) < cfg["canary"]["confirm_windows"]:
            base["confirmation_note"] = (f"recording too short for {cfg['canary']['confirm_windows']} confirmation "
                                         f"windows; judged on {len(extra)}")
        for confirm in extra:
            log.info("canary %s: leading window %s; confirming on [%.1f s, %.1f s)", entry.name, tried["outcome"],
                     confirm.start_s, confirm.start_s + confirm.duration_s)
            confirmed, confirm_verdict = _try_window(entry, ccfg, confirm, scratch, log_path)
            windows.append(confirmed)
            if confirm_verdict is None or confirm_verdict.category != BIOLOGICAL:
                verdict = confirm_verdict  # it sorted (None), or a non-data failure takes over
                break
    timing = {"seconds": round(time.monotonic() - started, 3)}
    base["windows"] = windows
    if verdict is None:
        marker = {**base, "status": "pass", "units": windows[-1]["units"]}
        if len(windows) > 1:
            quiet = windows[0]
            marker["note"] = (f"leading window [{quiet['start_s']:g} s, {quiet['start_s'] + quiet['duration_s']:g} s) "
                              f"was {quiet['outcome']}; a later window sorted")
        return _finish_canary(marker, timing, marker_path, verdict_path)
    if verdict.classified:
        if verdict.policy == BLOCK_RUN and halt_path is not None:
            write_json_atomic(halt_path, {"recording": entry.name, **verdict.as_dict()})
        return _canary_blocked(entry, base, verdict, timing, log_path, verdict_path)
    marker = {**base, "status": "passthrough", "error": {"type": verdict.error_class, "message": verdict.message}}
    return _finish_canary(marker, timing, marker_path, verdict_path)


def _canary_blocked(entry, base: dict, verdict, timing: dict, log_path: Path, verdict_path: Path | None):
    record = {**base, "verdict": "blocked", **verdict.as_dict(), **timing}
    record.setdefault("evidence", {}).setdefault("log_tail", tail(log_path, 2000))
    _write_verdict(verdict_path, record)
    log.error("canary BLOCKED %s: %s/%s: %s -- %s", entry.name, verdict.category, verdict.error_class,
              verdict.message, verdict.remediation)
    return EXIT_BLOCKED, record


def halted_verdict(halt_path: Path | None) -> Verdict | None:
    """The verdict that stopped this run, if a job already hit an environment-wide failure."""
    record = read_json(halt_path) if halt_path is not None else None
    if not record:
        return None
    verdict = Verdict.from_dict(record)
    verdict.message = f"Run stopped after an environment-wide failure in {record.get('recording')}: {verdict.message}"
    verdict.evidence["halted_by"] = str(halt_path)
    return verdict


def _finish_canary(marker: dict, timing: dict, marker_path: Path | None, verdict_path: Path | None) -> tuple[int, dict]:
    """The marker holds only the deterministic verdict (an unchanged verdict must not look new);
    timings go to the verdict record in the log."""
    record = {**marker, "verdict": marker["status"], **timing}
    _write_verdict(verdict_path, record)
    if marker_path is not None:
        write_json_atomic(marker_path, marker)
    log.info("canary %s: %s", marker["recording"], marker["status"])
    return EXIT_OK, record


# -- the full sort ----------------------------------------------------------------------------


def recording_fingerprint(entry: RecordingEntry) -> list:
    """Names, sizes and modification times of the recording's files: changes mean new data."""
    prints = []
    for name in entry.input_files:
        st = Path(name).stat()
        prints.append([Path(name).name, st.st_size, st.st_mtime_ns])
    return prints


def retry_config(cfg: dict, backend_defaults: dict, attempt: int) -> dict:
    """The config for a retry after a resource failure: batch_size divided per attempt."""
    if attempt <= 1 or "batch_size" not in backend_defaults:
        return cfg
    retry = copy.deepcopy(cfg)
    base = retry["sorter_params"].get("batch_size", backend_defaults["batch_size"])
    retry["sorter_params"]["batch_size"] = max(1, int(base / cfg["retry_batch_divisor"] ** (attempt - 1)))
    return retry


def _previous_non_resource_verdict(attempts_path: Path | None, attempt: int) -> dict | None:
    """The previous attempt's verdict when it was not a resource failure (retrying can't help)."""
    if attempts_path is None:
        return None
    if attempt <= 1:
        attempts_path.unlink(missing_ok=True)
        return None
    history = read_json(attempts_path, [])
    previous = history[-1] if history else None
    if previous and previous.get("category") != RESOURCE:
        return previous
    return None


def outputs_current(record: dict, cfg: dict) -> bool:
    """Did this sort record's post-sort step succeed with the outputs config asked for now?"""
    outputs = record.get("outputs") or {}
    return bool(outputs.get("ok")) and outputs.get("config") == cfg["outputs"]


def run_full_sort(
    entry: RecordingEntry,
    cfg: dict,
    *,
    marker_path: Path,
    dest: Path,
    done_path: Path,
    identity: dict,
    scratch: Path,
    log_path: Path,
    verdict_path: Path,
    attempt: int = 1,
    halt_path: Path | None = None,
    attempts_path: Path | None = None,
) -> int:
    """Sort the whole recording, build its outputs, and publish ``dest`` atomically; on failure
    keep a verdict JSON.

    A finished sort with the same identity (sorter, parameters, recording files) is reused, never
    redone: upstream re-runs (a re-checked canary) cost seconds, not hours. If its post-sort
    outputs failed or were made with another ``outputs`` config, only they are rebuilt. A finished
    sort with another identity is kept and this job fails with a verdict, unless ``resort_on_change``.
    A post-sort failure never discards a finished sort: the sort is published with the failure in
    sort.json, the job fails, and the next run rebuilds only the outputs.
    """
    clear_verdict(verdict_path)
    identity = {**identity, "recording": recording_fingerprint(entry)}
    started = time.monotonic()
    previous = _previous_non_resource_verdict(attempts_path, attempt)
    if previous:
        log.error("attempt %d: attempt %s failed with a %s verdict (%s); retrying cannot help", attempt,
                  previous.get("attempt"), previous.get("category"), previous.get("error_class"))
        _write_verdict(verdict_path, {**previous, "retries_skipped": attempt})
        return EXIT_FAILED
    halted = halted_verdict(halt_path)
    if halted is not None:
        return _full_sort_failed(entry, halted, started, log_path, verdict_path, attempt, attempts_path)
    existing = read_json(dest / "sort.json")
    marker = read_json(marker_path, {})
    if existing is not None and existing.get("identity") == identity:
        if outputs_current(existing, cfg):
            write_json_atomic(done_path, existing)
            log.info("%s: a finished sort with the same settings and data exists; reused it", entry.name)
            return EXIT_OK
        return _rebuild_outputs(entry, cfg, existing, marker, dest=dest, done_path=done_path, scratch=scratch,
                                log_path=log_path, verdict_path=verdict_path, attempt=attempt, started=started,
                                attempts_path=attempts_path)
    replacing = dest.exists() and any(dest.iterdir())
    if replacing and not (cfg["resort_on_change"] and existing is not None):
        what = "other settings or data" if existing is not None else "files but no sort.json"
        verdict = verdict_for("existing_result_differs",
                              message=f"{dest} already holds a sort with {what}; it is kept untouched.")
        return _full_sort_failed(entry, verdict, started, log_path, verdict_path, attempt, attempts_path)
    for stale in remove_stale_staging(dest):
        log.info("removed %s, left behind by an interrupted run", stale)
    staging = staging_dir_for(dest)
    workspace = wipe_dir(scratch)
    extra: dict = {}
    try:
        backend_defaults = resolve_backend(cfg["sorter"]).default_params()
        outcome = process_recording(entry, retry_config(cfg, backend_defaults, attempt), window=None, dest=staging,
                                    workdir=workspace, log_path=log_path,
                                    context={"canary": marker, "attempt": attempt})
        sort_record = _sort_record(entry, marker, identity, attempt, outcome, started)
        _publish(staging, dest, sort_record, replace=replacing, done_path=done_path, verdict_path=verdict_path)
        log.info("sorted %s: %d units in %.1f s", entry.name, outcome["units"], sort_record["seconds"])
        return EXIT_OK
    except OutputsFailure as failure:
        verdict = failure.verdict
        failed = {"ok": False, "config": cfg["outputs"],
                  **{k: v for k, v in verdict.as_dict().items() if k != "evidence"}}
        sort_record = _sort_record(entry, marker, identity, attempt, {**failure.outcome, "outputs": failed}, started)
        _publish(staging, dest, sort_record, replace=replacing)
        extra = {"stage": "outputs", "sort_kept": str(dest)}
        log.error("%s: the sort finished but its post-sort outputs failed; the sort is kept in %s and the next "
                  "run rebuilds only the outputs", entry.name, dest)
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict; the job fails
        verdict = _verdict_of(exc, "full sort")
    finally:
        remove_quietly(staging)
        remove_quietly(workspace)
    if verdict.policy == BLOCK_RUN and halt_path is not None:
        write_json_atomic(halt_path, {"recording": entry.name, **verdict.as_dict()})
    return _full_sort_failed(entry, verdict, started, log_path, verdict_path, attempt, attempts_path, **extra)


def _verdict_of(exc: Exception, doing: str) -> Verdict:
    """A SortFailure's own verdict; anything else is logged with its traceback and unclassified."""
    if isinstance(exc, SortFailure):
        return exc.verdict
    log.exception("%s failed unexpectedly", doing)
    return unclassified(f"{type(exc).__name__}: {str(exc)[:500]}")


def _sort_record(entry: RecordingEntry, marker: dict, identity: dict, attempt: int, outcome: dict,
                 started: float) -> dict:
    return {
        "recording": entry.name,
        "source": entry.source,
        "path": entry.path,
        "canary": marker.get("status"),
        "num_channels": entry.num_channels,
        "sampling_frequency": entry.sampling_frequency,
        "identity": identity,
        "attempt": attempt,
        "versions": versions(),
        **outcome,
        "seconds": round(time.monotonic() - started, 3),
    }


def _publish(staging: Path, dest: Path, record: dict, *, replace: bool, done_path: Path | None = None,
             verdict_path: Path | None = None) -> None:
    """Write sort.json into the assembled folder and move it into place; then, for a complete
    result, the record Snakemake waits for and the 'done' verdict."""
    write_json_atomic(staging / "sort.json", record)
    publish_dir(staging, dest, replace=replace)
    if done_path is not None:
        write_json_atomic(done_path, record)
        _write_verdict(verdict_path, {"recording": record["recording"], "status": "done", "units": record["units"],
                                      "seconds": record["seconds"], "attempt": record["attempt"]})


def _rebuild_outputs(entry: RecordingEntry, cfg: dict, existing: dict, marker: dict, *, dest: Path, done_path: Path,
                     scratch: Path, log_path: Path, verdict_path: Path, attempt: int, started: float,
                     attempts_path: Path | None) -> int:
    """Rebuild only the post-sort outputs of a finished sort: the sort's folders are hard-linked
    into a new staging folder, the outputs built there, and the whole published in one rename."""
    log.info("%s: a finished sort with the same settings and data exists; rebuilding only its post-sort outputs",
             entry.name)
    staging = staging_dir_for(dest)
    workspace = wipe_dir(scratch)
    try:
        for part in ("sorter", "sorting"):
            if (dest / IN_SORTED[part]).is_dir():
                link_tree(dest / IN_SORTED[part], staging / IN_SORTED[part])
        defaults = resolve_backend(existing["sorter"]).default_params()
        context = report_context(entry, None, existing, defaults, {"canary": marker, "attempt": attempt})
        outputs = run_outputs(entry, cfg, window=None, dest=staging, workdir=workspace, log_path=log_path,
                              context=context)
        record = {**existing, "outputs": outputs, "versions": versions()}
        _publish(staging, dest, record, replace=True, done_path=done_path, verdict_path=verdict_path)
        log.info("rebuilt the post-sort outputs of %s in %.1f s", entry.name, time.monotonic() - started)
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict; the job fails
        verdict = _verdict_of(exc, "rebuilding the post-sort outputs")
    finally:
        remove_quietly(staging)
        remove_quietly(workspace)
    return _full_sort_failed(entry, verdict, started, log_path, verdict_path, attempt, attempts_path,
                             stage="outputs", sort_kept=str(dest))


def _full_sort_failed(entry, verdict, started, log_path: Path, verdict_path: Path, attempt: int = 1,
                      attempts_path: Path | None = None, **extra) -> int:
    record = {"recording": entry.name, "status": "failed", **verdict.as_dict(), "attempt": attempt,
              "seconds": round(time.monotonic() - started, 3), **extra}
    record["evidence"].setdefault("log_tail", tail(log_path, 2000))
    _write_verdict(verdict_path, record)
    if attempts_path is not None:
        write_json_atomic(attempts_path, [*read_json(attempts_path, []), record])
    log.error("full sort FAILED %s: %s/%s: %s -- %s", entry.name, verdict.category, verdict.error_class,
              verdict.message, verdict.remediation)
    return EXIT_FAILED
