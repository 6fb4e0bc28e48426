"""The torch device a sorter will use, checked before any sort.

``torch_device: cuda`` on a CPU-only torch, or a torch build without kernels for this GPU, fails
in seconds here instead of minutes into a canary (or hours into a sort).
"""

from __future__ import annotations

from ..classification import classify_text

from ..taxonomy import SortFailure, verdict_for


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
