"""units.nwb: the sorted units and the probe's electrodes, as a file a lab can upload to DANDI.

DANDI validates uploads with nwbinspector's DANDI configuration: a Subject with subject_id,
species, sex and age is required, and Units.resolution, the experimenter, institution, experiment
description and keywords are expected. None of that is in the data, so it comes from the config
(``outputs.nwb_metadata``, with a recording's ``recordings:`` override laid over it by its plan,
sortcanary.plan.overrides); preflight warns once when the subject is missing
(sortcanary.plan.preflight.dandi_gaps).
What the data does say is taken from it:

* session_start_time from the acquisition's own clock (sortcanary.recordings.session_start); when
  only a file's modification time was available, ``notes`` says so;
* each electrode's brain area from the recording (SpikeInterface's ``brain_area`` property, the
  probe's contact annotations, then its annotations, under ``brain_area`` or ``location``), then
  the config's ``location``; "unknown" only when nothing says;
* Units.resolution = 1 / sampling rate, mean waveforms in volts.

A recording that is itself an NWB file is not re-invented: units.nwb copies its session start,
subject, session facts, devices, electrode groups and every electrodes row (same ids, columns and
order, so a unit's electrode index means the same row in both files), and spike times are shifted
by the series' starting_time onto the source's clock. Copying was chosen over an HDF5 external
link to the source: DANDI stores each asset on its own and ``dandi organize`` renames files, so a
link would dangle after upload; and the copied metadata is a few kilobytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from ..atomic import write_atomic
from ..boundary import NWB, Analyzer, JSONDict, Recording, Sorting
from ..recordings.session_start import MTIME_SOURCE
from ..taxonomy import SortFailure, verdict_for
from .curation import kept_mask, plain

log = logging.getLogger("sortcanary")

AREA_KEYS = ("brain_area", "location")  # annotation names a brain area is found under
UNKNOWN = "unknown"
# The electrodes table columns pynwb's add_electrode takes by name; any other column is copied as a custom one.
ELECTRODE_FIELDS = ("x", "y", "z", "imp", "location", "filtering", "rel_x", "rel_y", "rel_z", "reference")


def require_pynwb() -> tuple[NWB, NWB]:
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


def write_nwb(path: Path, recording: Recording, sorting: Sorting, analyzer: Analyzer | None, curation: JSONDict | None,
              *, name: str, metadata: JSONDict,
              session_start: datetime, start_source: str, source_nwb: tuple[str, str] | None = None,
              software: Sequence[tuple[str, str]] = ()) -> Path:
    """Write units.nwb: session and subject metadata, the electrodes table and the units table
    (spike times in seconds from session_start, best electrode, mean waveform, metrics, curated).

    ``source_nwb``: (file, ElectricalSeries name) when the recording is an NWB file, whose
    metadata and electrodes are copied; ``software``: (name, version) pairs for was_generated_by.
    """
    NWBHDF5IO, NWBFile = require_pynwb()

    with _open_source(source_nwb) as (source, series):
        notes = [f"session_start_time: {start_source}."]
        if start_source.startswith(MTIME_SOURCE):
            notes.append("It is NOT the acquisition start: correct session_start_time before publishing.")
        if source is not None and source_nwb is not None:
            notes.append(f"Session, subject and electrodes copied from {Path(source_nwb[0]).name} "
                         f"(identifier {source.identifier}).")
        facts = _session_facts(metadata, source)
        nwbfile = NWBFile(
            session_description=facts.pop("session_description") or f"Spike sorting of {name} by sortcanary",
            identifier=str(uuid4()),
            session_start_time=session_start,
            session_id=facts.pop("session_id") or name,
            notes=" ".join(notes),
            was_generated_by=[list(pair) for pair in software if pair[0]] or None,
            **facts,
        )
        subject = _subject(metadata, source)
        if subject is not None:
            nwbfile.subject = subject
        if source is not None:
            rows, offset = _copy_electrodes(nwbfile, source, series), _starting_time(series)
        else:
            rows, offset = _add_electrodes(nwbfile, recording, metadata.get("location")), 0.0
    if len(sorting.unit_ids):  # NWB can't type the columns of an empty units table: leave it out
        _add_units(nwbfile, sorting, analyzer, curation, rows, offset)
    def write(tmp: str) -> None:
        with NWBHDF5IO(tmp, "w") as io:
            io.write(nwbfile)

    return write_atomic(path, write, ".nwb")


@contextmanager
def _open_source(source_nwb: tuple[str, str] | None) -> Iterator[tuple[NWB | None, NWB | None]]:
    """(NWBFile, ElectricalSeries) of the source NWB file, open while they are copied; (None, None) without one."""
    if source_nwb is None:
        yield None, None
        return
    from pynwb import NWBHDF5IO

    file_path, series_name = source_nwb
    with NWBHDF5IO(str(file_path), "r") as io:
        source = io.read()
        yield source, source.acquisition[series_name]


def _session_facts(metadata: JSONDict, source: NWB | None) -> JSONDict:
    """NWBFile's descriptive fields: the source NWB file's where it has them, else the config's."""
    facts = {key: metadata.get(key) or None for key in ("session_description", "experiment_description",
                                                         "institution", "lab", "experimenter", "keywords")}
    facts["session_id"] = None
    if source is not None:
        for key in ("experiment_description", "institution", "lab", "experimenter", "keywords", "session_id"):
            value = getattr(source, key, None)
            if value is not None and len(value):
                facts[key] = [_plain(v) for v in value] if key in ("experimenter", "keywords") else value
    return facts


