"""A plain script, as a notebook user writes one, driving sortcanary's Python API (test_python_api.py).

    python python_api_script.py OUT.json WORKDIR SORTER BLOCKED_RECORDING CONFIG_JSON PARAMS_JSON

1. ``sortcanary.run_sorter`` on a generated recording, lazily bandpass-filtered (never saved);
2. ``sortcanary.run_sorter`` on a silent recording held in memory (a NumpyRecording): CanaryBlocked;
3. ``sortcanary.canary`` on BLOCKED_RECORDING, a folder opened by its extractor;
4. ``sortcanary.canary`` on a raw file with a header, opened with ``read_binary(file_offset=...)``:
   its window reads well, but Kilosort4 would read the whole file from byte 0 in the full sort.
What happened is written to OUT.json for the test to judge.
"""

import json
import sys
import time
from pathlib import Path

import spikeinterface.core as sc
import spikeinterface.extractors as se
import spikeinterface.preprocessing as spre

import sortcanary
from sortcanary.demo import silent
from sortcanary.recordings import entry_for_path, open_recording

out, workdir, sorter, blocked_path, config, params = sys.argv[1:7]
workdir, config, params = Path(workdir), json.loads(config), json.loads(params)
report: dict = {}

started = time.monotonic()
recording, _ = sc.generate_ground_truth_recording(durations=[12.0], num_channels=16, num_units=5, seed=0)
filtered = spre.bandpass_filter(recording)  # lazy: nothing is written
sorting = sortcanary.run_sorter(sorter, filtered, workdir / "healthy", config=config, **params)
report["healthy"] = {"type": type(sorting).__name__, "is_sorting": isinstance(sorting, sc.BaseSorting),
                     "units": len(sorting.unit_ids), "spikes": int(sum(sorting.count_num_spikes_per_unit().values())),
                     "seconds": round(time.monotonic() - started, 1)}

started = time.monotonic()
noise = silent(5.0, 16, seed=3, like=recording)
in_memory = sc.NumpyRecording([noise.get_traces()], noise.sampling_frequency, channel_ids=noise.channel_ids)
in_memory.set_probegroup(noise.get_probegroup())
try:
    sortcanary.run_sorter(sorter, in_memory, workdir / "silent_in_memory", **params)
    report["silent_in_memory"] = {"raised": None}
except sortcanary.CanaryBlocked as blocked:
    report["silent_in_memory"] = {"raised": type(blocked).__name__, "is_sort_failure": isinstance(blocked, Exception),
                                  "verdict": blocked.verdict.as_dict(), "text": str(blocked),
                                  "sorted": (workdir / "silent_in_memory" / "results" / "sorted").exists()}
report["silent_in_memory"]["seconds"] = round(time.monotonic() - started, 1)

started = time.monotonic()
on_disk = open_recording(entry_for_path(blocked_path))
report["canary_on_disk"] = sortcanary.canary(on_disk, sorter, config=config, **params)
report["canary_on_disk"]["call_seconds"] = round(time.monotonic() - started, 1)

started = time.monotonic()
with_header = workdir / "with_header.bin"
with open(with_header, "wb") as fh:
    fh.write(b"HEADER".ljust(1024, b" "))  # 1024 bytes: a whole number of 16-channel int16 samples
    recording.get_traces().astype("int16").tofile(fh)
read = se.read_binary(with_header, sampling_frequency=recording.sampling_frequency, dtype="int16", num_channels=16,
                      file_offset=1024)
read.set_probegroup(recording.get_probegroup())
report["canary_header"] = sortcanary.canary(read, sorter, config=config, **params)
report["canary_header"]["call_seconds"] = round(time.monotonic() - started, 1)

Path(out).write_text(json.dumps(report, indent=2, default=str))
