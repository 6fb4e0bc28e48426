"""The preflight job: checks that cost seconds and save hours, run once before any canary.

The findings use the failure taxonomy, so a failed preflight reads like any other verdict. The
report is deterministic (no free-space figures, no timestamps): canaries take it as input, and an
unchanged environment must not look like a change. ``checked`` lists the checks that ran, and
only those.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..atomic import write_json_atomic
from ..checks.container import check_container_engine
from ..checks.device import resolve_torch_device
from ..checks.disk import check_free_space, check_writable
from ..taxonomy import SortFailure
from ..plan.sorters import resolve_backend
from ..recordings.formats import hdf5
from .records import clear_verdict, tell_console

log = logging.getLogger("sortcanary")


def run_preflight(cfg: dict, *, results_dir: Path, scratch_dir: Path, hdf5_filters=()) -> dict:
    """Run every check that applies; return the (deterministic) report or raise SortFailure on the
    first failure. ``hdf5_filters``: the HDF5 filter ids the discovered recordings need."""
    backend = resolve_backend(cfg["sorter"])
    backend.check_installed(docker_image=cfg["docker_image"])
    report = {"status": "ok", "sorter": cfg["sorter"], "sorter_version": backend.version(), "checked": ["sorter"]}
    if cfg["docker_image"]:
        report["container_engine"] = check_container_engine()
        report["sorter_version"] = "in container"
        report["checked"].append("container_engine")
    if "torch_device" in backend.default_params() or cfg["torch_device"] != "auto":
        report["torch_device"] = resolve_torch_device(cfg["torch_device"])
        report["checked"].append("torch_device")
    for folder in (results_dir, scratch_dir):
        check_writable(folder)
        check_free_space(folder, cfg["preflight"]["min_free_gb"])
    report["checked"] += ["writable", "free_space"]
    if hdf5_filters:
        hdf5.require_filters(hdf5_filters, cfg["formats"]["hdf5_plugin_path"], "discovered recordings")
        report["hdf5_filters"] = sorted(int(f) for f in hdf5_filters)
        report["checked"].append("hdf5_filters")
    return report


def preflight_job(cfg: dict, *, report_path: str, verdict_path: str, hdf5_filters=()) -> int:
    """The workflow's preflight rule: write the report, or a verdict that blocks every canary."""
    clear_verdict(verdict_path)
    if not cfg["preflight"]["enabled"]:
        report = {"status": "skipped", "reason": "preflight.enabled is false"}
        write_json_atomic(verdict_path, report)
        write_json_atomic(report_path, report)
        log.info("preflight skipped (preflight.enabled: false)")
        return 0
    try:
        report = run_preflight(cfg, results_dir=Path(report_path).parent, scratch_dir=Path(cfg["scratch_dir"]),
                               hdf5_filters=hdf5_filters)
    except SortFailure as failure:
        verdict = failure.verdict
        record = {"status": "failed", **verdict.as_dict()}
        write_json_atomic(verdict_path, record)
        log.error("PREFLIGHT FAILED (every canary is blocked): %s/%s: %s -- %s", verdict.category,
                  verdict.error_class, verdict.message, verdict.remediation)
        tell_console("PREFLIGHT FAILED (every canary is blocked)", record, verdict_path)
        return 1
    write_json_atomic(verdict_path, report)
    write_json_atomic(report_path, report)
    log.info("preflight ok: %s", report)
    return 0
