"""SpikeGLX: a session folder of ``.bin`` + ``.meta`` pairs, one AP stream per Neuropixels probe.

The ``.meta`` files are parsed with neo's own SpikeGLX functions (the ones
``spikeinterface.extractors.read_spikeglx`` uses), so discovery names streams exactly as the reader
will (``imec0.ap``, ``imec1.ap``, ...). Only AP streams of imec probes are sortable: LF, NI-DAQ and
OneBox streams are skipped. Geometry comes from the ``.meta`` (imroTbl + probe part number, through
probeinterface), so no probe override is needed. Duration is the ``.bin`` size over
``nSavedChans`` x 2 bytes; a ``.bin`` smaller than the ``fileSizeBytes`` its ``.meta`` records is a
truncated copy.

Several runs (gates/triggers) in one folder are read by neo as the segments of each stream, in
(gate, trigger) order: each run is one recording, ``<session>__<stream>__seg<k>``, opened as that
segment alone, and ``join: runs`` sorts them as one (sortcanary.plan.join). Since the reader opens
a stream's runs together, a run whose channel count or sampling rate differs from the first run's
makes the stream unreadable: the stream is refused in one line naming that run.

Session start: the ``.meta``'s ``fileCreateTime`` (local wall-clock time of the acquisition
machine, ISO 8601 without a zone), which SpikeGLX writes when it opens the file.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ...boundary import JSONDict, Recording
from ..entry import EntryError, Problem, RecordingEntry, recording_name, segment_name
from .context import FormatContext

FORMAT = "spikeglx"
SUFFIXES = ()
RAW_SUFFIXES = (".bin", ".dat")
BYTES_PER_SAMPLE = 2  # SpikeGLX writes int16


def _stream_infos(folder: Path) -> list[JSONDict]:
    from neo.rawio.spikeglxrawio import extract_stream_info, read_meta_file

    infos = []
    for meta in sorted(folder.rglob("*.meta")):
        rel = meta.relative_to(folder)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                info = extract_stream_info(meta, read_meta_file(meta))
        except Exception as exc:  # noqa: BLE001 -- any parse failure: the reader would fail the same way
            detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:200]
            raise EntryError(f"{rel} is not a readable SpikeGLX .meta file ({detail}); the reader scans every .meta "
                             "in the folder, so fix or remove it") from None
        info["meta_file"], info["bin_file"] = meta, meta.with_suffix(".bin")
        infos.append(info)
    return infos


def _run_key(info: JSONDict) -> tuple[int, int]:
    """A run's (gate, trigger), ordered as neo orders the segments (a non-integer first)."""
    gate, trigger = (v if isinstance(v, int) else -1 for v in (info.get("gate_num"), info.get("trigger_num")))
    return gate, trigger


def _index_runs(infos: list[JSONDict]) -> int:
    """Number the runs as neo numbers the segments (``info["run"]``); return how many there are."""
    order = {key: k for k, key in enumerate(sorted({_run_key(i) for i in infos}))}
    seen: dict[tuple[int, str], Path] = {}
    for info in infos:
        info["run"] = order[_run_key(info)]
        key = (info["run"], info["stream_name"])
        if key in seen:
            raise EntryError(f"{seen[key].name} and {info['meta_file'].name} are both stream "
                             f"'{info['stream_name']}' (by the fileName in their .meta); remove the duplicate")
        seen[key] = info["meta_file"]
    return len(order)


def _run_entries(folder: Path, runs: list[JSONDict]) -> list[RecordingEntry | Problem]:
    """One stream's runs: one entry each, or one Problem naming the run the reader can't read with the first."""
    entries = [_ap_entry(folder, info) for info in sorted(runs, key=lambda i: i["run"])]
    first = entries[0]
    for info, entry in zip(sorted(runs, key=lambda i: i["run"]), entries, strict=True):
        for key, unit in (("num_channels", "channels"), ("sampling_frequency", "Hz")):
            if getattr(entry, key) != getattr(first, key):
                raise EntryError(f"run {info['meta_file'].name} has {getattr(entry, key):g} {unit} where "
                                 f"{entries[0].input_files[0].rsplit('/', 1)[-1]} has {getattr(first, key):g}; the "
                                 "reader opens a folder's runs together: move that run into a folder of its own")
    return [replace(entry, name=segment_name(entry.name, info["run"]), parent=entry.name, segment=info["run"])
            for info, entry in zip(sorted(runs, key=lambda i: i["run"]), entries, strict=True)]


