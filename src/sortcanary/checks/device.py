"""The torch device a sorter will use, checked before any sort.

``torch_device: cuda`` on a CPU-only torch, or a torch build without kernels for this GPU, fails
in seconds here instead of minutes into a canary (or hours into a sort). And the quiet failure:
with ``torch_device: auto``, a CPU-only torch on a machine with an NVIDIA GPU would resolve to the
CPU, and a two-hour sort would take two days without a word. A GPU is visible when the kernel
driver's device nodes (``/dev/nvidia0``, ...) exist or ``nvidia-smi`` lists one; then ``auto``
must get CUDA, or it is an environment verdict. Only an explicit ``torch_device: cpu`` sorts on
the CPU beside a GPU.
"""

from __future__ import annotations

import glob
import shutil
import subprocess

from ..taxonomy import SortFailure, verdict_for

DEVICE_NODES = "/dev/nvidia[0-9]*"


def visible_gpus(device_nodes: str = DEVICE_NODES) -> list[str]:
    """The NVIDIA GPUs this machine shows: device nodes matching ``device_nodes``, else the GPUs
    ``nvidia-smi -L`` lists (a container may show the tool without the nodes, or the reverse)."""
    nodes = sorted(glob.glob(device_nodes))
    if nodes or device_nodes != DEVICE_NODES or shutil.which("nvidia-smi") is None:
        return nodes
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split(":")[0] for line in listed.splitlines() if line.startswith("GPU ")]


def resolve_torch_device(requested: str, device_nodes: str = DEVICE_NODES) -> str:
    """The device a torch sorter will use; raise an environment verdict if ``cuda`` can't work, or
    if ``auto`` would fall back to the CPU beside a visible GPU."""
    import torch

    if requested == "cpu":
        return "cpu"
    available = torch.cuda.is_available()
    if requested == "auto" and not available:
        gpus = visible_gpus(device_nodes)
        if gpus:
            build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
            raise SortFailure(verdict_for(
                "gpu_unused",
                message=f"sortcanary: {len(gpus)} NVIDIA GPU(s) visible ({', '.join(gpus[:4])}) but torch "
                        f"{torch.__version__} is {build} and can't use them; torch_device: auto would sort on the CPU.",
                gpus=gpus, torch=torch.__version__))
        return "cpu"
    if requested == "auto":
        return "cuda"
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
        from ..classification import classify_text  # the built-in rules: imported only when there is a failure

        raise SortFailure(classify_text(str(exc)) or verdict_for("device_unavailable", message=str(exc)[:300])) from exc
    return "cuda"
