"""A folder written by SpikeInterface's ``recording.save(folder=...)`` (it holds ``si_folder.json``).

Only the binary format is accepted: ``binary.json`` gives the rate, channel count, dtype and trace
files, so the duration comes from file sizes without opening the recording. ``si_folder.json``
marks the layout; its content is SpikeInterface's to read when the job opens the folder. The folder is opened
with ``spikeinterface.core.load``, which restores the probe it was saved with.

A multi-segment folder (one trace file per segment) is one recording per segment, named
``<folder>__seg<k>`` (``segment_name``), each opened as that segment alone: a sorter takes one
segment, and a multi-segment recording handed to it fails inside the sort. The config's
``recordings`` overrides match the folder's name (the entries' ``parent``); ``join: runs`` sorts the
segments as one (sortcanary.plan.join).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ...boundary import Recording
from ..entry import EntryError, RecordingEntry, segment_name, slugify
from ..metadata import binary_params, frames_in, read_json_object, real_path
from .context import FormatContext

FORMAT = "si_folder"
SUFFIXES = ()
MARKER = "si_folder.json"


def detect(path: Path, is_dir: bool) -> bool:
    return is_dir and (path / MARKER).exists()


def entries(folder: Path, ctx: FormatContext) -> list[RecordingEntry]:
    # Paths are joined onto the folder's real path, resolved once: resolving every file in full
    # was most of discovery's time over 10,000 folders (bench/bench_dag_scale.py).
    root = real_path(folder)
    binary_json = os.path.join(root, "binary.json")
    if not os.path.isfile(binary_json):
        raise EntryError(
            "SpikeInterface folder is not in binary format (no binary.json); re-save it with "
            "recording.save(folder=..., format='binary')"
        )
    kwargs = read_json_object(Path(binary_json), "binary.json").get("kwargs", {})
    fs, nch, dtype = binary_params(kwargs, "binary.json")
    files = kwargs.get("file_paths") or []
    if not files:
        raise EntryError("binary.json lists no trace files; re-save the recording")
    offset = int(kwargs.get("file_offset") or 0)
    frames = []
    raw_paths = []
    for name in files:
        raw = Path(name) if os.path.isabs(name) else Path(os.path.normpath(os.path.join(root, name)))
        if not raw.is_file():
            raise EntryError(f"trace file {name} listed in binary.json is missing; the folder is incomplete")
        frames.append(frames_in(raw, nch, dtype, offset))
        raw_paths.append(str(raw))
    if not os.path.isfile(os.path.join(root, "probegroup.json")) and not os.path.isfile(os.path.join(root, "probe.json")):
        raise EntryError("SpikeInterface folder has no probe (probegroup.json); attach a probe and re-save it")
    entry = RecordingEntry(
        name=slugify(folder.name),
        source=folder.name,
        path=root,
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=nch,
        dtype=dtype.str,
        duration_s=frames[0] / fs,
        # binary.json and the traces: what a re-save rewrites (si_folder.json only repeats it).
        input_files=(binary_json, *raw_paths),
    )
    if len(files) == 1:
        return [entry]
    return [replace(entry, name=segment_name(entry.name, k), parent=entry.name, segment=k, duration_s=n / fs,
                    input_files=(binary_json, raw)) for k, (n, raw) in enumerate(zip(frames, raw_paths, strict=True))]


def open_recording(entry: RecordingEntry) -> Recording:
    import spikeinterface.core as sc

    return sc.load(entry.path)
