"""The failure taxonomy: the classes a failure can fall into, and the verdict that carries one.

A verdict is only useful if it sends a lab member to fix the right thing, so each class carries a
one-line message, a remediation in the user's terms (the config key, the file or the command) and
a policy:

* biological  -- the recording itself can't be sorted: block it, never retry;
* environment -- the host, install, container or configuration is wrong: block; when the cause is
  environment-wide (every recording would fail the same way) the run should stop early;
* resource    -- a machine limit was hit: retry with less (smaller batches, more memory/time).

Some failures can't be placed by their text alone: ``needs_evidence`` marks those (a sorter that
found no spikes may face a silent recording or a detection set up wrong), and the canary settles
them from the window's data. How text, exceptions and exit codes map to classes lives in
``sortcanary.classification``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .boundary import JSONDict

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

CONFIG = "config/config.yaml"


@dataclass(frozen=True)
class FailureClass:
    name: str
    category: str
    message: str
    remediation: str
    environment_wide: bool = False
    needs_evidence: bool = False  # the text can't tell a data cause from a configuration cause

    @property
    def policy(self) -> str:
        if self.environment_wide:
            return BLOCK_RUN
        return POLICY_BY_CATEGORY[self.category]


def _env(name: str, message: str, remediation: str, wide: bool = False) -> FailureClass:
    return FailureClass(name, ENVIRONMENT, message, remediation, environment_wide=wide)


_CLASSES = [
    # -- environment: the install -------------------------------------------------------------
    _env("sorter_not_installed", "The sorter is not installed in the job's environment.",
         "Install it into the environment the jobs run in (README.md, \"Install\": `pip install -c constraints.txt "
         "'.[slurm]'` installs Kilosort4; `pip install <package>` for another sorter), or set `sorter` in " + CONFIG +
         ".", wide=True),
    _env("dependency_missing", "A module the sorter stack imports, or a MATLAB toolbox the sorter calls (not the "
         "sorter itself), is not installed in the job's environment.",
         "Install the module the message names into the environment the jobs run in (`pip install <module>`, e.g. "
         "`pip install pandas`; a few are packaged under another name: sklearn is scikit-learn), or reinstall "
         "sortcanary with its dependencies (README.md, \"Install\"); a MATLAB toolbox (Parallel Computing, "
         "Statistics and Machine Learning, Signal Processing): install and license it for the MATLAB the jobs run.",
         wide=True),
    _env("dependency_version_mismatch", "An installed package is older or newer than the code calling it expects: a "
         "module, function or keyword changed between versions.",
         "Install versions that fit together into the jobs' environment: the tested set (`pip install -c "
         "constraints.txt '.[slurm]'`, README.md \"Install\"), or upgrade the package that calls the changed API.",
         wide=True),
    _env("sorter_version_unsupported", "The installed sorter version does not work with this SpikeInterface/numpy.",
         "Install the versions the message names into the jobs' environment (e.g. `pip install -U kilosort`).",
         wide=True),
    _env("unknown_sorter", "The configured sorter name is not a SpikeInterface sorter or a valid backend path.",
         "Set `sorter` in " + CONFIG + " to an installed SpikeInterface sorter name (e.g. kilosort4) or to "
         "'package.module:Class'.", wide=True),
    _env("binary_import_broken", "A compiled library failed to load (DLL load failed, undefined symbol, clashing "
         "OpenMP runtimes): the environment's binaries don't match each other.",
         "Reinstall the package named in the message in a fresh environment (`pip install --force-reinstall "
         "--no-cache-dir <package>`), with one torch/numpy/MKL build throughout.", wide=True),
    _env("download_failed", "A file the sorter downloads at run time could not be fetched.",
         "Check network/proxy access from the compute node, or fetch the files once where there is internet (for "
         "Kilosort4: `python -c \"from kilosort.utils import template_path, download_probes; template_path(); "
         "download_probes()\"`); `pip install -U kilosort` if its download address moved.", wide=True),
    # -- environment: the GPU -------------------------------------------------------------------
    _env("device_unavailable", "The requested torch device can't be used on this machine.",
         "Set `torch_device: cpu` (or auto) in " + CONFIG + ", run on a GPU node, or install a CUDA build of torch.",
         wide=True),
    _env("gpu_unused", "An NVIDIA GPU is visible but torch can't use it: the sort would silently run on the CPU, "
         "many times slower.",
         "Install a CUDA build of torch in the jobs' environment (README.md, \"Install\": PyPI's Linux torch wheel is "
         "one; `make install TORCH=cuda`); check with `python -c \"import torch; print(torch.cuda.is_available())\"`,"
         " or set `torch_device: cpu` in " + CONFIG + " to sort on the CPU on purpose.", wide=True),
    _env("gpu_driver_error", "The NVIDIA driver is missing or too old for this CUDA, or the GPU is unsupported.",
         "Run `nvidia-smi` on the node; update the NVIDIA driver to one that supports the CUDA version in use, run "
         "on a node with a supported GPU, or set `torch_device: cpu` in " + CONFIG + ".", wide=True),
    _env("cuda_toolkit_missing", "The CUDA toolkit or compiler needed to build the sorter's GPU code is missing.",
         "Install the CUDA toolkit your MATLAB release needs and a supported C++ compiler (`mex -setup C++`), set "
         "MW_NVCC_PATH to nvcc's folder, then run `mexGPUall` in the sorter's CUDA folder.", wide=True),
    _env("cuda_build_failed", "Building the sorter's CUDA kernels failed: the CUDA toolkit, the C++ compiler, the "
         "GPU's architecture or the build flags don't fit together.",
         "Use the CUDA toolkit and C++ compiler versions your MATLAB release supports (MathWorks' GPU support table), "
         "then run `mexGPUall` again in the sorter's CUDA folder.", wide=True),
    _env("cuda_kernels_not_compiled", "The sorter's GPU kernels are not built for this machine's GPU.",
         "MATLAB Kilosort: run `mexGPUall` in its CUDA folder. Kilosort4: install a torch build for this GPU "
         "(`pip install torch --index-url https://download.pytorch.org/whl/cu128`) or set `torch_device: cpu` in "
         + CONFIG + ".", wide=True),
    # -- environment: containers and the scheduler ---------------------------------------------
    _env("container_runtime_missing", "The container runtime (Docker, Singularity/Apptainer or its Python client) "
         "is not installed where the job runs.",
         "Install or load it on the node (`module load apptainer`; `pip install docker` / `pip install spython`), "
         "or unset `docker_image` / `singularity_image` in " + CONFIG + ".", wide=True),
    _env("container_gpu_unavailable", "The container engine runs but can't hand the GPU to the container (the "
         "NVIDIA container toolkit is missing or not configured).",
         "Install and configure the NVIDIA container toolkit on the node (`nvidia-ctk runtime configure`, then restart "
         "Docker), or sort without a container: unset `docker_image` / `singularity_image` in " + CONFIG + ".",
         wide=True),
    _env("container_image_pull_failed", "The sorter's container image could not be pulled (no such name or tag, "
         "registry unreachable, or pull rate limit).",
         "Pull it by hand to see why (`docker pull IMAGE` / `singularity pull docker://IMAGE`); fix `docker_image` in "
         + CONFIG + ", `docker login` for rate limits, or check DNS/proxy from the node.", wide=True),
    _env("container_error", "The sorter's container could not be started.",
         "Start the container engine (or install it), check the image name and registry access, or unset "
         "`docker_image` in " + CONFIG + ".", wide=True),
    _env("scheduler_request_rejected", "The scheduler refused the job's resource request.",
         "Ask for what the partition allows: lower `--set-resources sort:runtime=...` / `sort:mem_mb=...`, or set "
         "another slurm_partition in the Snakemake profile (profiles/slurm/config.yaml).", wide=True),
    _env("job_environment_incomplete", "The batch job's shell lacks what an interactive login sets up (the module "
         "system, conda, PATH): a command that works by hand is missing in the job.",
         "Start the run from the environment sortcanary is installed in (jobs inherit it, docs/slurm.md \"What you "
         "need\"), initialise the module system or conda in the job's shell, or call the program by its full path.",
         wide=True),
    _env("shared_memory_unavailable", "Shared memory (/dev/shm) is too small or not writable for the job: typically "
         "a container's 64 MB default.",
         "Give the container more shared memory (`docker run --shm-size=8g ...` or `--ipc=host`), or make /dev/shm "
         "writable on the node; more memory or smaller batches will not help.", wide=True),
    _env("permission_denied", "The job may not write or read a file or folder it needs.",
         "Make the file or folder named in the message accessible to the job's user; results/ and logs/ are made "
         "in the working directory (run from one you may write to), scratch in `scratch_dir` of " + CONFIG + "."),
    _env("io_stall", "The sorter stopped reading and computing while still alive: the storage holding the "
         "recording stopped answering (typically a hung network mount).",
         "Check the mount the message names (`ls` or `df` on it hang when it is hung; `dmesg` shows NFS/SMB "
         "timeouts), or copy the recording to local disk; if the storage is only slow, raise `io_stall.timeout_s` "
         "in " + CONFIG + " (0 disables the check)."),
    _env("hdf5_file_lock_refused", "The filesystem refused HDF5's file lock (a network filesystem without lock "
         "support).",
         "Set HDF5_USE_FILE_LOCKING=FALSE in the jobs' environment (the recordings are only read), or copy the "
         "recording to a local disk."),
    _env("stale_file_handle", "The network filesystem invalidated a file the job had open (ESTALE): the shared "
         "storage changed or dropped the file under it.",
         "Rerun the job (it is usually transient), or keep the recording and `scratch_dir` on a local disk."),
    _env("hdf5_plugin_missing", "An HDF5 compression plugin needed to read the data is missing.",
         "Install the vendor's HDF5 plugin and set `formats.hdf5_plugin_path` (or HDF5_PLUGIN_PATH) to its folder "
         "(config/README.md, \"formats\"), or leave the format out with `formats.include` / `formats.exclude`.",
         wide=True),
    # -- environment: the configuration --------------------------------------------------------
    _env("probe_config_error", "The probe or file format configuration does not match the data.",
         "Check the probe file (0-indexed channel map, one contact per channel, geometry in micrometres) and the "
         "sidecar's num_channels/dtype."),
    _env("sorter_params_invalid", "The sorter rejected the configured parameters.",
         "Fix `sorter_params` in " + CONFIG + ": use only parameter names and values the sorter accepts.", wide=True),
    _env("allocation_implausible", "The sorter asked for far more memory than any machine here has: a parameter or "
         "the recording's metadata is wrong, not the machine.",
         "Check `sorter_params` in " + CONFIG + " (batch_size, dmin/dminx, nblocks) and the recording's sampling "
         "rate, channel count and dtype; more memory or smaller batches will not help."),
    _env("detection_config_error", "No spikes were found although the window's data carries signal: detection "
         "is set up wrong.",
         "Check the probe geometry (dmin/dminx), channel map, dtype/gain and sampling rate, and the detection "
         "thresholds in `sorter_params` (Th_universal, artifact_threshold) in " + CONFIG + "."),
    _env("exporter_unavailable", "An output switched on in the config needs a package this environment lacks.",
         "Install it into the jobs' environment (for NWB: `pip install 'sortcanary[nwb]'`), or switch that output "
         "off (e.g. `outputs.exporters.nwb: false` in " + CONFIG + ").", wide=True),
    _env("preprocessing_invalid", "A step of the preprocessing chain cannot run on this recording (a filter edge "
         "above its Nyquist frequency, a parameter the step refuses, metadata the step needs).",
         "Fix the step the message names in `preprocessing` of " + CONFIG + " (or in this recording's "
         "`recordings` override), or give this recording a recipe of its own there."),
    _env("existing_result_differs", "A finished sort of this recording exists, made with other settings or other "
         "data; it is kept.", "Delete the recording's results/sorted/ folder to re-sort it, or set "
         "`resort_on_change: true` in " + CONFIG + "."),
    _env("input_invalid", "The recording's files can't be read as a recording.",
         "Fix or remove the file named in the message; the other recordings are unaffected."),
    _env("runs_join_broken", "The recording's runs, joined end to end (join: runs), fail to sort across a join "
         "and sort without it.", "Sort the runs separately (`join: none` for this recording, a `recordings` "
         "override in " + CONFIG + "), or make them match (reference, offsets, settings) before joining them."),
    # -- resource ----------------------------------------------------------------------------
    FailureClass("gpu_out_of_memory", RESOURCE, "The GPU ran out of memory.",
                 "The workflow retries with a smaller batch; if it still fails set `sorter_params: {batch_size: "
                 "30000}` in " + CONFIG + ", free the GPU (`nvidia-smi` shows who holds it) or use a larger one."),
    FailureClass("host_out_of_memory", RESOURCE, "The host ran out of memory (the kernel or the scheduler killed "
                 "the sorter, or an allocation failed).",
                 "Give the sort more memory (`--set-resources sort:mem_mb=...`), or lower the batch size "
                 "(`sorter_params: {batch_size: ...}`) or `job_kwargs.n_jobs` in " + CONFIG + "."),
    FailureClass("host_memory_watchdog", RESOURCE, "The sorter's processes neared their memory limit and were "
                 "stopped before the kernel's OOM killer or the scheduler could end the job.",
                 "The workflow retries the full sort with a smaller batch and more mem_mb; if it still fails give "
                 "the sort more memory (`--set-resources sort:mem_mb=...`, or raise `memory.limit_gb` / "
                 "`memory.host_fraction` in " + CONFIG + " when the message names them) or lower the batch size "
                 "(`sorter_params: {batch_size: ...}`) or `job_kwargs.n_jobs` in " + CONFIG + "."),
    FailureClass("too_many_open_files", RESOURCE, "The process hit its limit of open files.",
                 "Raise the limit where the jobs start (`ulimit -n 4096`) or lower `job_kwargs.n_jobs` in " + CONFIG +
                 "."),
    FailureClass("scheduler_time_limit", RESOURCE, "The scheduler stopped the job at its time limit.",
                 "Give the rule more time (`--set-resources sort:runtime=720`, minutes) or raise runtime in the "
                 "Snakemake profile."),
    FailureClass("sorter_timeout", RESOURCE,
                 "The sorter made no progress for longer than the inactivity timeout and was stopped.",
                 "Check the sorter log for where it stalled; raise `inactivity.base_s` / `inactivity.max_s` in "
                 + CONFIG + " only if the sorter is just slow."),
    FailureClass("disk_exhausted", RESOURCE, "The disk filled up.",
                 "Free space in the results/scratch folders, or point `scratch_dir` in " + CONFIG + " at a larger "
                 "disk."),
    # -- biological --------------------------------------------------------------------------
    FailureClass("no_spikes_found", BIOLOGICAL, "The sorter found no spikes, or too few to cluster: the recording "
                 "is silent, or detection is set up wrong.",
                 "Look at the window's traces: if spikes are visible, fix the probe file, dtype, sampling rate or "
                 "detection thresholds in `sorter_params`; if it is only noise, the recording is silent.",
                 needs_evidence=True),
    FailureClass("insufficient_activity", BIOLOGICAL, "Too few spikes to sort: the recording looks silent.",
                 "Check that the probe was in tissue and the right channels/dtype/gain are read; if it is truly "
                 "silent, skip it."),
    FailureClass("no_good_channels", BIOLOGICAL, "No channel carries usable signal.",
                 "Check the headstage/reference wiring and the channel map; exclude the recording if the probe "
                 "was dead."),
    FailureClass("too_many_bad_channels", BIOLOGICAL, "More of the probe's channels are bad (dead, noisy, or "
                 "outside the brain) than `bad_channels.max_fraction` allows.",
                 "Look at the figure the verdict names: check the probe's insertion depth, the reference and the "
                 "channel map; if the recording is still worth sorting, raise `bad_channels.max_fraction` for it "
                 "(a `recordings` override in " + CONFIG + ")."),
    FailureClass("flat_signal", BIOLOGICAL, "The signal is flat (constant or all-zero) on the channels.",
                 "Check that acquisition actually recorded (disconnected headstage, wrong stream, zero-filled file)."),
    FailureClass("saturated_signal", BIOLOGICAL, "The signal sits at the rails of its range (amplifier saturation).",
                 "Check amplifier gain and reference; a saturated recording cannot be sorted."),
]

CLASSES: dict[str, FailureClass] = {c.name: c for c in _CLASSES}


@dataclass
class Verdict:
    """What went wrong, in which class, with the evidence and what to do about it."""

    category: str
    error_class: str
    message: str
    remediation: str
    policy: str
    evidence: JSONDict = field(default_factory=dict)

    def as_dict(self) -> JSONDict:
        return {
            "category": self.category,
            "error_class": self.error_class,
            "message": self.message,
            "remediation": self.remediation,
            "policy": self.policy,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: JSONDict) -> Verdict:
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


def verdict_for(error_class: str, *, message: str | None = None, **evidence: Any) -> Verdict:
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


def policy_of(error_class: str, category: str) -> str:
    """What the jobs do with a verdict: its class's policy, or its category's for a lab's own class."""
    known = CLASSES.get(error_class)
    return known.policy if known is not None else POLICY_BY_CATEGORY[category]


def custom_verdict(category: str, error_class: str, message: str, remediation: str, **evidence: Any) -> Verdict:
    """A verdict a lab's rule gives (config ``classification.rules``): its own class, message and
    remediation; the policy of its class when the class is sortcanary's, else of its category."""
    return Verdict(category, error_class, message, remediation, policy_of(error_class, category),
                   {k: v for k, v in evidence.items() if v is not None})


def unclassified(message: str, **evidence: Any) -> Verdict:
    return Verdict(UNCLASSIFIED, "unclassified", message, "Read the log; report it if the sorter crashed unexpectedly.",
                   REPORT, {k: v for k, v in evidence.items() if v is not None})
