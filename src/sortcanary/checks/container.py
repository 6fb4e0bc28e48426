"""The container engine a containerised sorter needs, reached the way SpikeInterface reaches it."""

from __future__ import annotations

from ..classification import classify_text

from ..taxonomy import SortFailure, verdict_for


def check_container_engine() -> str:
    """Ping the Docker engine; return its version. Every failure to reach it is a classified verdict."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        return str(client.version().get("Version", "unknown"))
    except Exception as exc:  # noqa: BLE001 -- every failure to reach the engine is a verdict
        text = f"{type(exc).__name__}: {exc}"
        raise SortFailure(classify_text(text) or verdict_for("container_error", message=text[:300], reason="other")) from exc
