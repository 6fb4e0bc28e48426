"""One sort of a plan: the sorter, then the post-sort products, each in a watched child process.

The canary and the full sort both call ``sort_plan``; that is what makes the canary a faithful
rehearsal: same sorter, loader, parameters and code path, only the plan's window differs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..boundary import JSONDict
from ..checks.sampling_rate import check_sampling_frequency
from ..layout import IN_SORTED
from ..plan.sorters import resolve_backend
from ..plan.sortplan import SortPlan
from ..products.build import any_wanted, check_dependencies
from ..recordings.session_start import session_start
from ..runner.progress import ProgressReporter
from ..runner.watched import run_task
from ..taxonomy import SortFailure, Verdict, unclassified
from .records import versions

log = logging.getLogger("sortcanary")


class OutputsFailure(SortFailure):
    """The sort succeeded but its post-sort step failed; ``outcome`` is the finished sort's."""

    def __init__(self, verdict: Verdict, outcome: JSONDict):
        super().__init__(verdict)
        self.outcome = outcome


def report_context(plan: SortPlan, outcome: JSONDict, defaults: JSONDict, extra: JSONDict | None = None) -> JSONDict:
    """What the report page shows besides the outputs: recording facts, sorter, parameters that
    differ from the sorter's defaults, versions, sort timing (plus the caller's canary marker)."""
    entry = plan.recording
    start, start_source = session_start(entry, plan.outputs["nwb_metadata"]["timezone"])
    params = outcome["sorter_params"]
    return {
        "recording": {k: getattr(entry, k) for k in ("name", "source", "path", "format", "stream", "num_channels",
                                                     "sampling_frequency", "duration_s", "parent", "group")},
        "window": plan.window.as_dict() if plan.window else None,
        "sorter": outcome["sorter"],
        "sorter_version": outcome["sorter_version"],
        "params_non_default": {k: v for k, v in sorted(params.items()) if k not in defaults or defaults[k] != v},
        "versions": versions(),
        "timings": {"sort_s": outcome["sort_seconds"]},
        # NWB wants a session start: the acquisition's own clock, a file's mtime only as the last resort.
        "session_start": start.isoformat(),
        "session_start_source": start_source,
        "recipe": {**plan.recipe.as_dict(), **(outcome.get("recipe") or {})},
        **(extra or {}),
    }


def sort_plan(plan: SortPlan, *, dest: Path, workdir: Path, log_path: Path, context: JSONDict | None = None,
              progress: ProgressReporter | None = None) -> JSONDict:
    """Sort ``plan`` into ``dest``, then build the post-sort outputs its plan asks for there;
    return the outcome or raise SortFailure.

    ``dest`` receives ``sorter/`` (the sorter's own folder), ``sorting/`` (a SpikeInterface sorting
    folder) and the products (layout.IN_SORTED). A failed post-sort step raises OutputsFailure,
    which carries the finished sort's outcome. ``context`` adds to the report page; ``progress``
    is the job's progress reporter (sortcanary.runner.progress). The outcome carries the sorter's
    ``peak_rss_bytes`` (its process tree) and ``peak_gpu_bytes`` (torch's allocator; None without
    CUDA); the post-sort step's own peak RSS is in ``outputs``.
    """
    backend = resolve_backend(plan.sorter, plan.root)
    check_sampling_frequency(backend, plan.recording.sampling_frequency, plan.recording.source)
    if any_wanted(plan.outputs):
        check_dependencies(plan.outputs)  # e.g. NWB without pynwb: an environment verdict now, not after the sort
    dest.mkdir(parents=True, exist_ok=True)
    log.info("sorting %s (%s, %.1f s of %.1f s) with %s %s; inactivity timeout %.0f s", plan.recording.name,
             "window" if plan.window else "full", plan.duration_s, plan.recording.duration_s, plan.sorter,
             plan.sorter_params, plan.inactivity_timeout_s)
    run = run_task(plan, "sort", dest=dest, workdir=workdir, log_path=log_path,
                   sorter_logs=backend.log_files(dest / IN_SORTED["sorter"]), progress=progress)
    if run.verdict is not None:  # a failed run carries its verdict
        if run.gpu is not None:
            run.verdict.evidence.setdefault("gpu", run.gpu)
        raise SortFailure(run.verdict)
    outcome = {
        "units": run.units,
        "sort_seconds": round(run.seconds, 3),
        "sorter": plan.sorter,
        "sorter_version": run.details.get("sorter_version", "unknown"),
        # the plan's, unless the child switched the sorter's drift correction off for this probe
        "sorter_params": run.details.get("sorter_params", plan.sorter_params),
        "duration_s": plan.duration_s,
        "gpu": run.gpu,  # the device it ran on (None: CPU, or no GPU)
        # what the sorter took, for sizing the full sort's request (sortcanary.runner.watched)
        "peak_rss_bytes": run.details["peak_rss_bytes"],
        "peak_gpu_bytes": run.details["peak_gpu_bytes"],
        # the part of sort_seconds that grows with the length (sortcanary.runner.progress.DATA_PASSES)
        "data_pass_seconds": run.details.get("data_pass_seconds"),
    }
    if run.details.get("data_checks"):
        outcome["data_checks"] = run.details["data_checks"]
    if run.details.get("runs"):  # join: runs: each run's sorting, which run it is and where it starts
        outcome["runs"] = run.details["runs"]
    if run.details.get("recipe"):  # what the recipe's chain did, and its notes (sortcanary.runner.chain)
        outcome["recipe"] = run.details["recipe"]
    try:
        context = report_context(plan, outcome, backend.default_params(), context)
        outcome["outputs"] = build_outputs(plan, dest=dest, workdir=workdir, log_path=log_path, context=context,
                                           progress=progress)
    except SortFailure as failure:
        raise OutputsFailure(failure.verdict, outcome) from failure
    except Exception as exc:  # whatever goes wrong after the sort must not cost the sort
        log.exception("post-sort step failed unexpectedly")
        raise OutputsFailure(unclassified(f"{type(exc).__name__}: {str(exc)[:500]}"), outcome) from exc
    return outcome


def build_outputs(plan: SortPlan, *, dest: Path, workdir: Path, log_path: Path, context: JSONDict,
                  progress: ProgressReporter | None = None) -> JSONDict:
    """Build the post-sort outputs from the sorting saved in ``dest``, in a watched child process
    of its own: a crash or hang there is classified like a sorter's, and the sort survives it.
    Returns the record kept in sort.json: ``ok``, the ``config`` it was built with, and what was
    made; raises SortFailure."""
    record = {"ok": True, "config": plan.outputs}
    if not any_wanted(plan.outputs):
        return record
    run = run_task(plan, "outputs", dest=dest, workdir=workdir, log_path=log_path, context=context, progress=progress)
    if run.verdict is not None:
        raise SortFailure(run.verdict)
    log.info("post-sort outputs of %s built in %.1f s", plan.recording.name, run.seconds)
    return {**record, **run.details["outputs"], "seconds": round(run.seconds, 3),
            "peak_rss_bytes": run.details["peak_rss_bytes"]}


def verdict_of(exc: Exception, doing: str) -> Verdict:
    """A SortFailure's own verdict; anything else is logged with its traceback and unclassified."""
    if isinstance(exc, SortFailure):
        return exc.verdict
    log.exception("%s failed unexpectedly", doing)
    return unclassified(f"{type(exc).__name__}: {str(exc)[:500]}")
