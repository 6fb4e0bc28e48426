"""Bare SpikeInterface: sort one raw recording with Kilosort4, nothing else (benchmark 3's baseline).

    python bench/_bare_sort.py RAW.bin FOLDER [--steps JSON] [KEY=JSON_VALUE ...]

Reads the raw file and its JSON sidecar + probe the way any SpikeInterface user would, applies the
preprocessing steps given (``apply_preprocessing_pipeline``, list form; a ``phase_shift`` is left
out when the recording has no ``inter_sample_shift``, as a user would have to), then calls
``spikeinterface.sorters.run_sorter('kilosort4', recording, folder=FOLDER, torch_device='cpu',
**params)``. Prints one JSON line: the seconds spent in run_sorter (the chain is lazy: it runs
inside, with the copy Kilosort4 needs) and the number of units.
"""

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    steps = []
    if "--steps" in argv:
        at = argv.index("--steps")
        steps, argv = json.loads(argv[at + 1]), argv[:at] + argv[at + 2:]
    raw, folder, *extra = argv
    params = {"torch_device": "cpu"}
    params.update({k: json.loads(v) for k, v in (item.split("=", 1) for item in extra)})
    import probeinterface
    import spikeinterface.core as sc
    from spikeinterface.sorters import run_sorter

    meta = json.loads(Path(raw).with_suffix(".json").read_text())
    recording = sc.read_binary(file_paths=[raw], sampling_frequency=meta["sampling_frequency"], dtype=meta["dtype"],
                               num_channels=meta["num_channels"], gain_to_uV=meta.get("gain_to_uV"),
                               offset_to_uV=meta.get("offset_to_uV"))
    recording.set_probegroup(probeinterface.read_probeinterface(Path(raw).parent / meta["probe"]))
    if recording.get_property("inter_sample_shift") is None:
        steps = [step for step in steps if step["name"] != "phase_shift"]
    if steps:
        from spikeinterface.preprocessing import apply_preprocessing_pipeline

        recording = apply_preprocessing_pipeline(recording, steps)
    started = time.monotonic()
    sorting = run_sorter("kilosort4", recording, folder=folder, **params)
    seconds = time.monotonic() - started
    print(json.dumps({"run_sorter_s": round(seconds, 3), "units": len(sorting.unit_ids)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
