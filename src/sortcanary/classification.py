"""The classifier: from an exception, an exit status or an error text to a verdict of the taxonomy.

Structure first, text second. An exception still in hand says what it is by its type -- a
MemoryError is host memory, an OSError carries an errno, a ModuleNotFoundError names the module --
so ``classify_exception`` walks its chain (``__cause__``/``__context__``) and reads types. How the
sorter's process ended says more: SIGKILL is the OOM killer's mark, 140/SIGXCPU a scheduler's time
limit (``classify_exit``). Text is what is left for sorter logs, containers (only their output comes
back) and ``sortcanary classify``: ``classify_text`` matches family patterns, one per kind of
failure, never a bare word like "error".

Everything is checked in the priority environment > resource > biological: a configuration problem
on an active recording must never be called a silent recording, and an out-of-memory crash that
also left a TruncatedSVD error behind is a resource problem. An absurd allocation ("Unable to
allocate 117. TiB") is not a resource problem but a wrong parameter: retrying with less would loop.
Anything unrecognised is ``unclassified``: the canary passes it through (it is a smoke test, not a
gate) and the full sort reports a plain failure.
"""

from __future__ import annotations

import errno
import re
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Callable

import psutil

from .taxonomy import (
    CATEGORIES, SortFailure, Verdict, unclassified, verdict_for,
)

IMPLAUSIBLE_FACTOR = 4  # an allocation this many times the machine's memory is a wrong parameter...
IMPLAUSIBLE_FLOOR = 256 * 2**30  # ...and so is anything above this on any machine (one array, one batch)
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60}
_SIZE = r"(\d+(?:\.\d*)?)\s*([KMGTPE]?)i?B\b"


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


@dataclass(frozen=True)
class Signature:
    error_class: str
    pattern: re.Pattern
    reason: str | None = None  # sub-reason, e.g. the container failure kind
    applies: Callable[[str], object] | None = None  # a further test on the whole text


def _sig(error_class: str, pattern: str, reason: str | None = None, applies=None) -> Signature:
    return Signature(error_class, re.compile(pattern, re.IGNORECASE | re.DOTALL), reason, applies)


_SORTER_STACK = r"kilosort|spikeinterface|probeinterface|torch|faiss|sklearn|scipy|numba|cupy|neo"