def _ap_entry(folder: Path, info: JSONDict) -> RecordingEntry:
    import probeinterface

    meta, raw = info["meta_file"], info["bin_file"]
    rel = raw.relative_to(folder)
    if not raw.is_file():
        raise EntryError(f"{meta.relative_to(folder)} has no {raw.name} beside it; the copy is incomplete")
    saved = int(info["num_chan"])
    neural = saved - (1 if info["has_sync_trace"] else 0)
    size = raw.stat().st_size
    frame_bytes = saved * BYTES_PER_SAMPLE
    if size == 0:
        raise EntryError(f"{rel} is empty; nothing to sort (re-copy it or remove the pair)")
    expected = info["meta"].get("fileSizeBytes")
    if expected is not None and int(expected) != size:
        raise EntryError(f"{rel} has {size} bytes but its .meta says fileSizeBytes={expected}: a truncated or "
                         "incomplete copy; copy it again")
    if size % frame_bytes:
        raise EntryError(f"{rel} has {size} bytes, not a whole number of {saved}-channel int16 samples: truncated")
    try:
        probe = probeinterface.read_spikeglx(meta)
    except Exception as exc:  # noqa: BLE001 -- probeinterface's parser fails in many ways: each names the file
        raise EntryError(f"cannot build the probe geometry from {meta.name} ({type(exc).__name__}: {exc}); "
                         "the imroTbl/imDatPrb_pn entries must describe the probe") from None
    if probe.get_contact_count() != neural:
        raise EntryError(f"{meta.name} describes {probe.get_contact_count()} probe contacts for {neural} saved "
                         "channels; the .meta is inconsistent")
    fs = float(info["sampling_rate"])
    stream = info["stream_name"]
    return RecordingEntry(
        name=recording_name(folder.name, stream),
        source=folder.name,
        path=str(folder.resolve()),
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=neural,
        dtype="<i2",
        duration_s=size // frame_bytes / fs,
        input_files=(str(meta.resolve()), str(raw.resolve())),
        stream=stream,
        reader={"stream_id": stream},
    )


def detect(path: Path, is_dir: bool) -> bool:
    """A folder with a ``.meta`` below it, or a loose ``.bin``/``.dat`` with a ``.meta`` beside it
    (reported: SpikeGLX runs are read per folder)."""
    if is_dir:
        return next(path.rglob("*.meta"), None) is not None
    return path.suffix.lower() in RAW_SUFFIXES and path.with_suffix(".meta").exists()


def entries(folder: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    if not folder.is_dir():
        raise EntryError(
            f"SpikeGLX file {folder.name} (with {folder.with_suffix('.meta').name}) lies directly in recordings_dir; "
            "SpikeGLX runs are read per folder: move the run's .bin/.meta files into a folder of their own"
        )
    infos = _stream_infos(folder)
    several = _index_runs(infos) > 1
    streams: dict[str, list[JSONDict]] = {}
    for info in infos:  # LF band, NI-DAQ, OneBox: not spike-sortable streams
        if info["device_kind"] == "imec" and info["stream_kind"] == "ap":
            streams.setdefault(info["stream_name"], []).append(info)
    results: list[RecordingEntry | Problem] = []
    for stream, runs in streams.items():
        try:
            results.extend(_run_entries(folder, runs) if several else [_ap_entry(folder, runs[0])])
        except EntryError as exc:
            results.append(Problem(recording_name(folder.name, stream), str(runs[0]["bin_file"]), str(exc), stream))
    if not results:
        raise EntryError("holds SpikeGLX .meta files but no imec AP stream (.ap.bin + .ap.meta); nothing to sort")
    return results


def open_recording(entry: RecordingEntry) -> Recording:
    from spikeinterface.extractors import read_spikeglx

    return read_spikeglx(entry.path, **entry.reader)


def session_start(entry: RecordingEntry) -> tuple[datetime, str] | None:
    """The AP stream's ``fileCreateTime`` (naive local time) and its source, or None without one.
    The ``.meta`` is parsed by neo's ``read_meta_file``, as at discovery."""
    from neo.rawio.spikeglxrawio import read_meta_file

    meta = Path(entry.input_files[0])
    created = read_meta_file(meta).get("fileCreateTime", "").strip()
    return (datetime.fromisoformat(created), f"SpikeGLX fileCreateTime in {meta.name}") if created else None
