"""The built-in rules for the batch systems that run a job in the cloud (Kubernetes, AWS Batch/ECS, Google and Azure
Batch): each says in its own words that the job's image could not be pulled, its container not created, its GPU not
reached, its account's quota spent or its role refused. They wrap the job's own output, so they are tried next to the
container engines'.

A node taken back (a spot VM's preemption, Google Batch's exit 50001, AWS's "Host EC2 Terminated") is left alone, as
SLURM's DUE TO PREEMPTION is: the job sorts once rerun, and a canary that blocked it would cost the recording a day.
"""

from __future__ import annotations

from .lookalikes import not_the_local_disk
from .rules import Rule, text_rule

_t = text_rule
CLOUD: tuple[Rule, ...] = (
    # Kubernetes' reasons for a container whose image did not come (kubelet's events and pod states), and the ECS
    # agent's, which AWS Batch reports as the job's status reason.
    _t("orchestrator-image-pull", "container_image_pull_failed", r"\bBack-off pulling image\b|\b(ImagePullBackOff|"
       r"ErrImagePull|ErrImageNeverPull|InvalidImageName)\b|\bFailed to pull image \"|\bCannotPull(ECR)?ContainerError\b",
       "the orchestrator could not pull the job's image (Kubernetes' ImagePullBackOff/ErrImagePull, ECS's "
       "CannotPullContainerError: no such image, or no access to it; not a layer the node's disk had no room for)",
       applies=not_the_local_disk),
    _t("orchestrator-container-create", "container_error", r"\bDockerTimeoutError: Could not transition to "
       r"(created|running)\b", "the ECS agent gave up creating or starting the job's container (its create timeout)"),
    # The NVIDIA device plugin, which hands a node's GPUs to the pods, loads NVML through the container runtime: a
    # runtime that is not NVIDIA's leaves it without the library (its own hint names the default runtime). NVML's
    # "Driver/library version mismatch" is the host's driver, left to the driver rules.
    _t("device-plugin-without-nvml", "container_gpu_unavailable", r"did you set the (docker |containerd )?default "
       r"runtime to `?nvidia|Failed to (start|initialize) nvml( with error)?:\s*could not load NVML library",
       "the NVIDIA device plugin could not load NVML: the node's container runtime is not NVIDIA's"),
    # A cloud batch account's quota of cores or GPUs (Azure Batch, AWS's vCPU limit, Google's regional quota) is
    # below what the job or its pool asks for: the request is refused until the quota is raised or the request cut.
    _t("cloud-core-quota", "scheduler_request_rejected", r"\b(reached|exceed(ed|s)?|not have enough|insufficient)\b"
       r"[^\n]{0,40}?\b(cores?|vCPUs?|CPUS|GPUS?)\b[^\n]{0,12}?\bquota\b|\bQuota '(CPUS|GPUS|\w*_GPUS|\w*_CPUS)\w*' "
       r"exceeded\b|\bVcpuLimitExceeded\b", "the cloud account's core or GPU quota is below what the job asks for"),
    # AWS IAM's refusal of a role the job or its service runs as (not the image pull's, which the rules above name).
    _t("cloud-role-refused", "permission_denied", r"\bwas unable to assume the role\b|\bis not authorized to perform: "
       r"[\w-]+:\w+", "the cloud refused the job's role (a trust relationship or a permission the role lacks)"),
)
