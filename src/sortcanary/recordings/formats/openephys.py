"""Open Ephys binary: a session folder with ``structure.oebin`` files, several continuous streams.

Layout (Open Ephys GUI >= 0.5): ``[Record Node N/]experimentE/recordingR/structure.oebin`` with
``continuous/<stream folder>/continuous.dat`` (int16, interleaved) and ``sample_numbers.npy``
(or ``timestamps.npy`` before 0.6). Each recordingR folder is read on its own (one segment), and
each of its continuous streams is one recording, except Neuropixels LFP streams (``-LFP``) and
NI-DAQ streams. Within a stream, ADC and SYNC channels are not neural (neo splits them off) and AUX
channels (headstage accelerometer) are dropped through ``entry.channel_ids``.

Stream labels are the stream folder name, prefixed with the Record Node and with
``experimentE_recordingR`` only when the session has more than one of them.

Geometry: Neuropixels streams get theirs from the node's ``settings.xml`` (probeinterface, parsed
here without reading data); any other stream (e.g. an Acquisition Board headstage) needs
``formats.probe.openephys``, which, when set, replaces the file's geometry for every stream.
Duration is the ``continuous.dat`` size over channels x 2 bytes.

Session start: the recording folder's ``sync_messages.txt`` line "Software Time (milliseconds since
midnight Jan 1st 1970 UTC)" (GUI >= 0.6: an absolute, zoned time), else the ``<INFO><DATE>`` of the
node's ``settings.xml`` ("1 May 2024 10:00:00", local time without a zone). structure.oebin holds
no time.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from ...boundary import JSONDict, Recording
from ..entry import EntryError, Problem, RecordingEntry, recording_name
from ..metadata import read_json_object
from .context import FormatContext

FORMAT = "openephys"
SUFFIXES = ()
BYTES_PER_SAMPLE = 2
NON_NEURAL_STREAMS = ("NI-DAQmx",)


def _layout(oebin: Path) -> tuple[str, str, Path]:
    """(node name, 'experimentE_recordingR', node folder) as neo reads them, or EntryError."""
    recording = oebin.parent
    if not re.fullmatch(r"recording\d+", recording.name) or not re.fullmatch(r"experiment\d+", recording.parent.name):
        raise EntryError(f"{oebin} is not in an experimentN/recordingM folder; keep the layout Open Ephys wrote")
    node_folder = recording.parents[1]
    node = node_folder.name if node_folder.name.startswith("Record") else ""
    return node, f"{recording.parent.name}_{recording.name}", node_folder


def _settings_file(node_folder: Path, experiment: str) -> Path:
    number = int(experiment.split("_")[0].replace("experiment", ""))
    return node_folder / ("settings.xml" if number == 1 else f"settings_{number}.xml")


def _geometry_contacts(settings: Path, folder_name: str) -> int | None:
    """Contacts of the Neuropixels probe settings.xml gives this stream, None when it gives none."""
    import probeinterface

    if not settings.is_file():
        return None
    try:
        if not probeinterface.has_neuropixels_probes(settings, stream_name=folder_name):
            return None
        probe = probeinterface.read_openephys_neuropixels(settings_file=settings, stream_name=folder_name)
        return int(probe.get_contact_count())
    except Exception as exc:  # noqa: BLE001 -- probeinterface's parser fails in many ways: each names the file
        raise EntryError(f"cannot read the probe for {folder_name} from {settings.name} ({type(exc).__name__}: {exc}); "
                         "fix settings.xml or set formats.probe.openephys") from None


def _stream_entry(session: Path, oebin: Path, info: JSONDict, label: str, node: str, settings: Path,
                  ctx: FormatContext) -> RecordingEntry | None:
    try:
        folder_name = str(info["folder_name"]).rstrip("/")
        fs = float(info["sample_rate"])
        channels = [str(c["channel_name"]) for c in info["channels"]]
        declared = int(info["num_channels"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EntryError(f"{oebin.name} describes a continuous stream without folder_name/sample_rate/num_channels/"
                         f"channels ({exc}); fix or regenerate it") from None
    if folder_name.endswith("-LFP") or any(tag in folder_name for tag in NON_NEURAL_STREAMS):
        return None
    neural = [c for c in channels if "ADC" not in c and "SYNC" not in c]
    keep = [c for c in neural if not c.startswith("AUX")]
    if not keep:
        return None  # ADC/SYNC/AUX only: not a neural stream
    if declared != len(channels) or not fs > 0:
        raise EntryError(f"{oebin.name}: stream {folder_name} says num_channels={declared} but lists {len(channels)} "
                         f"channels (sample_rate {fs}); fix or regenerate it")
    stream_dir = oebin.parent / "continuous" / folder_name
    dat = stream_dir / "continuous.dat"
    rel = dat.relative_to(session)
    if not dat.is_file():
        raise EntryError(f"{rel} is missing; the copy is incomplete")
    if not (stream_dir / "sample_numbers.npy").is_file() and not (stream_dir / "timestamps.npy").is_file():
        raise EntryError(f"{stream_dir.relative_to(session)} has no sample_numbers.npy or timestamps.npy; the reader "
                         "needs one: copy it too")
    size = dat.stat().st_size
    frame_bytes = len(channels) * BYTES_PER_SAMPLE
    if size == 0:
        raise EntryError(f"{rel} is empty; nothing to sort")
    if size % frame_bytes:
        raise EntryError(f"{rel} has {size} bytes, not a whole number of {len(channels)}-channel int16 samples: "
                         "truncated or corrupt; copy it again")
    probe = ctx.probe_override(FORMAT, len(keep))
    if not probe:
        contacts = _geometry_contacts(settings, folder_name)
        if contacts is None:
            probe = ctx.require_probe(FORMAT, len(keep), f"stream {folder_name} has no probe geometry (no Neuropixels "
                                                         f"probe for it in {settings.name})")
        elif contacts != len(keep):
            raise EntryError(f"{settings.name} gives {contacts} contacts for stream {folder_name} of {len(keep)} "
                             "channels; set formats.probe.openephys")
    inputs = [oebin, dat] + ([settings] if settings.is_file() else []) + ([Path(probe)] if probe else [])
    return RecordingEntry(
        name=recording_name(session.name, label),
        source=session.name,
        path=str(oebin.parent.resolve()),
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=len(keep),
        dtype="<i2",
        duration_s=size // frame_bytes / fs,
        input_files=tuple(str(Path(p).resolve()) for p in inputs),
        stream=label,
        reader={"stream_name": f"{node}#{folder_name}" if node else folder_name},
        probe=probe,
        channel_ids=tuple(keep) if len(keep) != len(neural) else (),
    )


def detect(path: Path, is_dir: bool) -> bool:
    return is_dir and next(path.rglob("structure.oebin"), None) is not None


def entries(session: Path, ctx: FormatContext) -> list[RecordingEntry | Problem]:
    oebins = sorted(session.rglob("structure.oebin"))
    layouts = {oebin: _layout(oebin) for oebin in oebins}
    nodes = {node for node, _, _ in layouts.values()}
    runs = {(node, run) for node, run, _ in layouts.values()}
    results: list[RecordingEntry | Problem] = []
    for oebin, (node, run, node_folder) in layouts.items():
        prefix = ([node] if len(nodes) > 1 else []) + ([run] if len(runs) > len(nodes) else [])
        try:
            structure = read_json_object(oebin, str(oebin.relative_to(session)))
            continuous = structure.get("continuous")
            if not isinstance(continuous, list):
                raise EntryError(f"{oebin.relative_to(session)} has no 'continuous' list; fix or regenerate it")
        except EntryError as exc:
            label = "/".join(prefix) or "structure.oebin"
            results.append(Problem(recording_name(session.name, label), str(oebin), str(exc), "/".join(prefix)))
            continue
        settings = _settings_file(node_folder, run)
        for info in continuous:
            folder_name = info.get("folder_name", "?") if isinstance(info, dict) else "?"
            label = "/".join(prefix + [str(folder_name).rstrip("/")])
            try:
                entry = _stream_entry(session, oebin, info, label, node, settings, ctx)
            except EntryError as exc:
                results.append(Problem(recording_name(session.name, label), str(oebin.parent), str(exc), label))
                continue
            if entry is not None:
                results.append(entry)
    if not results:
        raise EntryError("holds Open Ephys structure.oebin files but no neural continuous stream; nothing to sort")
    return results


def open_recording(entry: RecordingEntry) -> Recording:
    from spikeinterface.extractors import read_openephys  # binary format: the folder holds no .continuous file

    return read_openephys(entry.path, **entry.reader)


SOFTWARE_TIME = re.compile(r"Software Time \(milliseconds since midnight Jan 1st 1970 UTC\):\s*(\d+)")
SETTINGS_DATE_FORMAT = "%d %b %Y %H:%M:%S"  # what the GUI writes in <INFO><DATE>


def session_start(entry: RecordingEntry) -> tuple[datetime, str] | None:
    """The recording's start from sync_messages.txt (UTC), else settings.xml's DATE (naive local
    time); None when neither has one."""
    import xml.etree.ElementTree as ElementTree

    folder = Path(entry.path)
    sync = folder / "sync_messages.txt"
    if sync.is_file():
        found = SOFTWARE_TIME.search(sync.read_text(errors="replace"))
        if found:
            when = datetime.fromtimestamp(int(found.group(1)) / 1000, tz=timezone.utc)
            return when, f"Open Ephys Software Time in {folder.name}/sync_messages.txt"
    _, run, node_folder = _layout(folder / "structure.oebin")
    settings = _settings_file(node_folder, run)
    if settings.is_file():
        try:
            date = ElementTree.parse(settings).getroot().findtext("./INFO/DATE")
        except ElementTree.ParseError as exc:
            raise ValueError(f"{settings.name} is not valid XML ({exc})") from None
        if date and date.strip():
            return datetime.strptime(date.strip(), SETTINGS_DATE_FORMAT), f"Open Ephys <INFO><DATE> in {settings.name}"
    return None
