"""Test-only writers of small, valid acquisition-system recordings, following the published layouts.

Each writer takes traces from SpikeInterface's ground-truth generator (real templates in noise)
and lays them out on disk the way the acquisition software does, with exactly the metadata the
readers (neo / SpikeInterface / probeinterface) rely on:

* SpikeGLX: https://billkarsh.github.io/SpikeGLX/#metadata-guides (.meta keys, NP 1.0 imroTbl,
  saved-channel subset, sync channel);
* Open Ephys binary: https://open-ephys.github.io/gui-docs/User-Manual/Recording-data/Binary-format.html
  (structure.oebin, continuous.dat, sample_numbers.npy, timestamps.npy);
* NWB through pynwb (an ElectricalSeries with an electrodes table carrying rel_x/rel_y);
* MaxWell .raw.h5 in the layout neo's MaxwellRawIO reads (wells/<well>/<rec>/settings, routed raw);
* Intan RHD 3.0 "traditional" files (header + 128-sample data blocks, Intan's RHD2000 file-format
  document), header fields in the order neo's read_rhd parses them.
"""

from __future__ import annotations

import json
import struct
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

NP1_PART = "NP1000"
NP1_AP_GAIN = 500
NP1_RANGE_V = 0.6
NP1_ACQ_CHANNELS = 384
SPIKEGLX_FS = 30000.0
INTAN_GAIN_UV = 0.195


def ground_truth(duration_s: float, seed: int, *, probe=None, num_channels: int = 16, fs: float = 30000.0):
    from spikeinterface.core import generate_ground_truth_recording

    recording, _ = generate_ground_truth_recording(
        durations=[duration_s], sampling_frequency=fs, num_channels=num_channels, num_units=8, probe=probe, seed=seed,
    )
    return recording


def int16_traces(recording, gain_uV: float) -> np.ndarray:
    traces = recording.get_traces(return_in_uV=True)
    return np.clip(np.round(traces / gain_uV), -32768, 32767).astype("<i2")


def write_probe(recording, path: Path) -> Path:
    import probeinterface

    probeinterface.write_probeinterface(path, recording.get_probegroup())
    return path


# -- SpikeGLX ---------------------------------------------------------------------------------


def np1_ap_gain_uV() -> float:
    return NP1_RANGE_V / 512 / NP1_AP_GAIN * 1e6


def spikeglx_meta(run: str, device: str, kind: str, num_channels: int, file_size: int, fs: float) -> str:
    """A NP 1.0 .meta for an AP (or LF) file saving channels 0..n-1 plus the sync channel."""
    lf = kind == "lf"
    first = NP1_ACQ_CHANNELS if lf else 0
    sync = 2 * NP1_ACQ_CHANNELS
    imro = "".join(f"({c} 0 0 {NP1_AP_GAIN} 250 1)" for c in range(NP1_ACQ_CHANNELS))
    prefix = "LF" if lf else "AP"
    chan_map = "".join(f"({prefix}{c};{first + c}:{first + c})" for c in range(num_channels))
    shank_map = "".join(f"(0:{c % 2}:{c // 2}:1)" for c in range(num_channels))
    geom = "".join(f"(0:{[43, 11, 59, 27][c % 4]}:{20 * (c // 2)}:1)" for c in range(num_channels))
    lines = {
        "acqApLfSy": f"{NP1_ACQ_CHANNELS},{NP1_ACQ_CHANNELS},1",
        "appVersion": "20230815",
        "fileCreateTime": "2024-05-01T10:00:00",
        "fileName": f"D:/data/{run}_g0/{run}_g0_{device}/{run}_g0_t0.{device}.{kind}.bin",
        "fileSizeBytes": str(file_size),
        "fileTimeSecs": f"{file_size / 2 / (num_channels + 1) / fs:.6f}",
        "firstSample": "0",
        "gateMode": "Immediate",
        "imAiRangeMax": str(NP1_RANGE_V),
        "imAiRangeMin": str(-NP1_RANGE_V),
        "imDatPrb_dock": "1",
        "imDatPrb_pn": NP1_PART,
        "imDatPrb_port": device[-1],
        "imDatPrb_slot": "2",
        "imDatPrb_sn": f"1865{device[-1]}0001",
        "imDatPrb_type": "0",
        "imMaxInt": "512",
        "imSampRate": str(fs),
        "nSavedChans": str(num_channels + 1),
        "snsApLfSy": f"0,{num_channels},1" if lf else f"{num_channels},0,1",
        "snsSaveChanSubset": f"{first}:{first + num_channels - 1},{sync}",
        "typeThis": "imec",
        "~imroTbl": f"({NP1_PART},{NP1_ACQ_CHANNELS}){imro}",
        "~snsChanMap": f"({NP1_ACQ_CHANNELS},{NP1_ACQ_CHANNELS},1){chan_map}(SY0;{sync}:{sync})",
        "~snsShankMap": f"(1,2,480){shank_map}",
        "~snsGeomMap": f"({NP1_PART},1,0,70){geom}",
    }
    return "".join(f"{k}={v}\n" for k, v in lines.items())


