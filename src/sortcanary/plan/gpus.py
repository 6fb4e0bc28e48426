"""The ``gpus`` setting, resolved: the device ids a local run pins its sorter jobs to.

Snakemake counts GPUs (the ``gpu`` resource) but never says which one a job gets: without an
assignment every sorter of a local run starts on ``cuda:0``. So the plan carries the ids the run
may use, and each sorter child is given one of them alone (sortcanary.runner.gpu_slots).

* ``auto``: every GPU this run sees -- the ids in ``CUDA_VISIBLE_DEVICES`` when it is set (the
  user narrowed the run), else ``0 .. n-1`` for the n GPUs the machine shows (device nodes or
  ``nvidia-smi -L``; CUDA numbers visible devices from 0, inside a container too);
* a list: exactly those ids, as ``CUDA_VISIBLE_DEVICES`` takes them (indices or UUIDs);
* none at all (no GPU, ``torch_device: cpu``, or a SLURM job, whose scheduler already chose the
  job's GPUs): an empty tuple, and the child's environment is left as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

GpuSetting = str | Iterable[int | str]  # the config's ``gpus``: "auto" or the device ids


def under_scheduler(environ: Mapping[str, str] = os.environ) -> bool:
    """A SLURM job: the scheduler's assignment (its CUDA_VISIBLE_DEVICES) is kept untouched."""
    return bool(environ.get("SLURM_JOB_ID"))


def visible_ids(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """What ``gpus: auto`` means on this machine (see the module doc)."""
    listed = environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return tuple(i.strip() for i in listed.split(",") if i.strip() and i.strip() != "-1")
    from ..checks.device import visible_gpus

    return tuple(str(i) for i in range(len(visible_gpus())))


def resolve_gpu_ids(setting: GpuSetting, torch_device: str | None = None,
                    environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The ids a local sorter job may be pinned to; () = leave CUDA_VISIBLE_DEVICES alone."""
    if torch_device == "cpu" or under_scheduler(environ):
        return ()
    if setting == "auto":
        return visible_ids(environ)
    return tuple(str(i) for i in setting)


def local_slots(setting: GpuSetting, environ: Mapping[str, str] = os.environ) -> int:
    """How many sorter jobs a local run can pin at once (the workflow's default ``gpu`` resource)."""
    return len(resolve_gpu_ids(setting, environ=environ))