# In priority order: the first match wins. Each pattern names a family of failures, not one message.
SIGNATURES: tuple[Signature, ...] = (
    # -- environment: containers (their output wraps every other message, so they come first)
    _sig("container_error", r"permission denied while trying to connect to the Docker daemon", "permission_denied"),
    _sig("container_error", r"Cannot connect to the Docker daemon|Is the docker daemon running", "daemon_down"),
    _sig("container_error", r"Error while fetching server API version", "daemon_down"),
    _sig("container_image_pull_failed", r"pull access denied|manifest (for \S+ )?unknown|repository does not exist|"
         r"ImageNotFound|Unable to locate container image|Failed to pull singularity image"),
    _sig("container_image_pull_failed", r"toomanyrequests|pull rate limit|429 Too Many Requests"),
    _sig("container_image_pull_failed", r"(While (making|pulling) image|Unable to handle \S+ uri)[^\n]*registry|"
         r"failed to get checksum for|error pinging (docker )?registry"),
    _sig("container_image_pull_failed", r"\bGet \"?https?://[^\s\"]*(registry|docker\.io|ghcr\.io|quay\.io)"),
    _sig("container_runtime_missing", r"\b(docker|singularity|apptainer)\b(?:(?!image)[^\n]){0,40}?(is not installed|"
         r"(command )?not found|has to be available|could not be found)"),
    _sig("container_runtime_missing", r"python .(docker|spython). package must be installed|No module named "
         r"[\\'\"]*(docker|spython)\b|No such file or directory: '(singularity|apptainer|docker)'"),
    _sig("container_error", r"in_container_sorter_script\.py.*?No module named [\\'\"]*spikeinterface", "image_setup"),
    # -- environment: the install
    _sig("sorter_not_installed", r"The sorter \S+ is not installed"),
    _sig("sorter_not_installed", rf"No module named [\\'\"]*({_SORTER_STACK})\b"),
    _sig("sorter_version_unsupported", rf"only supports \S+ versions?\b|\b({_SORTER_STACK}|numpy|python|matlab)\w*"
         r"\s+versions?\b[^\n]{0,80}\bnot (supported|compatible)\b"),
    _sig("unknown_sorter", r"sortcanary: unknown sorter"),
    # -- environment: the GPU (driver before broken binaries: a missing nvcuda.dll is the driver)
    _sig("gpu_driver_error", r"CUDA driver version is insufficient|Found no NVIDIA driver|NVIDIA-SMI has failed|"
         r"couldn't communicate with the NVIDIA driver|problem with the (graphics|CUDA) driver or with this GPU|"
         r"The CUDA driver (could not be loaded|was found, but it is too old)|cudaErrorInsufficientDriver"),
    _sig("cuda_toolkit_missing", r"No CUDA toolkit installation could be found|MW_NVCC_PATH|CUDA_HOME environment "
         r"variable is not set|nvcc: (command )?not found|'nvcc' is not recognized|No supported compiler (or SDK )?"
         r"was found"),
    _sig("cuda_kernels_not_compiled", r"no kernel image is available for execution on the device|is not "
         r"compatible with the current PyTorch installation|is not a MEX file|Invalid MEX-file|Compiled Kilosort "
         r"files not found"),
    _sig("cuda_kernels_not_compiled", r"Undefined function '\w+' for input arguments of type 'gpuArray'|"
         r"(Undefined|Unrecognized) function( or variable)? '(mex\w+|spikedetector\w*)'"),
    _sig("device_unavailable", r"Torch not compiled with CUDA enabled|No CUDA GPUs are available|no CUDA-capable "
         r"device is detected|No supported GPU device|sortcanary: CUDA requested"),
    _sig("device_unavailable", r"This sorter requires cuda, but the package 'cuda-python' is not installed"),
    _sig("device_unavailable", r"The container requires a NVIDIA GPU capability, but it is not available"),
    # -- environment: broken binaries, downloads, the scheduler, permissions
    _sig("binary_import_broken", r"DLL load failed|undefined symbol:|cannot open shared object file|"
         r"Initializing \S+, but found \S+ already initialized"),
    _sig("download_failed", r"urllib\.error\.(HTTPError|URLError)|<urlopen error|HTTP Error [45]\d\d:|"
         r"download_url_to_file|Download failed|Unable to download|Failed to download"),
    _sig("scheduler_request_rejected", r"Batch job submission failed|sbatch failed|Requested node configuration "
         r"is not available"),
    _sig("permission_denied", r"\[Errno 13\] Permission denied|\[WinError 5\] Access is denied"),
    # -- environment: the data and the configuration
    _sig("hdf5_plugin_missing", r"HDF5_PLUGIN_PATH|can't (open directory|dlopen).*plugin|required filter .* "
         r"(not|isn't) (available|registered)"),
    _sig("hdf5_plugin_missing", r"can't find plugin"),  # HDF5 2.0's read error for a filter with no plugin
    # a file damaged after discovery (discovery reports the damage it can see from metadata)
    _sig("input_invalid", r"truncated file: eof = |file signature not found"),  # HDF5 (NWB, MaxWell)
    _sig("input_invalid", r"Timestamps are not continuous, likely due to a corrupted file"),  # neo's Intan reader
    _sig("probe_config_error", r"Largest value of chanMap exceeds channel count|did not divide evenly|"
         r"incorrect n_chan_bin"),
    _sig("probe_config_error", r"Channel locations are required|does not have a probe|Channel locations are not "
         r"unique|never found suitable channels|Missing required key: \S+ after loading probe"),
    _sig("sorter_params_invalid", r"Invalid parameters: |Unrecognized settings: |`nt` must be odd"),
    _sig("exporter_unavailable", r"sortcanary: outputs\.\S+ is on but"),
    _sig("allocation_implausible", r"allocate|Requested", applies=implausible_allocation),
    # -- resource
    _sig("gpu_out_of_memory", r"CUDA out of memory|torch\.(cuda\.)?OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED|"
         r"Out of memory on (the )?(device|GPU)|CUDA_ERROR_OUT_OF_MEMORY|CUDA error[^\n]{0,20}out of memory"),
    _sig("host_out_of_memory", r"\bMemoryError\b|Unable to allocate .* for an array|DefaultCPUAllocator: can't "
         r"allocate memory|std::bad_alloc|Out of memory\. Type \"?help memory"),
    _sig("host_out_of_memory", r"oom[-_]kill event|OOM Killed|task \d+: Out Of Memory|Out of memory: Kill(ed)? "
         r"process|(^|\n)\s*Killed\s*(\n|$)|: line \d+:\s+\d+ Killed\b"),
    _sig("disk_exhausted", r"No space left on device|\[Errno 28\]|Disk quota exceeded"),
    _sig("too_many_open_files", r"Too many open files|\[Errno 2[34]\]"),
    _sig("scheduler_time_limit", r"DUE TO TIME LIMIT|(SLURM|sacct|state|status)[^\n]{0,40}(?-i:\bTIMEOUT\b)|"
         r"walltime \S+ exceeded limit|TERM_RUNLIMIT|CPU time limit exceeded"),
    # -- biological, or a detection set up wrong: no spikes to work with (the canary weighs the evidence)
    _sig("no_spikes_found", r"Found array with 0 sample\(s\)|n_samples=\d+ should be >= n_clusters=\d+|"
         r"No spikes detected|(?<![\d.,])0 spikes extracted|only had 0 spikes|has fewer than Nfilt spikes|"
         r"found 0 threshold crossings"),
)


