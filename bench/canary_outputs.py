"""What exercising the output path costs the canary (issue 5): canary wall time on a healthy
recording with ``canary.exercise_outputs`` true vs false, pairs interleaved, medians.

    .venv/bin/python bench/canary_outputs.py            # 60 s x 32 ch recording, 3 pairs
    .venv/bin/python bench/canary_outputs.py --quick    # 20 s x 16 ch, 1 pair

Real Kilosort4 on the CPU through sortcanary.jobs.canary.run_canary (the same function the canary
rule calls); the recording comes from sortcanary.demo. Writes bench/results/canary_outputs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from sortcanary.config import validate_config
from sortcanary.demo import ground_truth, write_binary_with_sidecar
from sortcanary.jobs.canary import run_canary
from sortcanary.recordings import entry_for_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    duration, channels, pairs = (20.0, 16, 1) if args.quick else (60.0, 32, 3)
    work = Path(tempfile.mkdtemp(prefix="bench-canary-outputs-"))
    recording, _ = ground_truth(duration, channels, 10, seed=0)
    entry = entry_for_path(write_binary_with_sidecar(recording, work, "healthy"))
    times: dict[bool, list[float]] = {True: [], False: []}
    for pair in range(pairs):
        for exercise in ((True, False) if pair % 2 == 0 else (False, True)):  # interleaved, order alternated
            cfg = validate_config({"recordings_dir": str(work), "torch_device": "cpu",
                                   "canary": {"exercise_outputs": exercise}})
            started = time.monotonic()
            code, record = run_canary(entry, cfg, scratch=work / "scratch", log_path=work / "canary.log")
            assert code == 0 and record["verdict"] == "pass", record
            times[exercise].append(time.monotonic() - started)
    with_outputs, without = statistics.median(times[True]), statistics.median(times[False])
    result = {
        "recording": f"{duration:g} s x {channels} ch", "pairs": pairs, "window_s": cfg["canary"]["window_s"],
        "with_outputs_s": times[True], "without_outputs_s": times[False],
        "median_with_s": round(with_outputs, 2), "median_without_s": round(without, 2),
        "ratio": round(with_outputs / without, 3), "load": os.getloadavg(),
    }
    out = Path(__file__).parent / "results" / "canary_outputs.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"canary with outputs {with_outputs:.1f} s, without {without:.1f} s, ratio {result['ratio']:.2f} "
          f"({pairs} interleaved pairs, median; load {result['load'][0]:.1f})")


if __name__ == "__main__":
    main()
