"""The failure taxonomy and the classifier that maps real error text to it.

A verdict is only useful if it sends a lab member to fix the right thing, so each class carries a
one-line message, a remediation and a policy:

* biological  -- the recording itself can't be sorted: block it, never retry;
* environment -- the host, install, container or configuration is wrong: block; when the cause is
  environment-wide (every recording would fail the same way) the run should stop early;
* resource    -- a machine limit was hit: retry with less (smaller batches, more memory/time).

Classification looks at the whole exception chain, the sorter's own logs and the child's exit
status, in the priority environment > resource > biological: a configuration problem on an active
recording must never be called a silent recording, and an out-of-memory crash that also left a
TruncatedSVD error behind is a resource problem. Anything unrecognised is ``unclassified``: the
canary passes it through (it is a smoke test, not a gate) and the full sort reports a plain failure.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass, field

BIOLOGICAL = "biological"
ENVIRONMENT = "environment"
RESOURCE = "resource"
UNCLASSIFIED = "unclassified"
CATEGORIES = (ENVIRONMENT, RESOURCE, BIOLOGICAL)  # also the classification priority

BLOCK = "block"  # block this recording, do not retry
BLOCK_RUN = "block_run"  # environment-wide: block this recording and stop the run
RETRY_WITH_LESS = "retry_with_less"  # retry with a smaller batch / more resources
REPORT = "report"  # unclassified: pass-through in the canary, plain failure in the full sort

POLICY_BY_CATEGORY = {BIOLOGICAL: BLOCK, ENVIRONMENT: BLOCK, RESOURCE: RETRY_WITH_LESS, UNCLASSIFIED: REPORT}


@dataclass(frozen=True)
class FailureClass:
    name: str
    category: str
    message: str
    remediation: str
    environment_wide: bool = False

    @property
    def policy(self) -> str:
        if self.environment_wide:
            return BLOCK_RUN
        return POLICY_BY_CATEGORY[self.category]


_CLASSES = [
    # -- environment -------------------------------------------------------------------------
    FailureClass(
        "sorter_not_installed", ENVIRONMENT, "The sorter is not installed in the job's environment.",
        "Install it into the environment the jobs run in (pip install -e . installs kilosort), or set `sorter`.",
        environment_wide=True,
    ),
    FailureClass(
        "unknown_sorter", ENVIRONMENT, "The configured sorter name is not a SpikeInterface sorter or a valid backend path.",
        "Set `sorter` to an installed SpikeInterface sorter name (e.g. kilosort4) or to 'package.module:Class'.",
        environment_wide=True,
    ),
    FailureClass(
        "device_unavailable", ENVIRONMENT, "The requested torch device can't be used on this machine.",
        "Set `torch_device: auto` (or cpu), run on a GPU node, or install a torch build with CUDA for this GPU.",
        environment_wide=True,
    ),
    FailureClass(
        "container_error", ENVIRONMENT, "The sorter's container could not be started.",
        "Start the container engine (or install it), check the image name and registry access, or unset "
        "`docker_image`/`singularity_image`.",
        environment_wide=True,
    ),
    FailureClass(
        "hdf5_plugin_missing", ENVIRONMENT, "An HDF5 compression plugin needed to read the data is missing.",
        "Install the vendor's HDF5 plugin and set formats.hdf5_plugin_path (or HDF5_PLUGIN_PATH) to its folder "
        "(see config/README.md), or leave the format out with formats.include/exclude.",
        environment_wide=True,
    ),
    FailureClass(
        "probe_config_error", ENVIRONMENT, "The probe or file format configuration does not match the data.",
        "Check the probe file (0-indexed channel map, one contact per channel) and the sidecar's num_channels/dtype.",
    ),
    FailureClass(
        "sorter_params_invalid", ENVIRONMENT, "The sorter rejected the configured parameters.",
        "Fix `sorter_params` in config/config.yaml: use only parameter names the sorter lists.",
        environment_wide=True,
    ),
    FailureClass(
        "exporter_unavailable", ENVIRONMENT, "An output switched on in the config needs a package this environment lacks.",
        "Install it into the jobs' environment (for NWB: pip install 'sortcanary[nwb]'), or switch that output off.",
        environment_wide=True,
    ),
    FailureClass(
        "existing_result_differs", ENVIRONMENT,
        "A finished sort of this recording exists, made with other settings or other data; it is kept.",
        "Delete the recording's results/sorted/ folder to re-sort it, or set resort_on_change: true.",
    ),
    FailureClass(
        "input_invalid", ENVIRONMENT, "The recording's files can't be read as a recording.",
        "Fix or remove the file named in the message; the other recordings are unaffected.",
    ),
    # -- resource ----------------------------------------------------------------------------
    FailureClass(
        "gpu_out_of_memory", RESOURCE, "The GPU ran out of memory.",
        "Retry with a smaller sorter batch_size (the workflow does this on retry) or use a GPU with more memory.",
    ),
    FailureClass(
        "host_out_of_memory", RESOURCE, "The host ran out of memory (the kernel killed the sorter or an allocation failed).",
        "Give the job more memory (mem_mb) or reduce batch_size / n_jobs.",
    ),
    FailureClass(
        "sorter_timeout", RESOURCE, "The sorter made no progress for longer than the inactivity timeout and was stopped.",
        "Check the sorter log for where it stalled; raise `inactivity` limits only if the sorter is just slow.",
    ),
    FailureClass(
        "disk_exhausted", RESOURCE, "The disk filled up.",
        "Free space in the results/scratch folders, or point scratch_dir at a larger disk.",
    ),
    # -- biological --------------------------------------------------------------------------
    FailureClass(
        "insufficient_activity", BIOLOGICAL, "Too few spikes to sort: the recording looks silent.",
        "Check that the probe was in tissue and the right channels/dtype/gain are read; if it is truly silent, skip it.",
    ),
    FailureClass(
        "no_good_channels", BIOLOGICAL, "No channel carries usable signal.",
        "Check the headstage/reference wiring and the channel map; exclude the recording if the probe was dead.",
    ),
    FailureClass(
        "flat_signal", BIOLOGICAL, "The signal is flat (constant or all-zero) on the channels.",
        "Check that acquisition actually recorded (disconnected headstage, wrong stream, zero-filled file).",
    ),
    FailureClass(
        "saturated_signal", BIOLOGICAL, "The signal sits at the rails of its range (amplifier saturation).",
        "Check amplifier gain and reference; a saturated recording cannot be sorted.",
    ),
]

CLASSES: dict[str, FailureClass] = {c.name: c for c in _CLASSES}


@dataclass(frozen=True)
class Signature:
    error_class: str
    pattern: re.Pattern
    reason: str | None = None  # sub-reason, e.g. the container failure kind


def _sig(error_class: str, pattern: str, reason: str | None = None) -> Signature:
    return Signature(error_class, re.compile(pattern, re.IGNORECASE | re.DOTALL), reason)


# In priority order: the first match wins. Sources: ../shared/reference/failure-signatures.md.
SIGNATURES: tuple[Signature, ...] = (
    # environment
    _sig("sorter_not_installed", r"The sorter \S+ is not installed"),
    _sig("sorter_not_installed", r"No module named '?(kilosort|spikeinterface|torch)\b"),
    _sig("unknown_sorter", r"sortcanary: unknown sorter"),
    _sig("device_unavailable", r"Torch not compiled with CUDA enabled"),
    _sig("device_unavailable", r"no kernel image is available for execution on the device"),
    _sig("device_unavailable", r"Found no NVIDIA driver|No CUDA GPUs are available|CUDA driver version is insufficient"),
    _sig("device_unavailable", r"sortcanary: CUDA requested"),
    _sig("device_unavailable", r"This sorter requires cuda, but the package 'cuda-python' is not installed"),
    _sig("device_unavailable", r"The container requires a NVIDIA GPU capability, but it is not available"),
    _sig("container_error", r"permission denied while trying to connect to the Docker daemon", "permission_denied"),
    _sig("container_error", r"Cannot connect to the Docker daemon|Is the docker daemon running", "daemon_down"),
    _sig("container_error", r"Error while fetching server API version", "daemon_down"),
    _sig("container_error", r"Docker is not installed|python `docker` package must be installed", "client_missing"),
    _sig("container_error", r"No module named '?docker\b", "client_missing"),
    _sig("container_error", r"Singularity is not installed|`spython` package must be installed", "client_missing"),
    _sig("container_error", r"No module named '?spython\b", "client_missing"),
    _sig("container_error", r"pull access denied|manifest (for \S+ )?unknown|repository does not exist|ImageNotFound", "image_pull_failed"),
    _sig("container_error", r"Spike sorting in (docker|singularity) failed", "other"),
    _sig("hdf5_plugin_missing", r"HDF5_PLUGIN_PATH|can't (open directory|dlopen).*plugin|required filter .* (not|isn't) (available|registered)"),
    _sig("hdf5_plugin_missing", r"can't find plugin"),  # HDF5 2.0's read error for a filter with no plugin
    # a file damaged after discovery (discovery reports the damage it can see from metadata)
    _sig("input_invalid", r"truncated file: eof = |file signature not found"),  # HDF5 (NWB, MaxWell)
    _sig("input_invalid", r"Timestamps are not continuous, likely due to a corrupted file"),  # neo's Intan reader
    _sig("probe_config_error", r"Largest value of chanMap exceeds channel count"),
    _sig("probe_config_error", r"did not divide evenly|incorrect n_chan_bin"),
    _sig("probe_config_error", r"Channel locations are required|does not have a probe|Channel locations are not unique"),
    _sig("sorter_params_invalid", r"Invalid parameters: "),
    _sig("exporter_unavailable", r"sortcanary: outputs\.\S+ is on but"),
    # resource
    _sig("gpu_out_of_memory", r"CUDA out of memory|torch\.(cuda\.)?OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED"),
    _sig("host_out_of_memory", r"\bMemoryError\b|Unable to allocate .* for an array|DefaultCPUAllocator: can't allocate memory"),
    _sig("disk_exhausted", r"No space left on device|\[Errno 28\]|Disk quota exceeded"),
    # biological
    _sig("insufficient_activity", r"Found array with 0 sample\(s\).*?TruncatedSVD"),
    _sig("insufficient_activity", r"n_samples=\d+ should be >= n_clusters=\d+"),
    _sig("insufficient_activity", r"No spikes detected"),
)


@dataclass
class Verdict:
    """What went wrong, in which class, with the evidence and what to do about it."""

    category: str
    error_class: str
    message: str
    remediation: str
    policy: str
    evidence: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "error_class": self.error_class,
            "message": self.message,
            "remediation": self.remediation,
            "policy": self.policy,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Verdict":
        return cls(**{k: data[k] for k in ("category", "error_class", "message", "remediation", "policy")},
                   evidence=dict(data.get("evidence") or {}))

    @property
    def classified(self) -> bool:
        return self.category != UNCLASSIFIED


class SortFailure(Exception):
    """A failure with a verdict. Raised for classified failures; the canary blocks on these."""

    def __init__(self, verdict: Verdict):
        super().__init__(f"{verdict.category}/{verdict.error_class}: {verdict.message}")
        self.verdict = verdict


def verdict_for(error_class: str, *, message: str | None = None, **evidence) -> Verdict:
    """A verdict of a known class; ``message`` replaces the class's generic line when given."""
    cls = CLASSES[error_class]
    return Verdict(
        category=cls.category,
        error_class=cls.name,
        message=message or cls.message,
        remediation=cls.remediation,
        policy=cls.policy,
        evidence={k: v for k, v in evidence.items() if v is not None},
    )


