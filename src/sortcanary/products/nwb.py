"""NWB export: the units and electrodes tables through pynwb, an optional dependency (the ``nwb``
extra). Asking for NWB without pynwb is an environment failure raised before any sorting starts."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..atomic import write_atomic
from ..taxonomy import SortFailure, verdict_for
from .curation import kept_mask, plain


def require_pynwb():
    """pynwb's NWBHDF5IO and NWBFile, or an environment verdict saying how to get them."""
    try:
        from pynwb import NWBHDF5IO, NWBFile
    except ImportError as exc:
        raise SortFailure(verdict_for(
            "exporter_unavailable",
            message=f"sortcanary: outputs.exporters.nwb is on but pynwb can't be imported ({exc}); "
                    "pip install 'sortcanary[nwb]' or set outputs.exporters.nwb: false.",
        )) from exc
    return NWBHDF5IO, NWBFile


def write_nwb(path: Path, recording, sorting, analyzer, curation: dict | None, *, name: str,
              session_start: datetime | None = None) -> Path:
    """Write an NWB file with the electrodes table (the probe's channels) and the units table
    (spike times in seconds, best electrode, mean waveform, metrics, curated flag)."""
    NWBHDF5IO, NWBFile = require_pynwb()

    nwbfile = NWBFile(
        session_description=f"Spike sorting of {name} by sortcanary",
        identifier=f"sortcanary-{name}",
        session_start_time=session_start or datetime(1970, 1, 1, tzinfo=timezone.utc),
    )
    device = nwbfile.create_device(name="probe", description="recording probe")
    groups = {}
    channel_groups = recording.get_channel_groups() if recording.get_property("group") is not None else None
    locations = recording.get_channel_locations()
    for index, channel in enumerate(recording.channel_ids):
        group_name = f"group{channel_groups[index] if channel_groups is not None else 0}"
        if group_name not in groups:
            groups[group_name] = nwbfile.create_electrode_group(
                name=group_name, description="channels of one probe group", location="unknown", device=device)
        x, y = float(locations[index][0]), float(locations[index][1])
        nwbfile.add_electrode(group=groups[group_name], location="unknown", rel_x=x, rel_y=y)
    if "channel_name" not in nwbfile.electrodes.colnames:
        nwbfile.electrodes.add_column("channel_name", "the recording's channel id",
                                      data=[str(c) for c in recording.channel_ids])

    if len(sorting.unit_ids):  # NWB can't type the columns of an empty units table: leave it out
        _add_units(nwbfile, sorting, analyzer, curation)
    def write(tmp: str) -> None:
        with NWBHDF5IO(tmp, "w") as io:
            io.write(nwbfile)

    return write_atomic(path, write, ".nwb")


def _add_units(nwbfile, sorting, analyzer, curation: dict | None) -> None:
    """The units table: spike times (s), sorter's id, curated flag, and with an analyzer the best
    electrode, mean waveform and metrics."""
    fs = float(sorting.sampling_frequency)
    kept = kept_mask(curation, sorting.unit_ids)
    nwbfile.add_unit_column("unit_name", "the sorter's unit id")
    nwbfile.add_unit_column("curated", "true if the unit passed sortcanary's curation thresholds")
    if analyzer is not None:
        from .analyzer import best_channels, metrics_table

        metrics = metrics_table(analyzer)
        templates = analyzer.get_extension("templates").get_templates(operator="average")
        best = best_channels(analyzer)
        for column in metrics.columns:
            nwbfile.add_unit_column(column, f"SpikeInterface quality metric {column}")
    for index, unit in enumerate(sorting.unit_ids):
        row = {"spike_times": sorting.get_unit_spike_train(unit, segment_index=0) / fs,
               "unit_name": str(plain(unit)), "curated": bool(kept[index]), "id": index}
        if analyzer is not None:
            row["electrodes"] = [best[index]]
            row["waveform_mean"] = templates[index]
            row.update({column: float(metrics.at[unit, column]) for column in metrics.columns})
        nwbfile.add_unit(**row)
