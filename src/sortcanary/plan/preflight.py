"""The preflight plan: what the preflight job checks, resolved from the config in one place.

Like a sort's plan (sortcanary.plan.sortplan), it is where the config's keys are read for its job:
the preflight job (sortcanary.jobs.preflight) reads this plan and nothing else. It holds the
configured values, not their resolution: the checks run on the machine that runs the job (the
torch device, the folders' free space, the HDF5 filters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..boundary import JSONDict
from .sortplan import container_options

DANDI_SUBJECT_KEYS = ("subject_id", "species", "sex", "age")  # what DANDI's validation requires


@dataclass(frozen=True)
class PreflightPlan:
    enabled: bool  # preflight.enabled
    sorter: str
    container: JSONDict  # the run_sorter container option the config sets, or {}
    torch_device: str  # as configured: auto, cuda or cpu
    scratch_dir: str
    min_free_gb: float
    hdf5_plugin_path: str | None  # formats.hdf5_plugin_path
    hdf5_filters: tuple[int, ...]  # the HDF5 filter ids the discovered recordings need
    nwb_export: bool  # outputs.exporters.nwb
    nwb_gaps: tuple[str, ...]  # the outputs.nwb_metadata keys DANDI requires that are unset


def dandi_gaps(metadata: JSONDict) -> list[str]:
    """The ``outputs.nwb_metadata`` keys DANDI requires that are not set."""
    subject = metadata.get("subject") or {}
    return [f"outputs.nwb_metadata.subject.{key}" for key in DANDI_SUBJECT_KEYS if not subject.get(key)]


def plan_preflight(cfg: JSONDict, hdf5_filters: Iterable[int] = ()) -> PreflightPlan:
    """The preflight plan of a validated config; ``hdf5_filters``: what discovery found the
    recordings need."""
    outputs = cfg["outputs"]
    return PreflightPlan(enabled=bool(cfg["preflight"]["enabled"]), sorter=cfg["sorter"],
                         container=container_options(cfg), torch_device=cfg["torch_device"],
                         scratch_dir=str(cfg["scratch_dir"]), min_free_gb=float(cfg["preflight"]["min_free_gb"]),
                         hdf5_plugin_path=cfg["formats"]["hdf5_plugin_path"],
                         hdf5_filters=tuple(sorted(int(f) for f in hdf5_filters)),
                         nwb_export=bool(outputs["exporters"]["nwb"]),
                         nwb_gaps=tuple(dandi_gaps(outputs["nwb_metadata"])))