def unclassified(message: str, **evidence) -> Verdict:
    return Verdict(UNCLASSIFIED, "unclassified", message, "Read the log; report it if the sorter crashed unexpectedly.",
                   REPORT, {k: v for k, v in evidence.items() if v is not None})


def _matching_line(text: str, match: re.Match) -> str:
    """The line the match starts on: the evidence a person recognises."""
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.start())
    return text[start: end if end != -1 else len(text)].strip()[:500]


def classify_text(text: str) -> Verdict | None:
    """The verdict for an error text (traceback, sorter log, JSON log), or None if unrecognised."""
    for sig in SIGNATURES:
        match = sig.pattern.search(text)
        if match:
            evidence = {"signature": sig.pattern.pattern, "matched": _matching_line(text, match)}
            if sig.reason:
                evidence["reason"] = sig.reason
            return verdict_for(sig.error_class, **evidence)
    return None


def classify_exit(exit_code: int | None) -> Verdict | None:
    """A verdict from how the sorter's child process ended, when it left no usable error text."""
    if exit_code is None:
        return None
    if exit_code == -signal.SIGKILL or exit_code == 137:
        return verdict_for(
            "host_out_of_memory",
            message="The sorter process was killed with SIGKILL (the kernel's out-of-memory killer, most likely).",
            exit_code=exit_code,
        )
    return None


def classify(text: str, *, exit_code: int | None = None, **evidence) -> Verdict:
    """Classify a failure from all its evidence; never returns None (unrecognised -> unclassified).

    Text signatures are checked first (in category priority); a bare SIGKILL with no recognised
    text is host memory exhaustion.
    """
    verdict = classify_text(text) or classify_exit(exit_code)
    if verdict is None:
        last = next((ln.strip() for ln in reversed(text.strip().splitlines()) if ln.strip()), "no error text")
        verdict = unclassified(last[:500])
    verdict.evidence.update({k: v for k, v in evidence.items() if v is not None})
    if exit_code is not None:
        verdict.evidence.setdefault("exit_code", exit_code)
    return verdict
