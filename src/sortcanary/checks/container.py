"""The container engine a containerised sorter needs, reached the way SpikeInterface reaches it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

from ..boundary import JSONDict
from ..taxonomy import SortFailure, verdict_for


def check_container_engine(container: JSONDict) -> str:
    """The engine the plan's container option needs (Docker or Apptainer/Singularity); its version."""
    return check_docker_engine() if container.get("docker_image") else check_apptainer()


def check_docker_engine() -> str:
    """Ping the Docker engine; return its version. Every failure to reach it is a classified verdict."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        return str(client.version().get("Version", "unknown"))
    except Exception as exc:  # every failure to reach the engine is a verdict
        text = f"{type(exc).__name__}: {exc}"
        from ..classification import classify_text  # the built-in rules: imported only when there is a failure

        raise SortFailure(classify_text(text) or verdict_for("container_error", message=text[:300], reason="other")) from exc


def check_apptainer() -> str:
    """What SpikeInterface needs for singularity_image: apptainer or singularity on PATH, and spython.

    Apptainer is a client binary with no daemon, so finding it and reading its version is the check."""
    client = shutil.which("apptainer") or shutil.which("singularity")
    if client is None:
        raise SortFailure(verdict_for(
            "container_runtime_missing",
            message="singularity_image is set but neither apptainer nor singularity is on PATH "
            "(load its module, install Apptainer, or unset singularity_image).",
        ))
    if importlib.util.find_spec("spython") is None:
        raise SortFailure(verdict_for(
            "container_runtime_missing",
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
