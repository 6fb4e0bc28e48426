"""The structural rules' tests: what the parsed failure's facts say, without reading its words.

Which module is missing and who imported it, what the exception's type is, which errno the
filesystem gave, how the process ended and what the scheduler said, what the sorter's own log
shows of the recording. An allocation far beyond the machine is a wrong parameter, not a memory
problem: retrying with less would loop (``implausible_allocation``).
"""

from __future__ import annotations

import re

import psutil

from .parse import ParsedFailure
from .rules import Hit

IMPLAUSIBLE_FACTOR = 4  # an allocation this many times the machine's memory is a wrong parameter...
IMPLAUSIBLE_FLOOR = 256 * 2**30  # ...and so is anything above this on any machine (one array, one batch)
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60}
_SIZE = r"(\d+(?:\.\d*)?)\s*([KMGTPE]?)i?B\b"

# The sorters themselves (a missing one is sorter_not_installed) and the stack they run on (a missing
# module of it, or one its code imports, is dependency_missing); the Python clients of the container
# engines and the packages of the optional outputs.
SORTER_PACKAGES = frozenset({"kilosort", "mountainsort4", "mountainsort5", "spykingcircus", "pykilosort",
                             "tridesclous", "herdingspikes"})
SORTER_STACK = SORTER_PACKAGES | {"spikeinterface", "probeinterface", "neo", "torch", "faiss", "sklearn", "scipy",
                                  "numba", "cupy", "numpy", "pandas", "h5py"}
EXPORTER_MODULES = frozenset({"pynwb", "hdmf"})
CONTAINER_MODULES = frozenset({"docker", "spython"})
OURS = "sortcanary"


def _bytes(number: str, unit: str) -> float:
    return float(number) * _UNITS[unit.upper()]


def implausible_allocation(text: str) -> str | None:
    """The allocation in ``text`` ("Unable to allocate 117. TiB", "Tried to allocate 2.6 TiB", MATLAB's
    "Requested ... (119.4GB) array") when it is far beyond this machine -- or a GPU's stated capacity."""
    match = re.search(rf"(?:Unable to allocate|Tried to allocate)\s+{_SIZE}|Requested [^\n]*?\({_SIZE}\) array",
                      text, re.IGNORECASE)
    if not match:
        return None
    number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    capacity = re.search(rf"total capacity of\s+{_SIZE}", text, re.IGNORECASE)
    reference = _bytes(*capacity.groups()) if capacity else psutil.virtual_memory().total
    size = _bytes(number, unit)
    return match.group(0) if size > max(IMPLAUSIBLE_FACTOR * reference, IMPLAUSIBLE_FLOOR) else None


# -- structural rules --------------------------------------------------------------------------------


