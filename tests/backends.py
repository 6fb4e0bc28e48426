"""Test-only sorter backends, registered by import path (`sorter: backends:FlakyInCanary`).

They exist for behaviour a real sorter can't be made to show on demand (an unexpected crash only
inside the canary window, a silent hang, a SIGKILL, a full disk), and for a sort that takes a while
without Kilosort4's minutes of CPU. They go through the same registry, child process and watchdogs
as Kilosort4. The sorting they return is real: a simple per-channel threshold detector on the
actual traces.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np

from sortcanary.plan.sorters import SorterBackend


def threshold_sorting(recording, threshold_mad: float = 5.0):
    """One unit per channel with negative threshold crossings (a real, if naive, sorter)."""
    from spikeinterface.core import NumpySorting

    traces = recording.get_traces(return_in_uV=False).astype("float32")
    traces -= np.median(traces, axis=0)
    mad = np.median(np.abs(traces), axis=0) / 0.6745 + 1e-9
    samples, labels = [], []
    for ch in range(traces.shape[1]):
        below = traces[:, ch] < -threshold_mad * mad[ch]
        onsets = np.flatnonzero(below[1:] & ~below[:-1]) + 1
        samples.append(onsets)
        labels.append(np.full(len(onsets), ch))
    samples, labels = np.concatenate(samples), np.concatenate(labels)
    order = np.argsort(samples, kind="stable")
    return NumpySorting.from_samples_and_labels([samples[order]], [labels[order]], recording.sampling_frequency)


class ThresholdSorter(SorterBackend):
    name = "threshold"
    sampling_frequency_range = (10_000.0, 100_000.0)  # as Kilosort4's

    def version(self) -> str:
        return "test"

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "threshold.log").write_text(f"sorting {recording.get_total_duration():.1f} s\n")
        return threshold_sorting(recording, float(params.get("threshold", 5.0)))

    def log_files(self, folder: Path) -> list[Path]:
        return [folder / "threshold.log"]


class NotInstalledHere(ThresholdSorter):
    """A sorter whose install check fails, as a missing sorter's does (Kilosort4's imports torch: seconds)."""

    def check_installed(self, *, docker_image=None, singularity_image=None) -> None:
        from sortcanary.taxonomy import SortFailure, verdict_for

        raise SortFailure(verdict_for("sorter_not_installed", message="NotInstalledHere: not installed (test backend)"))


class ListsParams(ThresholdSorter):
    """Lists its parameters, as a SpikeInterface sorter does (so a misspelt one is caught before
    any job), and rejects a threshold <= 0 with the words SpikeInterface uses for a bad value."""

    def default_params(self) -> dict:
        return {"threshold": 5.0}

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        if float(params.get("threshold", 5.0)) <= 0:
            raise ValueError(f"Invalid parameters: threshold must be > 0, got {params['threshold']}")
        return super().run(recording, folder, params)


class RefusesSilence(ThresholdSorter):
    """Fails on a recording without spikes (fewer than ``min_spikes``, default 100, in what it is
    given), as Kilosort4 does, with a sorter's message the classifier knows: the silent demo
    recording is blocked as biological in seconds instead of Kilosort4's minutes."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        sorting = super().run(recording, folder, params)
        if sum(sorting.count_num_spikes_per_unit().values()) < int(params.get("min_spikes", 100)):
            raise RuntimeError("No spikes detected, cannot continue sorting.")
        return sorting


class Slow(ThresholdSorter):
    """Takes ``seconds`` (default 8) before it sorts, as a real sorter takes minutes: long enough to
    be interrupted in the middle, short enough to finish when the run is resumed."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        time.sleep(float(params.get("seconds", 8)))
        return super().run(recording, folder, params)


class SlowInCanary(RefusesSilence):
    """Sleeps ``seconds_per_s`` (5) per second of a window shorter than ``full_from_s`` (15 s), after
    sorting it: the canary measures a rate far above the full sort's, so a request sized from it
    is told apart from the formula's, while the full sort itself stays quick."""

    seconds_per_s, full_from_s = 5.0, 15.0

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        sorting = super().run(recording, folder, params)
        if recording.get_total_duration() < self.full_from_s:
            time.sleep(self.seconds_per_s * recording.get_total_duration())
        return sorting


class FlakyInCanary(ThresholdSorter):
    """Raises an error no built-in rule knows (``message``, by default a simulated unexpected failure),
    but only on short windows (the canary)."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        if recording.get_total_duration() < float(params.get("fail_below_s", 15)):
            raise RuntimeError(params.get("message", "flaky backend: simulated unexpected failure inside the canary "
                                                     "window"))
        return super().run(recording, folder, params)


class StarvedInShortWindows(ThresholdSorter):
    """Fails as Kilosort4 does when a window gives its templates too few isolated spikes (a sparse or
    faint recording), but only on windows shorter than ``enough_s``; sorts longer ones."""

    enough_s = 15.0

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        if recording.get_total_duration() < self.enough_s:
            raise ValueError("n_samples=2 should be >= n_clusters=6.")
        return super().run(recording, folder, params)


class FailsOnAStep(ThresholdSorter):
    """Fails, with a message no built-in rule knows, on traces that jump by more than ``step``
    (default 1000) counts from one sample to the next on any channel: the stitch between two runs
    whose offsets differ, which a sorter's own filter turns into a burst of false spikes."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        traces = recording.get_traces(return_in_uV=False).astype("float64")
        if np.abs(np.diff(traces, axis=0)).max() > float(params.get("step", 1000)):
            raise RuntimeError("template matching diverged: spike amplitudes out of range")
        return super().run(recording, folder, params)


