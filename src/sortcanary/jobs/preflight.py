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
from ..plan.sortplan import container_options
from ..products.nwb import dandi_gaps
from ..recordings.formats import hdf5
from .records import clear_verdict, tell_console

log = logging.getLogger("sortcanary")


def run_preflight(cfg: dict, *, results_dir: Path, scratch_dir: Path, hdf5_filters=()) -> dict:
    """Run every check that applies; return the (deterministic) report or raise SortFailure on the
    first failure. ``hdf5_filters``: the HDF5 filter ids the discovered recordings need."""
    backend = resolve_backend(cfg["sorter"])
    container = container_options(cfg)
    backend.check_installed(**container)
    report = {"status": "ok", "sorter": cfg["sorter"], "sorter_version": backend.version(), "checked": ["sorter"]}
    if container:
        report["container_engine"] = check_container_engine(container)
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


def nwb_not_dandi_ready(cfg: dict) -> dict | None:
    """With NWB export on and the subject (partly) unset: what to set for DANDI, else None.

    The export still runs; the files just won't pass DANDI's validation. A recording that is an
    NWB file with its own Subject keeps that one, which this config-level check can't see.
    """
    missing = dandi_gaps(cfg["outputs"]["nwb_metadata"])
    if not cfg["outputs"]["exporters"]["nwb"] or not missing:
        return None
    return {"missing": missing,
            "message": "units.nwb files will not be DANDI-ready (no complete Subject: DANDI requires subject_id, "
                       f"species, sex and age); set {', '.join(missing)} in config/config.yaml "
                       "(see config/README.md, outputs.nwb_metadata)"}


def preflight_job(cfg: dict, *, report_path: str, verdict_path: str, hdf5_filters=()) -> int:
    """The workflow's preflight rule: write the report, or a verdict that blocks every canary.

    A config that makes NWB files DANDI can't take is warned about here, once per run, in the log
    and in the report (``nwb_not_dandi_ready``), whether or not the checks are enabled.
    """
    clear_verdict(verdict_path)
    notice = nwb_not_dandi_ready(cfg)
    if notice:
        log.warning("%s", notice["message"])
    extra = {"nwb_not_dandi_ready": notice} if notice else {}
    if not cfg["preflight"]["enabled"]:
        report = {"status": "skipped", "reason": "preflight.enabled is false", **extra}
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
    report.update(extra)
    write_json_atomic(verdict_path, report)
    write_json_atomic(report_path, report)
    log.info("preflight ok: %s", report)
    return 0
