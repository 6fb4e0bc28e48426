"""Checks that cost seconds and save hours: run once before any canary.

The findings use the failure taxonomy, so a failed preflight reads like any other verdict. The
report is deterministic (no free-space figures, no timestamps): canaries take it as input, and an
unchanged environment must not look like a change.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .classification import SortFailure, classify_text, verdict_for
from .sorters import resolve_backend


def resolve_torch_device(requested: str) -> str:
    """The device a torch sorter will use; raise an environment verdict if ``cuda`` can't work."""
    import torch

    if requested == "cpu":
        return "cpu"
    available = torch.cuda.is_available()
    if requested == "auto":
        return "cuda" if available else "cpu"
    if not available:
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}, no usable GPU"
        raise SortFailure(verdict_for(
            "device_unavailable",
            message=f"sortcanary: CUDA requested (torch_device: cuda) but torch {torch.__version__} is {build}.",
            torch=torch.__version__,
        ))
    try:  # a real kernel launch catches "no kernel image is available for execution on the device"
        (torch.ones(8, device="cuda") * 2).sum().item()
    except RuntimeError as exc:
        raise SortFailure(classify_text(str(exc)) or verdict_for("device_unavailable", message=str(exc)[:300])) from exc
    return "cuda"


def check_container_engine() -> str:
    """Ping the Docker engine the way SpikeInterface will reach it; its errors are classified."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        return str(client.version().get("Version", "unknown"))
    except Exception as exc:  # noqa: BLE001 -- every failure to reach the engine is a verdict
        text = f"{type(exc).__name__}: {exc}"
        raise SortFailure(classify_text(text) or verdict_for("container_error", message=text[:300], reason="other")) from exc


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sortcanary-write-check-"):
            pass
    except OSError as exc:
        raise SortFailure(verdict_for(
            "disk_exhausted" if exc.errno == 28 else "probe_config_error",
            message=f"Folder {folder} is not writable ({exc.strerror}).",
        )) from exc


def _check_free_space(folder: Path, min_free_gb: float) -> None:
    free = shutil.disk_usage(folder).free
    if free < min_free_gb * 1e9:
        raise SortFailure(verdict_for(
            "disk_exhausted",
            message=f"Only {free / 1e9:.2f} GB free in {folder}; preflight.min_free_gb is {min_free_gb}.",
            free_bytes=free,
        ))


def check_hdf5_filters(filters, plugin_path: str | None) -> None:
    """Every HDF5 filter the discovered recordings need can be loaded (MaxWell's compression plugin)."""
    from .formats import hdf5

    missing = hdf5.unavailable_filters(filters, plugin_path)
    if missing:
        raise SortFailure(verdict_for(
            "hdf5_plugin_missing",
            message=hdf5.missing_plugin_message(missing, "discovered recordings", plugin_path),
            filters=missing,
        ))


def run_preflight(cfg: dict, *, results_dir: Path, scratch_dir: Path, hdf5_filters=()) -> dict:
    """Run every check; return the (deterministic) report or raise SortFailure on the first failure.

    ``hdf5_filters``: the HDF5 filter ids the discovered recordings need (see formats.hdf5).
    """
    backend = resolve_backend(cfg["sorter"])
    backend.check_installed(docker_image=cfg.get("docker_image"))
    report = {"status": "ok", "sorter": cfg["sorter"], "sorter_version": backend.version()}
    if cfg.get("docker_image"):
        report["container_engine"] = check_container_engine()
        report["sorter_version"] = "in container"
    if "torch_device" in backend.default_params() or cfg["torch_device"] != "auto":
        report["torch_device"] = resolve_torch_device(cfg["torch_device"])
    for folder in (results_dir, scratch_dir):
        _check_writable(folder)
        _check_free_space(folder, cfg["preflight"]["min_free_gb"])
    report["checked"] = ["sorter", "torch_device", "writable", "free_space"]
    if hdf5_filters:
        check_hdf5_filters(hdf5_filters, cfg["formats"]["hdf5_plugin_path"])
        report["hdf5_filters"] = sorted(int(f) for f in hdf5_filters)
        report["checked"].append("hdf5_filters")
    return report


def nwb_not_dandi_ready(cfg: dict) -> dict | None:
    """With NWB export on and the subject (partly) unset: what to set for DANDI, else None.

    The export still runs; the files just won't pass DANDI's validation. A recording that is an
    NWB file with its own Subject keeps that one, which this config-level check can't see.
    """
    from .nwb_export import dandi_gaps

    outputs = cfg.get("outputs", {})
    missing = dandi_gaps(outputs.get("nwb_metadata", {}))
    if not outputs.get("exporters", {}).get("nwb") or not missing:
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
    import logging

    from .outputs import clear_verdict, write_json_atomic

    clear_verdict(verdict_path)
    log = logging.getLogger("sortcanary")
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
        write_json_atomic(verdict_path, {"status": "failed", **verdict.as_dict()})
        log.error("PREFLIGHT FAILED (every canary is blocked): %s/%s: %s -- %s", verdict.category,
                  verdict.error_class, verdict.message, verdict.remediation)
        return 1
    report.update(extra)
    write_json_atomic(verdict_path, report)
    write_json_atomic(report_path, report)
    log.info("preflight ok: %s", report)
    return 0