def _subject(metadata: JSONDict, source: NWB | None) -> NWB | None:
    """The source NWB file's Subject (copied) if it has one, else one from the config's subject
    keys, else None (DANDI rejects that; preflight has said so)."""
    from pynwb.file import Subject

    if source is not None and source.subject is not None:
        fields = ("subject_id", "species", "sex", "age", "age__reference", "description", "genotype", "strain",
                  "weight", "date_of_birth")
        given = {f: getattr(source.subject, f, None) for f in fields}
        return Subject(**{f: v for f, v in given.items() if v is not None})
    given = {k: v for k, v in (metadata.get("subject") or {}).items() if v}
    return Subject(**given) if given else None


def brain_areas(recording: Recording, default: str | None) -> list[str]:
    """Each channel's brain area: the recording's ``brain_area`` property, the probe's contact
    annotations, the probe's annotations, then ``default``; "unknown" when none says."""
    def known(value: object) -> bool:
        return value is not None and str(value).strip().lower() not in ("", UNKNOWN, "nan", "none")

    areas: list[str | None] = [None] * recording.get_num_channels()
    prop = recording.get_property("brain_area")
    if prop is not None:
        areas = [str(v) if known(v) else None for v in prop]
    probes = recording.get_probegroup().probes if recording.has_probe() else []
    for probe in probes:
        per_contact = next((probe.contact_annotations[k] for k in AREA_KEYS if k in probe.contact_annotations), None)
        whole = next((probe.annotations[k] for k in AREA_KEYS if known(probe.annotations.get(k))), None)
        for contact, channel in enumerate(probe.device_channel_indices):
            if 0 <= channel < len(areas) and areas[channel] is None:
                value = per_contact[contact] if per_contact is not None and known(per_contact[contact]) else whole
                areas[channel] = str(value) if known(value) else None
    return [area or default or UNKNOWN for area in areas]


def _add_electrodes(nwbfile: NWB, recording: Recording, default_area: str | None) -> list[int]:
    """The recording's channels as electrodes (brain area, rel_x/rel_y, channel name), one
    electrode group per channel group; returns each channel's electrodes row."""
    probes = recording.get_probegroup().probes if recording.has_probe() else []
    info = probes[0].annotations if probes else {}
    details = ", ".join(str(info[k]) for k in ("model_name", "manufacturer") if info.get(k))
    device = nwbfile.create_device(  # the manufacturer goes in the text: pynwb 4 deprecates its field
        name="probe", description=str(info.get("description") or info.get("name") or "recording probe")
        + (f" ({details})" if details else ""),
        serial_number=str(info["serial_number"]) if info.get("serial_number") else None)
    areas = brain_areas(recording, default_area)
    channel_groups = recording.get_channel_groups() if recording.get_property("group") is not None else None
    names = [f"group{channel_groups[i] if channel_groups is not None else 0}" for i in range(len(areas))]
    locations = recording.get_channel_locations()
    groups = {}
    for group_name in dict.fromkeys(names):
        group_areas = sorted({a for a, n in zip(areas, names, strict=True) if n == group_name})
        groups[group_name] = nwbfile.create_electrode_group(
            name=group_name, description="channels of one probe group", device=device,
            location=", ".join(a for a in group_areas if a != UNKNOWN) or UNKNOWN)
    for index in range(len(areas)):
        nwbfile.add_electrode(group=groups[names[index]], location=areas[index],
                              rel_x=float(locations[index][0]), rel_y=float(locations[index][1]))
    nwbfile.electrodes.add_column("channel_name", "the recording's channel id",
                                  data=[str(c) for c in recording.channel_ids])
    return list(range(len(areas)))