class Hang(ThresholdSorter):
    """Hangs without a word: only the inactivity watchdog can end it."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        while True:
            time.sleep(60)


class SelfKill(ThresholdSorter):
    """Dies by SIGKILL, as under the kernel's OOM killer."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        os.kill(os.getpid(), signal.SIGKILL)


class FillDisk(ThresholdSorter):
    """Writes into its output folder until the disk is full, slowly enough to be watched."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        folder.mkdir(parents=True, exist_ok=True)
        block = b"\0" * (1 << 20)
        with open(folder / "ballast.bin", "wb") as fh:
            while True:
                fh.write(block)
                fh.flush()
                time.sleep(0.1)


class OpenFilesLimit(ThresholdSorter):
    """Runs out of file descriptors for real: lowers its own RLIMIT_NOFILE and opens files until EMFILE.

    The files are closed again before the error propagates, so the child can still report it."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        import resource

        folder.mkdir(parents=True, exist_ok=True)
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
        handles = []
        try:
            while True:
                handles.append(open(folder / "threshold.log", "a"))  # noqa: SIM115 -- kept open on purpose: EMFILE
        except OSError as exc:
            error = exc
        finally:
            for handle in handles:
                handle.close()
        raise error


class RecordsDevice(ThresholdSorter):
    """Sleeps ``seconds`` (default 2) and appends one JSON line to ``trace_file``: the
    CUDA_VISIBLE_DEVICES it was given, its start and end times and what it sorted, so a test can
    see which jobs overlapped on which device without a GPU."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        import json

        start = time.time()
        time.sleep(float(params.get("seconds", 2)))
        line = {"device": os.environ.get("CUDA_VISIBLE_DEVICES"), "start": start, "end": time.time(),
                "pid": os.getpid(), "duration_s": recording.get_total_duration()}
        with open(params["trace_file"], "a") as fh:
            fh.write(json.dumps(line) + "\n")
        return super().run(recording, folder, params)


class GrowsMemory(ThresholdSorter):
    """Allocates ``step_mb`` (default 50) every 0.2 s, every page touched, as a sorter whose memory
    runs away. At ``max_mb`` (default 1500) it gives up with an error no classifier knows: a cap
    that keeps a broken watchdog from endangering the machine (the test then fails on its verdict)."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        step, cap = int(params.get("step_mb", 50)) << 20, int(params.get("max_mb", 1500)) << 20
        held = []
        while len(held) * step < cap:
            block = bytearray(step)
            block[::4096] = b"\1" * len(range(0, step, 4096))  # calloc'd pages count only once written
            held.append(block)
            print(f"holding {len(held) * step >> 20} MB", flush=True)
            time.sleep(0.2)
        raise RuntimeError(f"GrowsMemory reached its {cap >> 20} MB cap: no watchdog stopped it")


class MapsFile(ThresholdSorter):
    """Memory-maps the whole file ``path`` once and reads every page, as a sorter that keeps one
    mapping of its recording does, then holds the mapping for ``hold_s`` (default 3) seconds of
    watchdog polls. Prints one JSON line: the bytes mapped and the resident file-backed pages."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        mapped = np.memmap(params["path"], dtype=np.uint8, mode="r")
        checksum = int(mapped[::4096].sum())  # one byte a page: every page becomes resident
        with open("/proc/self/status") as status:
            resident = next(int(line.split()[1]) * 1024 for line in status if line.startswith("RssFile:"))
        print(json.dumps({"mapped_bytes": int(mapped.size), "rss_file_bytes": resident, "checksum": checksum}),
              flush=True)
        time.sleep(float(params.get("hold_s", 3)))
        del mapped
        return super().run(recording, folder, params)


class BlockedOnFifo(ThresholdSorter):
    """Blocks in the kernel reading a FIFO no one writes, as a read from a hung network mount does,
    while a thread keeps printing a heartbeat: its log grows, so the inactivity watchdog never fires."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        import threading

        folder.mkdir(parents=True, exist_ok=True)
        fifo = folder / "stalled.fifo"
        os.mkfifo(fifo)

        def heartbeat():
            for beat in range(100_000):
                print(f"heartbeat {beat}: still waiting for data", flush=True)
                time.sleep(0.2)

        threading.Thread(target=heartbeat, daemon=True).start()
        with open(fifo, "rb") as fh:  # blocks until a writer opens it: never
            fh.read()
        raise RuntimeError("BlockedOnFifo: the FIFO was opened; nothing should ever write to it")


class GpuOutOfMemory(ThresholdSorter):
    """Raises torch's own out-of-memory error with CUDA's message, as Kilosort4 does on a GPU too
    small for its batch (this machine may have no GPU to exhaust)."""

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        import torch

        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total "
                                     "capacity; 6.12 GiB already allocated)")


class KilosortLike(ThresholdSorter):
    """Lists the parameters through which Kilosort4 filters, references and corrects drift itself
    (with Kilosort4's defaults), so that the plan switches them off for a recipe that does the same,
    and writes what it was given into its folder (``given.json``: the parameters, the channels, the
    dtype): what the recipe changed in the sorter, seen from the sorter, in seconds."""

    def default_params(self) -> dict:
        return {"do_CAR": True, "highpass_cutoff": 300.0, "do_correction": True, "nblocks": 1, "binning_depth": 5.0}

    def run(self, recording, folder: Path, params: dict, *, docker_image=None):
        import json

        sorting = super().run(recording, folder, params)
        given = {"params": params, "channel_ids": [str(c) for c in recording.channel_ids],
                 "dtype": str(recording.get_dtype()), "class": type(recording).__name__}
        (folder / "given.json").write_text(json.dumps(given))
        return sorting