def _matching_line(text: str, start: int) -> str:
    """The line the match starts on: the evidence a person recognises."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin: end if end != -1 else len(text)].strip()[:500]


def classify_text(text: str) -> Verdict | None:
    """The verdict for an error text (traceback, sorter log, JSON log), or None if unrecognised."""
    for sig in SIGNATURES:
        match = sig.pattern.search(text)
        if not match:
            continue
        extra = sig.applies(text) if sig.applies else True
        if not extra:
            continue
        start = text.find(extra) if isinstance(extra, str) else match.start()
        evidence = {"signature": sig.pattern.pattern, "matched": _matching_line(text, max(start, 0))}
        if sig.reason:
            evidence["reason"] = sig.reason
        return verdict_for(sig.error_class, **evidence)
    return None


TIME_LIMIT_EXITS = {140, 128 + signal.SIGXCPU, -signal.SIGXCPU}  # LSF/SGE run limits; RLIMIT_CPU


def classify_exit(exit_code: int | None) -> Verdict | None:
    """A verdict from how the sorter's process ended, when it left no usable error text."""
    if exit_code is None:
        return None
    if exit_code in (-signal.SIGKILL, 128 + signal.SIGKILL):
        return verdict_for(
            "host_out_of_memory",
            message="The sorter process was killed with SIGKILL (the kernel's out-of-memory killer, most likely).",
            exit_code=exit_code,
        )
    if exit_code in TIME_LIMIT_EXITS:
        return verdict_for("scheduler_time_limit", message=f"The sorter process ended with status {exit_code}: a "
                           "scheduler's time (or CPU time) limit.", exit_code=exit_code)
    return None


# Modules whose absence means the sort itself can't run, and the output packages the config switches on.
SORTER_MODULES = frozenset(_SORTER_STACK.split("|")) | {"mountainsort5", "spykingcircus", "pykilosort"}
EXPORTER_MODULES = frozenset({"pynwb", "hdmf", "neuroconv"})
CONTAINER_MODULES = frozenset({"docker", "spython"})
_ERRNO_CLASSES = {errno.ENOSPC: "disk_exhausted", errno.EDQUOT: "disk_exhausted", errno.EMFILE: "too_many_open_files",
                  errno.ENFILE: "too_many_open_files", errno.EACCES: "permission_denied"}


