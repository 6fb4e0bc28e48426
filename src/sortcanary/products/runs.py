"""A joined sort split back per run (config ``join: runs``): what each run's analysis reads.

Runs joined end to end are sorted once, so that a unit keeps one id across them; the lab's analysis
of a run wants that run's spikes on that run's own clock. SpikeInterface's ``split_sorting`` cuts
the joined sorting at the runs' lengths (in samples, from the runs as opened, never from rounded
durations), and each run's segment is saved on its own: ``runs/<run>/sorting`` (a SpikeInterface
sorting folder), ``spike_times.npz`` (plain arrays: unit ids, each spike's sample and time from the
run's start, its unit's index) and ``run.json``, which says which run it is and where it starts in
the joined recording. The joined sorting stays in ``sorting`` beside them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..atomic import write_json_atomic
from ..boundary import JSONDict, Sorting
from ..layout import IN_SORTED
from ..recordings import RecordingEntry, open_recording
from .exports import spike_vector


def split_runs(sorting: Sorting, entry: RecordingEntry, dest: Path) -> list[JSONDict]:
    """Save ``sorting`` (of ``entry``'s runs joined) per run under ``dest``; return the runs' records."""
    from spikeinterface.core import select_segment_sorting, split_sorting

    whole = open_recording(replace(entry, runs=()))
    runs = [whole.select_segments([run["segment"]]) for run in entry.runs]
    split = split_sorting(sorting, runs)
    records, start = [], 0
    for k, (run, recording) in enumerate(zip(entry.runs, runs, strict=True)):
        folder = dest / IN_SORTED["runs"] / run["name"]
        own = select_segment_sorting(split, k)
        own.save(folder=folder / "sorting", overwrite=True)
        samples, units, _ = spike_vector(own)
        fs = recording.sampling_frequency
        np.savez(folder / "spike_times.npz", unit_ids=np.asarray([str(u) for u in own.unit_ids]),
                 spike_samples=samples, spike_times_s=samples / fs, spike_units=units.astype("int64"))
        frames = recording.get_num_samples()
        record = {"run": run["name"], "segment": run["segment"], "index": k, "start_sample": start,
                  "start_s": start / fs, "num_samples": frames, "duration_s": frames / fs,
                  "spikes": len(samples), "time_origin": "the run's own start"}
        write_json_atomic(folder / "run.json", record)
        records.append(record)
        start += frames
    return records
