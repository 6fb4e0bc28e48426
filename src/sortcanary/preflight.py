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
from .sorters import container_options, resolve_backend


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


def check_container_engine(cfg: dict) -> str:
    """The container engine the config's image needs (Docker or Apptainer/Singularity); its version."""
    return check_docker_engine() if cfg.get("docker_image") else check_apptainer()


def check_docker_engine() -> str:
    """Ping the Docker engine the way SpikeInterface will reach it; its errors are classified."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        return str(client.version().get("Version", "unknown"))
    except Exception as exc:  # noqa: BLE001 -- every failure to reach the engine is a verdict
        text = f"{type(exc).__name__}: {exc}"
        raise SortFailure(classify_text(text) or verdict_for("container_error", message=text[:300], reason="other")) from exc


def check_apptainer() -> str:
    """What SpikeInterface needs for singularity_image: apptainer or singularity on PATH, and spython.

    Apptainer is a client binary with no daemon, so finding it and reading its version is the check."""
    import importlib.util
    import subprocess

    client = shutil.which("apptainer") or shutil.which("singularity")
    if client is None:
        raise SortFailure(verdict_for(
            "container_error", reason="client_missing",
            message="singularity_image is set but neither apptainer nor singularity is on PATH "
            "(load its module, install Apptainer, or unset singularity_image).",
        ))
    if importlib.util.find_spec("spython") is None:
        raise SortFailure(verdict_for(
            "container_error", reason="client_missing",
            message="singularity_image is set but the spython package SpikeInterface drives Apptainer with is "
            "missing: pip install 'sortcanary[containers]'.",
        ))
    try:
        done = subprocess.run([client, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SortFailure(verdict_for("container_error", reason="other", message=f"{client} --version: {exc}")) from exc
    if done.returncode != 0:
        text = f"{client} --version failed: {(done.stderr or done.stdout).strip()[:300]}"
        raise SortFailure(verdict_for("container_error", reason="other", message=text))
    return done.stdout.strip()


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
    container = container_options(cfg)
    backend.check_installed(**container)
    report = {"status": "ok", "sorter": cfg["sorter"], "sorter_version": backend.version()}
    if container:
        report["container_engine"] = check_container_engine(cfg)
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


def preflight_job(cfg: dict, *, report_path: str, verdict_path: str, hdf5_filters=()) -> int:
    """The workflow's preflight rule: write the report, or a verdict that blocks every canary."""
    import logging

    from .outputs import clear_verdict, write_json_atomic

    clear_verdict(verdict_path)
    log = logging.getLogger("sortcanary")
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
        write_json_atomic(verdict_path, {"status": "failed", **verdict.as_dict()})
        log.error("PREFLIGHT FAILED (every canary is blocked): %s/%s: %s -- %s", verdict.category,
                  verdict.error_class, verdict.message, verdict.remediation)
        return 1
    write_json_atomic(verdict_path, report)
    write_json_atomic(report_path, report)
    log.info("preflight ok: %s", report)
    return 0
