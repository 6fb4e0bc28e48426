"""Raw binary: a ``.bin``/``.dat`` file with a JSON sidecar of the same stem.

The sidecar gives ``sampling_frequency``, ``num_channels``, ``dtype``, optional
``gain_to_uV``/``offset_to_uV`` and ``probe`` (a probeinterface JSON file, relative to the
sidecar). The file is opened in place with ``read_binary``, so the full sort reads the original
file (no copy of the traces).
"""

from __future__ import annotations

from pathlib import Path

from ...boundary import Recording
from ..entry import EntryError, RecordingEntry, slugify
from ..metadata import binary_params, frames_in, probe_channel_count, read_json_object, real_path
from .context import FormatContext

FORMAT = "binary"
SUFFIXES = (".bin", ".dat")
SIDECAR_REQUIRED = ("sampling_frequency", "num_channels", "dtype", "probe")


def detect(path: Path, is_dir: bool) -> bool:
    return not is_dir and path.suffix.lower() in SUFFIXES


def _entry(raw: Path, sidecar: Path) -> RecordingEntry:
    meta = read_json_object(sidecar, f"sidecar {sidecar.name}")
    missing = [k for k in SIDECAR_REQUIRED if k not in meta]
    if missing:
        raise EntryError(f"sidecar {sidecar.name} lacks {', '.join(missing)}; add them (see config/README.md)")
    fs, nch, dtype = binary_params(meta, f"sidecar {sidecar.name}")
    probe_path = Path(real_path(sidecar.parent / str(meta["probe"])))
    if not probe_path.is_file():
        raise EntryError(f"sidecar {sidecar.name} names probe '{meta['probe']}', which does not exist; fix the path")
    probe_channels = probe_channel_count(probe_path)
    if probe_channels != nch:
        raise EntryError(
            f"probe {probe_path.name} has {probe_channels} contacts but sidecar {sidecar.name} says num_channels={nch}; "
            "they must match"
        )
    frames = frames_in(raw, nch, dtype)
    raw_path = real_path(raw)
    binary = {
        "sampling_frequency": fs,
        "num_channels": nch,
        "dtype": dtype.str,
        "gain_to_uV": meta.get("gain_to_uV"),
        "offset_to_uV": meta.get("offset_to_uV"),
        "probe": str(probe_path),
    }
    return RecordingEntry(
        name=slugify(raw.stem),
        source=raw.name,
        path=raw_path,
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=nch,
        dtype=dtype.str,
        duration_s=frames / fs,
        input_files=(raw_path, real_path(sidecar), str(probe_path)),
        binary=binary,
    )


def entries(raw: Path, ctx: FormatContext) -> list[RecordingEntry]:
    sidecar = raw.with_suffix(".json")
    if not sidecar.exists():
        raise EntryError(f"raw file has no JSON sidecar ({sidecar.name}); add one (see config/README.md)")
    return [_entry(raw, sidecar)]


def open_recording(entry: RecordingEntry) -> Recording:
    import probeinterface
    import spikeinterface.core as sc

    params = entry.binary
    recording = sc.read_binary(
        file_paths=[entry.path],
        sampling_frequency=params["sampling_frequency"],
        dtype=params["dtype"],
        num_channels=params["num_channels"],
        gain_to_uV=params.get("gain_to_uV"),
        offset_to_uV=params.get("offset_to_uV"),
    )
    recording.set_probegroup(probeinterface.read_probeinterface(params["probe"]))
    return recording
