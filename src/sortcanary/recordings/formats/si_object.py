"""A SpikeInterface recording object handed over in Python (``sortcanary.run_sorter``, ``sortcanary.canary``).

Not an acquisition format: nothing in a recordings folder is ever detected as one (``detect`` is
always False), so discovery and the schema's ``formats.include`` never meet it. The Python API
writes the object into the job's folder, as SpikeInterface's own ``run_sorter`` hands a recording
to a container, and the sorter's child process opens it with ``spikeinterface.core.load``, lazy
preprocessing chain and probe included:

* JSON (``dump_to_json``) when SpikeInterface can serialize the whole chain to JSON: file-backed
  extractors and their preprocessing; the file is small and names the original files;
* a pickle (``dump_to_pickle``) when it can only pickle it (arguments that hold arrays);
* otherwise the traces, saved once into the folder as a binary SpikeInterface folder: an in-memory
  recording (NumpyRecording) or a generated one. SpikeInterface's ``run_sorter`` refuses those
  ("not serializable ... Consider recording.save"), in the child process as in a notebook; its
  advice is followed here, so the canary rehearses the sort of what the full sort will read.
"""

from __future__ import annotations

from pathlib import Path

from ...boundary import Recording
from ..entry import EntryError, RecordingEntry, slugify

FORMAT = "si_object"
SUFFIXES = ()
JSON_NAME = "recording.json"
PICKLE_NAME = "recording.pkl"
SAVED_NAME = "recording"  # a binary SpikeInterface folder


def detect(path: Path, is_dir: bool) -> bool:
    return False  # written by the Python API only, never found in a recordings folder


def dump(recording: Recording, folder: Path) -> Path:
    """Write ``recording`` into ``folder`` (JSON, else a pickle, else its traces); return the path."""
    import shutil

    if recording.get_num_segments() != 1:
        raise EntryError(f"the recording has {recording.get_num_segments()} segments; sortcanary sorts one: "
                         "join them with spikeinterface.concatenate_recordings or pick one with select_segments")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (JSON_NAME, PICKLE_NAME):
        (folder / stale).unlink(missing_ok=True)
    shutil.rmtree(folder / SAVED_NAME, ignore_errors=True)
    if recording.check_serializability("json"):
        path = folder / JSON_NAME
        recording.dump_to_json(path, include_properties=True)  # the probe lives in properties
    elif recording.check_serializability("pickle"):
        path = folder / PICKLE_NAME
        recording.dump_to_pickle(path, include_properties=True)
    else:
        path = folder / SAVED_NAME
        recording.save(folder=path, format="binary", verbose=False)
    return path


def entry_of(recording: Recording, path: Path, name: str) -> RecordingEntry:
    """The entry of a dumped recording, from the object at hand (no traces read)."""
    import numpy as np

    return RecordingEntry(
        name=slugify(name) or "recording",
        source=f"{type(recording).__name__} ({path.name})",
        path=str(Path(path).resolve()),
        format=FORMAT,
        sampling_frequency=float(recording.sampling_frequency),
        num_channels=int(recording.get_num_channels()),
        dtype=np.dtype(recording.get_dtype()).str,
        duration_s=float(recording.get_num_samples() / recording.sampling_frequency),
        input_files=_files(Path(path).resolve()),
    )


def _files(path: Path) -> tuple[str, ...]:
    """The dump file, or the saved folder's files: what a finished sort's identity fingerprints."""
    return (str(path),) if path.is_file() else tuple(str(p) for p in sorted(path.iterdir()) if p.is_file())


def open_recording(entry: RecordingEntry) -> Recording:
    import spikeinterface.core as sc

    return sc.load(Path(entry.path))