def _copy_electrodes(nwbfile: NWB, source: NWB, series: NWB) -> list[int]:
    """The source file's devices, electrode groups and electrodes rows, as they are; returns the
    row of each channel of ``series`` (the recording's channels, in order)."""
    devices = {name: nwbfile.create_device(name=name, description=device.description,
                                           manufacturer=device.manufacturer)
               for name, device in source.devices.items()}
    groups = {name: nwbfile.create_electrode_group(name=name, description=group.description, location=group.location,
                                                   device=devices[group.device.name], position=_plain(group.position))
              for name, group in source.electrode_groups.items()}
    table = source.electrodes
    columns = [c for c in table.colnames if c not in ("group", "group_name")]
    ragged = [c for c in columns if table[c].__class__.__name__ == "VectorIndex"]
    if ragged:
        log.warning("units.nwb: the source's ragged electrodes columns %s are not copied", ragged)
    extra = [c for c in columns if c not in ELECTRODE_FIELDS and c not in ragged]
    for column in extra:
        nwbfile.add_electrode_column(name=column, description=table[column].description)
    values = {c: table[c].data[:] for c in columns if c not in ragged}
    for row, electrode_id in enumerate(table.id[:]):
        nwbfile.add_electrode(group=groups[table["group"][row].name], id=int(electrode_id),
                              **{c: _plain(values[c][row]) for c in values})
    return [int(i) for i in series.electrodes.data[:]]


def _plain(value: Any) -> Any:  # a value pynwb/h5py read from the source file: any type
    """A value read from the source as it can be written to another file: HDF5 datasets read into
    memory (the source is closed before writing), bytes as str, NumPy scalars as Python values."""
    if hasattr(value, "id") and hasattr(value, "file"):  # an h5py Dataset
        value = value[()]
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", 0) == 0 else value


def _starting_time(series: NWB) -> float:
    """Where the series' first sample lies on the source file's clock (seconds after its session start)."""
    if series.starting_time is not None:
        return float(series.starting_time)
    return float(series.timestamps[0]) if series.timestamps is not None else 0.0


def _add_units(nwbfile: NWB, sorting: Sorting, analyzer: Analyzer | None, curation: JSONDict | None, rows: list[int],
               offset: float) -> None:
    """The units table: spike times (s on the session clock), sorter's id, curated flag, and with an
    analyzer the best electrode, mean waveform (volts) and metrics."""
    from pynwb.misc import Units

    fs = float(sorting.sampling_frequency)
    kept = kept_mask(curation, sorting.unit_ids)
    nwbfile.units = Units(name="units", description="units found by the spike sorter, curated or not (see 'curated')",
                          resolution=1.0 / fs, waveform_rate=fs, electrode_table=nwbfile.electrodes)
    nwbfile.add_unit_column("unit_name", "the sorter's unit id")
    nwbfile.add_unit_column("curated", "true if the unit passed sortcanary's curation thresholds")
    if analyzer is not None:
        from .analyzer import best_channels, metrics_table

        metrics = metrics_table(analyzer)
        templates = analyzer.get_extension("templates").get_templates(operator="average")
        to_volts = 1e-6 if analyzer.return_in_uV else None
        if to_volts is None:
            log.warning("units.nwb: the recording has no gain to microvolts, so mean waveforms are left out "
                        "(NWB stores them in volts)")
        best = best_channels(analyzer)
        for column in metrics.columns:
            nwbfile.add_unit_column(column, f"SpikeInterface quality metric {column}")
    for index, unit in enumerate(sorting.unit_ids):
        row = {"spike_times": sorting.get_unit_spike_train(unit, segment_index=0) / fs + offset,
               "unit_name": str(plain(unit)), "curated": bool(kept[index]), "id": index}
        if analyzer is not None:
            row["electrodes"] = [rows[best[index]]]
            if to_volts is not None:
                row["waveform_mean"] = templates[index] * to_volts
            row.update({column: float(metrics.at[unit, column]) for column in metrics.columns})
        nwbfile.add_unit(**row)
