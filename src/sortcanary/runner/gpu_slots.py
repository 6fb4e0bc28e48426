"""GPU slots: one sorter child per device on a machine with several GPUs.

Snakemake's ``gpu`` resource only counts: with ``gpu: 4`` it starts four sorters, and each would
take ``cuda:0``. So a job claims a device before it starts its sorter child, and the child gets
``CUDA_VISIBLE_DEVICES`` set to that one id. The claim is an ``fcntl.flock`` on a lock file per
device (layout.GPU_SLOT, under the workflow's working directory): the kernel drops the lock when
the holder exits, however it ends, so a job killed with SIGKILL (the OOM killer, a cancelled run)
never leaves its device held. A job that finds every device held waits for one to come free
(the ``gpu`` resource normally keeps that from happening).

With no ids to pin (no GPU, a CPU sort, or a SLURM job whose scheduler assigned the GPUs, see
sortcanary.plan.gpus) nothing is claimed and the child's environment is left as it is.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .. import layout
from ..boundary import JSONDict

log = logging.getLogger("sortcanary")

POLL_S = 1.0


def try_claim(gpu_id: str, root: str = ".") -> TextIO | None:
    """The open, locked lock file of ``gpu_id``, or None when another process holds it."""
    path = Path(layout.path(layout.GPU_SLOT, root, gpu=gpu_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a")  # noqa: SIM115 -- the lock lives as long as the caller holds the file
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


@contextmanager
def gpu_slot(gpu_ids: Sequence[str], root: str = ".", poll_s: float = POLL_S) -> Iterator[str | None]:
    """Hold one free device of ``gpu_ids`` for the body; yield its id (None when there is none to pin)."""
    if not gpu_ids:
        yield None
        return
    waited = False
    while True:
        for gpu_id in gpu_ids:
            handle = try_claim(gpu_id, root)
            if handle is not None:
                break
        else:
            if not waited:
                log.info("all GPU slots (%s) are held by other jobs; waiting for one", ", ".join(gpu_ids))
                waited = True
            time.sleep(poll_s)
            continue
        break
    try:
        log.info("pinned to GPU %s (CUDA_VISIBLE_DEVICES=%s)", gpu_id, gpu_id)
        yield gpu_id
    finally:
        handle.close()  # closing the file releases the lock


def child_env(gpu_id: str | None) -> JSONDict | None:
    """The sorter child's environment: this one with CUDA_VISIBLE_DEVICES pinned, or None (inherit)."""
    if gpu_id is None:
        return None
    return {**os.environ, "CUDA_VISIBLE_DEVICES": gpu_id}


def device_used(gpu_id: str | None, torch_device: str | None) -> str | None:
    """What the records say the job ran on: the pinned id, else the scheduler's assignment (an
    inherited CUDA_VISIBLE_DEVICES); None for a CPU sort or a machine without GPUs."""
    if gpu_id is not None:
        return gpu_id
    if torch_device == "cpu":
        return None
    return os.environ.get("CUDA_VISIBLE_DEVICES") or None
