"""The preflight job: checks that cost seconds and save hours, run once before any canary.

The findings use the failure taxonomy, so a failed preflight reads like any other verdict. The
report is deterministic (no free-space figures, no timestamps): canaries take it as input, and an
unchanged environment must not look like a change. ``checked`` lists the checks that ran, and
only those. What to check comes from the preflight plan (sortcanary.plan.preflight), never from
the config itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..atomic import write_json_atomic
from ..boundary import JSONDict
from ..checks.container import check_container_engine
from ..checks.device import resolve_torch_device
from ..checks.disk import check_free_space, check_writable
from ..plan.preflight import PreflightPlan
from ..plan.sorters import resolve_backend
from ..recordings.formats import hdf5
from ..taxonomy import SortFailure
from .records import clear_verdict, tell_console

log = logging.getLogger("sortcanary")


def run_preflight(plan: PreflightPlan, *, results_dir: Path, scratch_dir: Path) -> JSONDict:
    """Run every check that applies; return the (deterministic) report or raise SortFailure on the
    first failure."""
    backend = resolve_backend(plan.sorter)
    backend.check_installed(**plan.container)
    report: JSONDict = {"status": "ok", "sorter": plan.sorter, "sorter_version": backend.version(), "checked": ["sorter"]}
    if plan.container:
        report["container_engine"] = check_container_engine(plan.container)
        report["sorter_version"] = "in container"
        report["checked"].append("container_engine")
    if "torch_device" in backend.default_params() or plan.torch_device != "auto":
        report["torch_device"] = resolve_torch_device(plan.torch_device)
        report["checked"].append("torch_device")
    for folder in (results_dir, scratch_dir):
        check_writable(folder)
        check_free_space(folder, plan.min_free_gb)
    report["checked"] += ["writable", "free_space"]
    if plan.hdf5_filters:
        hdf5.require_filters(plan.hdf5_filters, plan.hdf5_plugin_path, "discovered recordings")
        report["hdf5_filters"] = list(plan.hdf5_filters)
        report["checked"].append("hdf5_filters")
    return report


def nwb_not_dandi_ready(plan: PreflightPlan) -> JSONDict | None:
    """With NWB export on and the subject (partly) unset: what to set for DANDI, else None.

    The export still runs; the files just won't pass DANDI's validation. A recording that is an
    NWB file with its own Subject keeps that one, and a ``recordings:`` override can give some
    recordings theirs (sortcanary.plan.overrides): this config-level check sees neither.
    """
    if not plan.nwb_export or not plan.nwb_gaps:
        return None
    return {"missing": list(plan.nwb_gaps),
            "message": "units.nwb files will not be DANDI-ready (no complete Subject: DANDI requires subject_id, "
                       f"species, sex and age); set {', '.join(plan.nwb_gaps)} in config/config.yaml "
                       "(see config/README.md, outputs.nwb_metadata; a recordings: override can set them per "
                       "recording)"}


def preflight_job(plan: PreflightPlan, *, report_path: str, verdict_path: str) -> int:
    """The workflow's preflight rule: write the report, or a verdict that blocks every canary.

    A config that makes NWB files DANDI can't take is warned about here, once per run, in the log
    and in the report (``nwb_not_dandi_ready``), whether or not the checks are enabled.
    """
    clear_verdict(verdict_path)
    notice = nwb_not_dandi_ready(plan)
    if notice:
        log.warning("%s", notice["message"])
    extra = {"nwb_not_dandi_ready": notice} if notice else {}
    if not plan.enabled:
        report = {"status": "skipped", "reason": "preflight.enabled is false", **extra}
        write_json_atomic(verdict_path, report)
        write_json_atomic(report_path, report)
        log.info("preflight skipped (preflight.enabled: false)")
        return 0
    try:
        report = run_preflight(plan, results_dir=Path(report_path).parent, scratch_dir=Path(plan.scratch_dir))
    except SortFailure as failure:
        verdict = failure.verdict
        record = {"status": "failed", **verdict.as_dict()}
        write_json_atomic(verdict_path, record)
        log.error("PREFLIGHT FAILED (every canary is blocked): %s/%s: %s -- %s", verdict.category,
                  verdict.error_class, verdict.message, verdict.remediation)
        tell_console("PREFLIGHT FAILED (every canary is blocked)", record, verdict_path)
        return 1
    report.update(extra)
    write_json_atomic(verdict_path, report)
    write_json_atomic(report_path, report)
    log.info("preflight ok: %s", report)
    return 0