def _chain(exc: BaseException):
    """The exception and everything it was raised from or while handling, each once."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _imported_from(exc: BaseException) -> str | None:
    """The sorter-stack package whose code ran the failed import: the innermost frame outside importlib."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("<frozen"):
            continue
        return next((part for part in reversed(re.split(r"[\\/]", frame.filename)[:-1]) if part in SORTER_MODULES),
                    None)
    return None


def _import_verdict(exc: ImportError) -> Verdict | None:
    module = (exc.name or "").split(".")[0]
    text = str(exc)
    if re.search(r"DLL load failed|undefined symbol|cannot open shared object file", text, re.IGNORECASE):
        return verdict_for("binary_import_broken", message=f"Importing {exc.name or 'a module'} failed: {text[:300]}")
    if not isinstance(exc, ModuleNotFoundError) or not module:
        return None
    if module in CONTAINER_MODULES:
        return verdict_for("container_runtime_missing", message=f"The Python package {module} is missing.",
                           module=module)
    if module in EXPORTER_MODULES:
        return verdict_for("exporter_unavailable", message=f"{module}, needed by an output in the config, is "
                           "not installed.", module=module)
    importer = _imported_from(exc)
    if module in SORTER_MODULES or importer:
        via = f" (imported by {importer})" if importer and importer != module else ""
        return verdict_for("sorter_not_installed", message=f"The module {exc.name}{via} is not installed.",
                           module=exc.name)
    return None  # a module our own code imports: a bug to report, not an environment to blame


def _is_torch_oom(exc: BaseException) -> bool:
    torch = sys.modules.get("torch")  # never imported here: if torch isn't loaded, this isn't its error
    oom = getattr(torch, "OutOfMemoryError", None) or getattr(getattr(torch, "cuda", None), "OutOfMemoryError", None)
    return isinstance(oom, type) and isinstance(exc, oom)


def _exception_verdict(exc: BaseException) -> Verdict | None:
    if isinstance(exc, SortFailure):
        return exc.verdict
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError) or _is_torch_oom(exc):
        absurd = implausible_allocation(text)
        if absurd:
            return verdict_for("allocation_implausible", message=f"{absurd}: far more memory than this machine has.",
                               exception=text[:500])
        return verdict_for("gpu_out_of_memory" if _is_torch_oom(exc) else "host_out_of_memory", exception=text[:500])
    if isinstance(exc, ImportError):
        return _import_verdict(exc)
    if isinstance(exc, OSError) and exc.errno in _ERRNO_CLASSES:
        return verdict_for(_ERRNO_CLASSES[exc.errno], message=text[:300], errno=errno.errorcode[exc.errno])
    return None


def classify_exception(exc: BaseException) -> Verdict | None:
    """The verdict an exception's types give, walking its chain; None if no link is recognised.

    A SortFailure carries its verdict. Otherwise the outermost recognised link decides, unless a
    link of a higher priority category lies further down (an environment cause under a resource
    symptom).
    """
    if isinstance(exc, SortFailure):  # our own code already said what this is
        return exc.verdict
    verdicts = [v for v in map(_exception_verdict, _chain(exc)) if v is not None]
    if not verdicts:
        return None
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    return min(verdicts, key=lambda v: rank.get(v.category, len(rank)))


def classify(text: str, *, exit_code: int | None = None, **evidence) -> Verdict:
    """Classify a failure from its text and exit status; never returns None (unrecognised -> unclassified).

    The text's verdict and the exit status's are weighed by category priority; for equal
    categories the text, which is more specific, wins.
    """
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    candidates = [v for v in (classify_text(text), classify_exit(exit_code)) if v is not None]
    verdict = min(candidates, key=lambda v: rank[v.category]) if candidates else None
    if verdict is None:
        last = next((ln.strip() for ln in reversed(text.strip().splitlines()) if ln.strip()), "no error text")
        verdict = unclassified(last[:500])
    verdict.evidence.update({k: v for k, v in evidence.items() if v is not None})
    if exit_code is not None:
        verdict.evidence.setdefault("exit_code", exit_code)
    return verdict
