"""Probe groups: which channels make one shank (or one probe of several), from metadata only.

A multi-shank probe is sorted per shank (config ``split_by: group``): each shank gets its own
drift estimate and its own canary. The groups are SpikeInterface's ``group`` property, which it
sets from the probe when a probe is attached (``group_mode="auto"``: probe, shank and side), so a
group's number here is the value the opened recording carries. Discovery must not read traces, so
``channel_groups`` reproduces that rule on the probe the format's metadata describes (a probe file,
a SpikeInterface folder's ``probegroup.json`` or its saved ``group`` property, a SpikeGLX ``.meta``);
``select_group`` then keeps a group's channels when the job opens the recording, and checks they
are the ones discovery counted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..boundary import Recording
from .entry import EntryError, RecordingEntry

if TYPE_CHECKING:
    import numpy as np

GROUP_KEYS = ("probe_index", "shank_ids", "contact_sides")  # SpikeInterface's "auto" grouping


def probe_group_ids(probegroup: Any) -> np.ndarray:  # a probeinterface ProbeGroup (no type information)
    """One group number per wired contact, in channel order, as SpikeInterface's ``group_mode="auto"``
    numbers them (the sorted unique (probe, shank, side) keys)."""
    import numpy as np

    contacts = probegroup.to_numpy(complete=True)
    wired = contacts["device_channel_indices"]
    if (wired >= 0).any():
        contacts = contacts[wired >= 0]
        contacts = contacts[np.argsort(contacts["device_channel_indices"], kind="stable")]
    keys = [k for k in GROUP_KEYS if k in contacts.dtype.names]
    _, ids = np.unique(contacts[keys], return_inverse=True)
    return ids.ravel()


def _metadata_group_ids(entry: RecordingEntry) -> np.ndarray:
    import numpy as np
    import probeinterface

    if entry.probe:
        return probe_group_ids(probeinterface.read_probeinterface(entry.probe))
    if entry.format == "si_folder":
        saved = os.path.join(entry.path, "properties", "group.npy")
        if os.path.isfile(saved):
            ids: np.ndarray = np.load(saved, allow_pickle=False).ravel()
            return ids
        for name in ("probegroup.json", "probe.json"):
            if os.path.isfile(os.path.join(entry.path, name)):
                return probe_group_ids(probeinterface.read_probeinterface(os.path.join(entry.path, name)))
    if entry.format == "spikeglx":
        probe = probeinterface.read_spikeglx(Path(entry.input_files[0]))
        group = probeinterface.ProbeGroup()
        group.add_probe(probe)
        return probe_group_ids(group)
    raise EntryError(f"split_by: group needs the probe's groups, and the {entry.format} metadata sortcanary reads names "
                     "none; give the recording a probe file (formats.probe or recordings.<name>.probe)")


def channel_groups(entry: RecordingEntry) -> dict[int, int]:
    """Group number -> its channel count, from the recording's metadata (never its traces)."""
    import numpy as np

    ids = _metadata_group_ids(entry)
    if len(ids) != entry.num_channels:
        raise EntryError(f"its probe describes {len(ids)} channels but the recording has {entry.num_channels}; "
                         "the probe's groups can't be assigned")
    values, counts = np.unique(ids, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


def select_group(recording: Recording, entry: RecordingEntry) -> Recording:
    """The channels of ``entry.group``, checked against the count discovery found in the metadata."""
    import numpy as np

    groups = np.asarray(recording.get_channel_groups())
    chosen = recording.channel_ids[groups == entry.group]
    if len(chosen) != entry.num_channels:
        raise ValueError(f"{entry.path}: probe group {entry.group} has {len(chosen)} channels once opened, but its "
                         f"metadata gave {entry.num_channels}; the probe's groups changed since discovery: run again")
    return recording.select_channels(list(chosen))