def missing(kind):
    """A rule test: the first missing module of ``kind`` (container, exporter, sorter, dependency)."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for missing in parsed.missing:
            root = missing.module.split(".")[0]
            if _missing_kind(root, missing.importer) == kind:
                via = f" (imported by {missing.importer})" if missing.importer and missing.importer != root else ""
                return Hit(missing.line, {"module": missing.module, "message": f"The module {missing.module}{via} is "
                                          "not installed.", **({"importer": missing.importer} if via else {})},
                           text=f"No module named '{missing.module}'")
        return None
    return test


def _missing_kind(root: str, importer: str | None) -> str | None:
    if root in CONTAINER_MODULES:
        return "container"
    if root in EXPORTER_MODULES:
        return "exporter"
    if root in SORTER_PACKAGES:
        return "sorter"
    if root in SORTER_STACK or (importer and importer != OURS):
        return "dependency"
    return None  # a module our own code imports: a bug to report, not an environment to blame


def errno_is(*names: str):
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = next((f for f in parsed.errnos if f.value in names), None)
        return Hit(fact.line, {"errno": fact.value}) if fact else None
    return test


def memory_exception(gpu: bool):
    """An exception whose type says memory ran out: torch's/CuPy's OutOfMemoryError on the GPU,
    MemoryError (numpy's _ArrayMemoryError among them) on the host."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for raised in parsed.raised:
            on_gpu = raised.type.rpartition(".")[2] == "OutOfMemoryError"
            if on_gpu == gpu and (on_gpu or raised.is_a("MemoryError", "ArrayMemoryError")):
                return Hit(raised.line, {"exception": f"{raised.type}: {raised.message}"[:500]},
                           text=f"{raised.type}: {raised.message}"[:500])
        return None
    return test


def scheduler_state(state: str):
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = parsed.scheduler
        return Hit(fact.line, {"scheduler_state": state}) if fact and fact.value == state else None
    return test


TIME_LIMIT_EXITS = {140}  # LSF/SGE run limits


def killed(parsed: ParsedFailure) -> Hit | None:
    """SIGKILL (exit -9 or 137, a shell's "Killed"), unless the scheduler says it was for time."""
    fact = parsed.signal
    if fact is None or fact.value != "SIGKILL" or (parsed.scheduler and parsed.scheduler.value == "TIME_LIMIT"):
        return None
    exit_code = parsed.exit_code.value if parsed.exit_code else None
    return Hit(fact.line, {"message": "The sorter process was killed with SIGKILL (the kernel's out-of-memory "
                           "killer, most likely).", **({"exit_code": exit_code} if exit_code is not None else {})},
               text=f"exit status {exit_code}" if exit_code is not None else "SIGKILL")


def cpu_time(parsed: ParsedFailure) -> Hit | None:
    """SIGXCPU (RLIMIT_CPU) or a batch system's run-limit exit status."""
    exit_code = parsed.exit_code.value if parsed.exit_code else None
    if (parsed.signal and parsed.signal.value == "SIGXCPU") or exit_code in TIME_LIMIT_EXITS:
        line = parsed.exit_code.line if parsed.exit_code else parsed.signal.line
        return Hit(line, {"message": f"The sorter process ended with status {exit_code}: a scheduler's time (or CPU "
                          "time) limit.", "exit_code": exit_code}, text=f"exit status {exit_code}")
    return None


def _marker(parsed: ParsedFailure, key: str) -> float | None:
    fact = parsed.markers.get(key)
    return None if fact is None else fact.value


def no_good_channels(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2/2.5/3 found no channel good enough to sort: it says so, or every channel was bad."""
    channels, bad = _marker(parsed, "channels"), _marker(parsed, "bad_channels")
    for key in ("no_good_channels_left", "good_channels", "bad_channels"):
        fact = parsed.markers.get(key)
        if fact is None:
            continue
        if key == "no_good_channels_left" or (key == "good_channels" and fact.value == 0) or \
                (key == "bad_channels" and channels and bad is not None and bad >= channels):
            return Hit(fact.line, {"channels": channels, "bad_channels": bad})
    return None


KS2_KERNEL_FAILURE = re.compile(r"An unexpected error occurred trying to launch a kernel|invalid configuration "
                                r"argument", re.IGNORECASE)
SPARSE_NSPKS = 10.0  # Kilosort 2's running spike count summed over templates, per batch
SPARSE_CROSSINGS_PER_CHANNEL_S = 0.05  # threshold crossings per channel per second
SPARSE_GOOD_FRACTION = 0.1  # channels left after the bad ones are dropped


def ks2_starved(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2's CUDA kernel launch failed while its own log shows too little activity to sort
    (few threshold crossings, almost every channel bad, or a near-zero spike count): the kernel is
    launched with an empty grid, which is the data's doing, not the GPU's."""
    kernel = KS2_KERNEL_FAILURE.search(parsed.text)
    if not kernel:
        return None
    channels = _marker(parsed, "channels")
    crossings, seconds = _marker(parsed, "threshold_crossings"), _marker(parsed, "crossing_seconds")
    nspks, bad = _marker(parsed, "nspks"), _marker(parsed, "bad_channels")
    low = []
    if nspks is not None and nspks < SPARSE_NSPKS:
        low.append("nspks")
    if crossings is not None and seconds and crossings / seconds / (channels or 1) < SPARSE_CROSSINGS_PER_CHANNEL_S:
        low.append("threshold_crossings")
    if channels and bad is not None and (channels - bad) / channels < SPARSE_GOOD_FRACTION:
        low.append("bad_channels")
    if not low:
        return None
    first = min(parsed.markers[k].line for k in low)
    return Hit(first, {"low": low, "threshold_crossings": crossings, "nspks": nspks,
                       "units": _marker(parsed, "units"), "kernel_failure": kernel.group(0)})
