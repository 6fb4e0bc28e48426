"""The built-in rules for container engines: their output wraps every other message, so they are tried first.

An engine that is not there, that the user may not reach, that can't pull the image, can't hand the
GPU to the container or can't set the container up; an image that can't install SpikeInterface. An
engine that is not there outranks the pull it could not make (``Failed to pull singularity image``
... ``singularity: command not found``), and a pull whose layers did not fit on the local disk (``failed to
extract layer ...: no space left on device``) is the disk's, not the registry's: the disk rule decides it.
"""

from __future__ import annotations

import re

from .lookalikes import not_the_local_disk
from .rules import Rule, text_rule

_t = text_rule
# The engine's own steps, which no setting of the host or the user's drives: attaching the image to a loop device
# (a race between concurrent starts, a first run inside another container: fixed in the engine's releases) and
# writing its own metadata folder (.singularity.d) into the image it assembled.
# A bind's destination missing in the container is one too: the engine makes the mount point itself (in its overlay
# or underlay), so its failing to is the engine's defect, or a wrapper's that ordered nested binds wrongly; a bind's
# *source* missing on the host ("mount source ... doesn't exist") is the user's.
ENGINE_OWN_STEP = re.compile(r"\bloop (device|flags)|\.singularity\.d\b|\bdestination \S+ doesn't exist in container",
                             re.IGNORECASE)


def _not_the_engine_itself(text: str) -> bool:
    """The container's set-up failed at a step the host or the user set (a bind, a namespace, a folder), not at one
    of the engine's own (``ENGINE_OWN_STEP``): those are its defects, which a release fixed or a retry passes."""
    return not ENGINE_OWN_STEP.search(text)


CONTAINERS: tuple[Rule, ...] = (
    _t("docker-socket-permission", "container_error", r"permission denied while trying to connect to the Docker daemon|"
       r"docker: Got permission denied while trying to connect", "the user may not use the Docker socket",
       reason="permission_denied"),
    _t("docker-daemon-unreachable", "container_error", r"Cannot connect to the Docker daemon|Is the docker daemon "
       r"running|Error while fetching server API version|docker daemon is not running", "no Docker engine answers",
       reason="daemon_down"),
    _t("container-runtime-missing", "container_runtime_missing", r"(?<!\.)\b(docker|singularity|apptainer|"
       r"podman)\b(?!\.d\b)(?:(?!image|: -)"
       r"[^\n]){0,40}?(is not installed|(command )?not found|has to be available|could not be found|is not recognized as an "
       r"internal)|\b(singularity|apptainer|docker|podman): No such file or directory|Cannot run program \"(singularity|"
       r"apptainer|docker|podman)\": error=2\b|python .(docker|"
       r"spython). package must be installed|No such file or directory: '(singularity|apptainer|docker)'",
       "no container engine on the node (not the engine's metadata folder in the container, .singularity.d, nor an "
       "option a wrapper put after the image, run there as the command)"),
    _t("image-not-found", "container_image_pull_failed", r"pull access denied|manifest (for \S+ )?unknown|repository does "
       r"not exist|ImageNotFound|Unable to locate container image|Failed to pull singularity image|failed to pull and "
       r"unpack image|unauthorized: (authentication required|incorrect username or password)|"
       r"requested access to the resource is denied|failed to resolve "
       r"reference|conveyor failed to get(?![^\n]*pseudo devices)|invalid reference format|No such image: |"
       r"could not open image [^\n]*(no such "
       r"file|image format not recognized)|: image not known\b|short-name [^\n]* did not resolve to an alias|failed to "
       r"(fetch|authorize|get)[^\n]{0,30}\btoken\b[^\n]*\b40[13]\b|\bURL \S*(auth|token)\S* returned error code: 40[13]\b",
       "the registry has no such image or tag, or refused it (its token or auth endpoint refused the credentials: a "
       "401 on a manifest fetched with a token already granted is an engine's token reuse, left alone)",
       applies=not_the_local_disk),
    _t("registry-rate-limit", "container_image_pull_failed", r"toomanyrequests|pull rate limit|429 Too Many Requests",
       "the registry's pull rate limit"),
    _t("registry-unreachable", "container_image_pull_failed", r"(While (making|pulling) image|Unable to handle \S+ "
       r"uri)[^\n]*registry|failed to get checksum for|error pinging (docker )?registry|\b(Get|Head) \"?https?://[^\s\"]*"
       r"(registry|docker\.io|ghcr\.io|quay\.io)|lookup [^\s:]*(registry|docker\.io|ghcr\.io|quay\.io)[^\n]*no such host|"
       r"x509: certificate signed by unknown authority|Querying registry[^\n]*(\n[^\n]*){0,4}?\n[^\n]*\bcurl: \(\d+\)",
       "the registry can't be reached (DNS, proxy, network, a certificate not trusted: enroot's query of it "
       "failing in curl too)", applies=not_the_local_disk),
    _t("container-host-driver", "gpu_driver_error", r"nvidia-container-cli: (requirement error: unsatisfied condition: "
       r"cuda\s*>=|initialization error: nvml error: (driver/library version mismatch|driver not loaded))", "the host's "
       "driver: older than the container's CUDA needs, not loaded, or not the one its libraries are (NVML says so "
       "through the toolkit's hook)"),
    _t("container-gpu-hook-missing", "container_gpu_unavailable", r"could not select device driver \"[^\"]*\" with "
       r"capabilities: \[\[gpu\]\]|nvidia-container-cli: (initialization|requirement|device) error|error gathering device "
       r"information while adding custom device \"/dev/nvidia|Could not find any (nv|NVIDIA) "
       r"(files|libraries) on this host|unknown or invalid runtime name: nvidia|Unknown runtime specified nvidia|"
       r"unresolvable CDI devices nvidia\.com/gpu|\bnvidia-container-runtime(-hook)?\b[^\n]{0,40}(executable file not "
       r"found|no such file)", "the container engine runs but can't hand the GPU to the container (no NVIDIA runtime or "
       "hook, or the engine not configured for it)"),
    _t("container-setup-failed", "container_error", r"OCI runtime (create|exec) failed|OCI permission denied|"
       r"container creation failed|OCI runtime error: (crun|runc)\b|invalid mount config for type|bind source "
       r"path does not exist|"
       r"error mounting [^\n]* to rootfs|enough IDs available in the namespace|(cannot|failed to) (set up|create) "
       r"(user )?namespace|no subuid ranges|user namespace disabled|cannot re-exec process|insufficient UIDs or GIDs "
       r"available in user namespace|no mapping entry found in /etc/sub[ug]id|(^|\n)\s*ERROR\s+: [^\n]+\n\s*ABORT\s+: Retval = "
       r"\d+|exec user process caused:? \"?exec format error|while (copying|creating) pseudo devices[^\n]*operation not "
       r"permitted|(failed to|cannot|could not|unable to) (create|start|spawn) "
       r"(the )?container process[^\n]*no space left on device", "the engine could not set the container up (a bind "
       "mount -- its source one the engine can't see --, its process -- ENOSPC from clone(): the kernel's limit on user "
       "namespaces, not a disk --, the entrypoint -- runc's exec of it refused: an image built "
       "for another architecture --, a rootless engine's user namespace, an unprivileged build's device "
       "nodes without fakeroot; Singularity 2's own ERROR/ABORT lines; not "
       "the engine's own loop-device or metadata step)",
       reason="container_setup", applies=_not_the_engine_itself),
    _t("container-image-setup", "container_error", r"in_container_sorter_script\.py.*?No module named [\\'\"]*"
       r"spikeinterface", "the image can't install SpikeInterface", reason="image_setup"),
)
