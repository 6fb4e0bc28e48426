"""What a GPU out-of-memory leaves behind: a snapshot beside the job's log (``<log>.gpu-oom.txt``),
named in the verdict's evidence. Who else held the GPU (``nvidia-smi``, when it is installed) and
how torch's caching allocator had carved up its share (``torch.cuda.memory_summary()``, which the
child sends with its failure) are gone once the job ends, and they are what tells "batch too
large" from "another process holds the card"."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ...atomic import write_text_atomic
from ...layout import GPU_SNAPSHOT_SUFFIX, beside_log

NVIDIA_SMI_TIMEOUT_S = 20


def nvidia_smi() -> str:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return "nvidia-smi: not installed on this host"
    try:
        done = subprocess.run([exe], capture_output=True, text=True, timeout=NVIDIA_SMI_TIMEOUT_S, check=False)
        return done.stdout + done.stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"nvidia-smi: {type(exc).__name__}: {exc}"


def write_gpu_snapshot(log_path: Path, memory_summary: str | None) -> Path:
    """Write the snapshot beside ``log_path``; return its path."""
    path = beside_log(log_path, GPU_SNAPSHOT_SUFFIX)
    summary = memory_summary or "torch.cuda.memory_summary(): not available (torch's CUDA was not initialised)"
    write_text_atomic(path, f"== nvidia-smi ==\n{nvidia_smi()}\n\n== torch.cuda.memory_summary() ==\n{summary}\n")
    return path