def spikeglx_probe(tmp: Path, num_channels: int = 16):
    """The probe probeinterface builds from such a .meta (so traces are generated on the real geometry)."""
    import probeinterface

    meta = tmp / "probe_g0_t0.imec0.ap.meta"
    meta.write_text(spikeglx_meta("probe", "imec0", "ap", num_channels, 0, SPIKEGLX_FS))
    probe = probeinterface.read_spikeglx(meta)
    meta.unlink()
    return probe


def _write_pair(folder: Path, run: str, device: str, kind: str, traces: np.ndarray, fs: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = np.zeros((traces.shape[0], traces.shape[1] + 1), dtype="<i2")
    data[:, :-1] = traces  # last column: the sync channel (flat here)
    stem = f"{run}_g0_t0.{device}.{kind}"
    (folder / f"{stem}.bin").write_bytes(data.tobytes())
    (folder / f"{stem}.meta").write_text(spikeglx_meta(run, device, kind, traces.shape[1], data.nbytes, fs))
    return folder / f"{stem}.bin"


def write_spikeglx(root: Path, run: str, *, probes: int = 2, duration_s: float = 12.0, seed: int = 0,
                   lf: bool = True, nidq: bool = True):
    """A session folder ``<run>_g0`` with one ``<run>_g0_imecN`` subfolder per probe (AP + LF) and a NI-DAQ
    file. Returns (session folder, the recordings written, keyed by stream: imec0.ap, ...)."""
    session = root / f"{run}_g0"
    root.mkdir(parents=True, exist_ok=True)
    probe = spikeglx_probe(root)
    written = {}
    for index in range(probes):
        recording = ground_truth(duration_s, seed + index, probe=probe, fs=SPIKEGLX_FS)
        written[f"imec{index}.ap"] = recording
        ap = int16_traces(recording, np1_ap_gain_uV())
        sub = session / f"{run}_g0_imec{index}"
        _write_pair(sub, run, f"imec{index}", "ap", ap, SPIKEGLX_FS)
        if lf:
            _write_pair(sub, run, f"imec{index}", "lf", ap[::12] // 4, SPIKEGLX_FS / 12)
    if nidq:
        samples = int(duration_s * 25000)
        data = np.zeros((samples, 2), dtype="<i2")
        (session / f"{run}_g0_t0.nidq.bin").write_bytes(data.tobytes())
        (session / f"{run}_g0_t0.nidq.meta").write_text("".join(f"{k}={v}\n" for k, v in {
            "fileName": f"D:/data/{run}_g0/{run}_g0_t0.nidq.bin", "fileSizeBytes": data.nbytes, "firstSample": 0,
            "niAiRangeMax": 5, "niAiRangeMin": -5, "niMAGain": 1, "niMNGain": 200, "niSampRate": 25000,
            "niXDChans1": "", "nSavedChans": 2, "snsMnMaXaDw": "0,0,1,1", "snsSaveChanSubset": "all",
            "typeThis": "nidq", "~snsChanMap": "(0,0,1,1,1)(XA0;0:0)(XD0;1:1)",
        }.items()))
    return session, written


# -- Open Ephys binary ------------------------------------------------------------------------


def _oe_channel(name: str, bit_volts: float, units: str) -> dict:
    return {"channel_name": name, "description": "", "identifier": "genericdata.continuous", "history": "",
            "bit_volts": bit_volts, "units": units, "source_processor_index": 0, "recorded_processor_index": 0}


OPENEPHYS_DATE = "1 May 2024 10:00:00"  # settings.xml <INFO><DATE>, local time as the GUI writes it


def write_openephys(root: Path, name: str, *, duration_s: float = 12.0, seed: int = 10, fs: float = 30000.0,
                    software_time_ms: int | None = None):
    """An Open Ephys 0.6 session: Record Node 101 with two Acquisition Board streams. The first also
    records 3 AUX (accelerometer) and 2 ADC inputs after its 16 headstage channels. settings.xml
    carries OPENEPHYS_DATE; ``software_time_ms`` adds recording1/sync_messages.txt with that
    "Software Time". Returns (session folder, the recordings written, keyed by stream folder name)."""
    session = root / name
    node = session / "Record Node 101"
    rec = node / "experiment1" / "recording1"
    node.mkdir(parents=True)
    (node / "settings.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<SETTINGS><INFO><VERSION>0.6.7</VERSION>'
        f'<DATE>{OPENEPHYS_DATE}</DATE></INFO>'
        '<SIGNALCHAIN><PROCESSOR name="Acquisition Board" nodeId="100"/>'
        '<PROCESSOR name="Acquisition Board" nodeId="102"/><PROCESSOR name="Record Node" nodeId="101"/>'
        '</SIGNALCHAIN></SETTINGS>\n')
    continuous, written = [], {}
    for index, (board, extras) in enumerate([(100, True), (102, False)]):
        folder_name = f"Acquisition_Board-{board}.Rhythm Data"
        recording = ground_truth(duration_s, seed + index, fs=fs)
        neural = int16_traces(recording, INTAN_GAIN_UV)
        channels = [_oe_channel(f"CH{i + 1}", INTAN_GAIN_UV, "uV") for i in range(neural.shape[1])]
        columns = [neural]
        if extras:
            rng = np.random.default_rng(seed)
            channels += [_oe_channel(f"AUX{i + 1}", 3.74e-05, "V") for i in range(3)]
            channels += [_oe_channel(f"ADC{i + 1}", 0.00015259, "V") for i in range(2)]
            columns += [rng.integers(-500, 500, (neural.shape[0], 3), dtype="int16"),
                        np.zeros((neural.shape[0], 2), dtype="int16")]
        data = np.ascontiguousarray(np.concatenate(columns, axis=1), dtype="<i2")
        stream_dir = rec / "continuous" / folder_name
        stream_dir.mkdir(parents=True)
        (stream_dir / "continuous.dat").write_bytes(data.tobytes())
        first = 123_000
        np.save(stream_dir / "sample_numbers.npy", np.arange(first, first + data.shape[0], dtype="int64"))
        np.save(stream_dir / "timestamps.npy", np.arange(first, first + data.shape[0], dtype="float64") / fs)
        continuous.append({
            "folder_name": folder_name + "/", "sample_rate": fs, "source_processor_name": "Acquisition Board",
            "source_processor_id": board, "stream_name": "Rhythm Data", "recorded_processor": "Record Node",
            "recorded_processor_id": 101, "num_channels": len(channels), "channels": channels,
        })
        written[folder_name] = recording
    (rec / "structure.oebin").write_text(json.dumps(
        {"GUI version": "0.6.7", "continuous": continuous, "events": [], "spikes": []}, indent=2))
    if software_time_ms is not None:  # the GUI >= 0.6 layout of the file
        (rec / "sync_messages.txt").write_text(
            f"Software Time (milliseconds since midnight Jan 1st 1970 UTC): {software_time_ms}\n"
            + "".join(f"Start Time for Acquisition Board ({board}) - Rhythm Data @ {int(fs)} Hz: 123000\n"
                      for board in (100, 102)))
    return session, written


# -- NWB --------------------------------------------------------------------------------------


NWB_START = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


def write_nwb(path: Path, recordings: dict, *, positions: bool = True, subject: dict | None = None) -> Path:
    """One ElectricalSeries per item of ``recordings`` (name -> recording), each on its own electrodes,
    in a session that starts at NWB_START; ``subject``: Subject fields, if the file is to have one."""
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries
    from pynwb.file import Subject

    nwb = NWBFile(session_description="sortcanary test", identifier=path.stem, session_start_time=NWB_START,
                  subject=Subject(**subject) if subject else None)
    device = nwb.create_device(name="probe")
    start = 0
    series = []
    for name, recording in recordings.items():
        group = nwb.create_electrode_group(name=f"group_{name}", description="shank", location="CA1", device=device)
        locations = recording.get_channel_locations()
        for x, y in locations:
            kwargs = {"rel_x": float(x), "rel_y": float(y)} if positions else {}
            nwb.add_electrode(group=group, location="CA1", **kwargs)
        region = nwb.create_electrode_table_region(list(range(start, start + len(locations))), f"{name} electrodes")
        start += len(locations)
        series.append(ElectricalSeries(name=name, data=int16_traces(recording, INTAN_GAIN_UV), electrodes=region,
                                       starting_time=0.0, rate=float(recording.sampling_frequency),
                                       conversion=INTAN_GAIN_UV * 1e-6))
    for item in series:
        nwb.add_acquisition(item)
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


# -- MaxWell ----------------------------------------------------------------------------------


MAXWELL_LSB_V = 6.29e-6


def write_maxwell(path: Path, recording=None, *, wells=("well000",), num_channels: int = 16, samples: int = 0,
                  compression: dict | None = None, raw_filter: int | None = None,
                  start_time_ms: int | None = None) -> Path:
    """A MaxOne/MaxTwo file (current layout). ``recording`` gives the traces (else ``samples`` of zeros);
    ``compression`` passes h5py filter options; ``raw_filter`` stores the raw chunks through a filter id no
    plugin provides (chunks written directly, as a vendor plugin would have written them);
    ``start_time_ms`` writes each well recording's start_time (ms since 1970 UTC)."""
    import h5py

    if recording is not None:
        locations = recording.get_channel_locations()
        traces = (int16_traces(recording, MAXWELL_LSB_V * 1e6).astype("int32") + 2048).astype("<u2").T
    else:
        locations = np.column_stack([np.arange(num_channels) % 2 * 17.5, np.arange(num_channels) // 2 * 17.5])
        traces = np.full((num_channels, samples), 2048, dtype="<u2")
    mapping = np.zeros(len(locations), dtype=[("channel", "<i4"), ("electrode", "<i4"), ("x", "<f8"), ("y", "<f8")])
    mapping["channel"] = np.arange(len(locations))
    mapping["electrode"] = np.arange(len(locations)) + 1000
    mapping["x"], mapping["y"] = locations[:, 0], locations[:, 1]
    fs = float(recording.sampling_frequency) if recording is not None else 20000.0
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data=np.array([b"20190530"]))
        for well in wells:
            base = f.create_group(f"wells/{well}/rec0000")
            base.create_dataset("settings/sampling", data=[fs])
            base.create_dataset("settings/lsb", data=[MAXWELL_LSB_V])
            base.create_dataset("settings/gain", data=[512.0])
            base.create_dataset("settings/mapping", data=mapping)
            if start_time_ms is not None:
                base.create_dataset("start_time", data=np.array([start_time_ms], dtype="<i8"))
            if raw_filter is not None:
                raw = base.create_dataset("groups/routed/raw", shape=traces.shape, dtype="<u2", chunks=traces.shape,
                                          compression=raw_filter, allow_unknown_filter=True)
                raw.id.write_direct_chunk((0, 0), traces.tobytes(), filter_mask=0)
            else:
                base.create_dataset("groups/routed/raw", data=traces, chunks=True if compression else None,
                                    **(compression or {}))
    return path


# -- Intan ------------------------------------------------------------------------------------


RHD_MAGIC = 0xC6912702
RHD_BLOCK = 128


def _qstring(text: str) -> bytes:
    raw = text.encode("utf-16-le")
    return struct.pack("<I", len(raw)) + raw if raw else struct.pack("<I", 0)


def rhd_header(num_channels: int, fs: float) -> bytes:
    """An RHD 3.0 header: one enabled group ("Port A") of amplifier channels, nothing else."""
    head = struct.pack("<IhhfhffffffhffI", RHD_MAGIC, 3, 0, fs, 1, 1.0, 0.1, 7500.0, 1.0, 0.1, 7500.0, 0, 1000.0,
                       1000.0, 0)  # ... up to note1 (empty)
    head += struct.pack("<II", 0, 0)  # note2, note3
    head += struct.pack("<hh", 0, 0)  # num_temp_sensor_channels (v1.1+), eval_board_mode (v1.3+)
    head += _qstring("hardware")  # reference_channel (v2.0+)
    head += struct.pack("<h", 1)  # one signal group
    head += _qstring("Port A") + _qstring("A") + struct.pack("<hhh", 1, num_channels, num_channels)
    for c in range(num_channels):
        head += _qstring(f"A-{c:03d}") + _qstring(f"A-{c:03d}")
        head += struct.pack("<hhhhhhhhhhff", c, c, 0, 1, c, 0, 0, 0, 0, 0, 50000.0, -60.0)
    return head


def write_intan(path: Path, recording=None, *, num_channels: int = 16, blocks: int = 0, fs: float = 30000.0) -> Path:
    """A traditional RHD file: header, then blocks of 128 timestamps + 128 samples per channel (uint16)."""
    if recording is not None:
        traces = int16_traces(recording, INTAN_GAIN_UV)
        blocks = traces.shape[0] // RHD_BLOCK
        traces = traces[: blocks * RHD_BLOCK]
        num_channels, fs = traces.shape[1], float(recording.sampling_frequency)
    else:
        traces = np.zeros((blocks * RHD_BLOCK, num_channels), dtype="<i2")
    block = np.dtype([("timestamp", "<i4", (RHD_BLOCK,))] + [(f"A-{c:03d}", "<u2", (RHD_BLOCK,))
                                                             for c in range(num_channels)])
    data = np.zeros(blocks, dtype=block)
    data["timestamp"] = np.arange(blocks * RHD_BLOCK, dtype="<i4").reshape(blocks, RHD_BLOCK)
    for c in range(num_channels):
        data[f"A-{c:03d}"] = (traces[:, c].astype("int32") + 32768).astype("<u2").reshape(blocks, RHD_BLOCK)
    path.write_bytes(rhd_header(num_channels, fs) + data.tobytes())
    return path
