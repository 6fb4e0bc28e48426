"""Small recordings to try the workflow on, in both supported layouts.

Healthy ones come from SpikeInterface's ground-truth generator (real templates injected into
noise, with a probe); the silent one is the same noise with no units, which Kilosort4 cannot sort.
Traces are stored as int16 with an Intan-like gain, as acquisition systems write them.
"""

from __future__ import annotations

import json
from pathlib import Path

from .boundary import Recording, Sorting

GAIN_TO_UV = 0.195


def _as_int16(recording: Recording) -> Recording:
    import spikeinterface.preprocessing as spre

    scaled = spre.scale(recording, gain=1.0 / GAIN_TO_UV, offset=0.0, dtype="int16")
    scaled.set_channel_gains(GAIN_TO_UV)
    scaled.set_channel_offsets(0.0)
    return scaled


def write_binary_with_sidecar(recording: Recording, folder: Path, stem: str, **extra: object) -> Path:
    """Write ``stem.bin`` + ``stem.json`` sidecar + ``stem.probe.json`` (the raw-binary layout)."""
    import probeinterface
    from spikeinterface.core import write_binary_recording

    raw = folder / f"{stem}.bin"
    write_binary_recording(recording, file_paths=[raw])
    probe_file = folder / f"{stem}.probe.json"
    probeinterface.write_probeinterface(probe_file, recording.get_probegroup())
    sidecar = {
        "sampling_frequency": recording.sampling_frequency,
        "num_channels": recording.get_num_channels(),
        "dtype": str(recording.get_dtype()),
        "gain_to_uV": float(recording.get_channel_gains()[0]),
        "offset_to_uV": 0.0,
        "probe": probe_file.name,
        **extra,
    }
    (folder / f"{stem}.json").write_text(json.dumps(sidecar, indent=2) + "\n")
    return raw


def ground_truth(duration_s: float | list[float], num_channels: int, num_units: int, seed: int,
                 probe: object | None = None) -> tuple[Recording, Sorting]:
    """A generated recording (int16) and its true sorting; a list of durations makes one segment
    each (runs of one recording); ``probe``: its geometry (a probeinterface Probe with one contact
    per channel), else SpikeInterface's default."""
    from spikeinterface.core import generate_ground_truth_recording

    durations = list(duration_s) if isinstance(duration_s, (list, tuple)) else [duration_s]
    recording, sorting = generate_ground_truth_recording(
        durations=durations, num_channels=num_channels, num_units=num_units, seed=seed, probe=probe,
    )
    return _as_int16(recording), sorting


def silent(duration_s: float, num_channels: int, seed: int, like: Recording) -> Recording:
    from spikeinterface.generation import NoiseGeneratorRecording

    noise = NoiseGeneratorRecording(
        num_channels=num_channels, sampling_frequency=like.sampling_frequency, durations=[duration_s],
        noise_levels=5.0, dtype="float32", seed=seed,
    )
    noise.set_probegroup(like.get_probegroup())
    return _as_int16(noise)


def write_demo(folder: str | Path, *, duration_s: float = 60.0, num_channels: int = 32, num_units: int = 10,
               seed: int = 0) -> list[Path]:
    """Two healthy recordings (one SpikeInterface folder, one raw binary + sidecar) and one silent."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    healthy_a, _ = ground_truth(duration_s, num_channels, num_units, seed)
    healthy_b, _ = ground_truth(duration_s, num_channels, num_units, seed + 1)
    healthy_a.save(folder=folder / "healthy_a", overwrite=True)
    return [
        folder / "healthy_a",
        write_binary_with_sidecar(healthy_b, folder, "healthy_b"),
        write_binary_with_sidecar(silent(duration_s, num_channels, seed + 2, healthy_a), folder, "silent"),
    ]
