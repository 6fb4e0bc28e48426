"""The classifier on the messages of the stack users run but this machine doesn't have.

Users paste what a scheduler, a container engine, the NVIDIA driver, MATLAB and its Kilosort, HDF5's
C library, an installer or the kernel printed. Each case here is one such message as the program
prints it -- its line prefix included (``slurmstepd: error: ``, ``FATAL:   ``, ``docker: Error
response from daemon: ``), placeholders filled with realistic values -- with a comment naming the
public upstream file where the string is written. Where the message says an environment, resource
or biological cause, that class; where it signals a bug (an assertion, an internal error) or says
nothing of its cause, unclassified. Each block ends with look-alikes: the same words where a bug, or
nothing, is behind them.
"""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

STAMP = "2024-03-01T10:11:12"

CASES = [
    # -- SLURM (SchedMD/slurm) ---------------------------------------------------------------------------------
    # src/slurmd/slurmstepd/req.c: _handle_signal_container, the step's end as slurmstepd reports it
    (f"slurmstepd: error: *** JOB 8812 ON node17 CANCELLED AT {STAMP} DUE TO TIME LIMIT ***",
     "scheduler_time_limit"),
    (f"slurmstepd: error: *** STEP 8812.0 ON node17 CANCELLED AT {STAMP} DUE TO TIME LIMIT ***",
     "scheduler_time_limit"),
    # ... preemption, node failure and requeue: nothing the recording or its settings did; the full sort runs
    (f"slurmstepd: error: *** JOB 8812 ON node17 CANCELLED AT {STAMP} DUE TO PREEMPTION ***", "unclassified"),
    (f"slurmstepd: error: *** JOB 8812 ON node17 CANCELLED AT {STAMP} DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR "
     "DETAILS ***", "unclassified"),
    (f"slurmstepd: error: *** JOB 8812 ON node17 CANCELLED AT {STAMP} DUE TO JOB REQUEUE ***", "unclassified"),
    # ... scancel by the user (SIGTERM), and a step's task failure: they say no cause
    (f"slurmstepd: error: *** JOB 8812 ON node17 CANCELLED AT {STAMP} DUE to SIGNAL Terminated ***", "unclassified"),
    (f"slurmstepd: error: *** STEP 8812.0 ON node17 CANCELLED AT {STAMP} DUE TO TASK FAILURE ***", "unclassified"),
    ("slurmstepd: error: *** JOB 8812 ON node17 FAILED (non-zero exit code or other failure mode) ***",
     "unclassified"),
    # src/plugins/task/cgroup/task_cgroup_memory.c: task_cgroup_memory_check_oom
    ("slurmstepd: error: Detected 1 oom_kill event in StepId=8812.batch. Some of the step tasks have been OOM "
     "Killed.", "host_out_of_memory"),
    ("slurmstepd: error: Detected 3 oom_kill events in StepId=8812.0. Some of the step tasks have been OOM Killed.",
     "host_out_of_memory"),
    # src/interfaces/jobacct_gather.c: the accounting poll's own memory enforcement
    ("slurmstepd: error: StepId=8812.0 exceeded memory limit (8400000 > 8192000), being killed",
     "host_out_of_memory"),
    ("slurmstepd: error: StepId=8812.0 exceeded virtual memory limit (16800000 > 16384000), being killed",
     "host_out_of_memory"),
    # src/interfaces/jobacct_gather.c (_acct_kill_step) and src/slurmd/slurmd/job_mem_limit.c: the notice sent as
    # the step is SIGKILLed, which srun prints (src/api/step_launch.c, SRUN_USER_MSG) ...
    ("srun: Exceeded job memory limit", "host_out_of_memory"),
    # ... but older task/cgroup's failcnt warning is written for jobs that succeed, too
    ("slurmstepd: error: Exceeded job memory limit at some point.", "unclassified"),
    # src/srun/launch.c: _task_finish, one line per group of tasks ("task 0" or "tasks 0-3")
    ("srun: error: node17: task 0: Out Of Memory", "host_out_of_memory"),
    ("srun: error: node17: tasks 0-3: Out Of Memory", "host_out_of_memory"),
    ("srun: error: node[17-18]: tasks 0-7: Killed\nsrun: Terminating StepId=8812.0", "host_out_of_memory"),
    ("srun: error: node17: task 0: Exited with exit code 1", "unclassified"),
    ("srun: error: node17: tasks 0-3: Segmentation fault (core dumped)", "unclassified"),
    # snakemake-executor-plugin-slurm snakemake_executor_plugin_slurm/__init__.py: sacct's state for a failed job
    ("SLURM-job '8812' failed, SLURM status is: 'OUT_OF_MEMORY'", "host_out_of_memory"),
    ("SLURM-job '8812' failed, SLURM status is: 'NODE_FAIL'", "unclassified"),
    # src/slurmd/slurmstepd/step_terminate_monitor.c: a step that would not die (a process stuck in the kernel)
    (f"slurmstepd: error: *** JOB 8812 STEPD TERMINATED ON node17 AT {STAMP} DUE TO JOB NOT ENDING WITH SIGNALS ***",
     "unclassified"),
    # src/sbatch/sbatch.c, src/salloc/salloc.c, src/srun/allocate.c and launch.c: the request refused, in the
    # words of src/common/slurm_errno.c's table
    ("sbatch: error: Batch job submission failed: Invalid partition name specified", "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified",
     "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)",
     "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size "
     "and/or time limits)", "scheduler_request_rejected"),
    ("srun: error: Unable to allocate resources: Requested node configuration is not available",
     "scheduler_request_rejected"),
    ("salloc: error: Job submit/allocate failed: Invalid generic resource (gres) specification",
     "scheduler_request_rejected"),
    ("salloc: error: Job submit/allocate failed: Invalid qos specification", "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Required partition not available (inactive or drain)",
     "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Invalid feature specification", "scheduler_request_rejected"),
    # ... look-alikes: a step inside a granted allocation is refused for what the job's other steps hold (and for
    # SLURM's own step accounting: the corpus's dla-future-337), not for what the user asked; a step creation that
    # waits is not refused, nor one asked of a job already ending
    ("srun: error: Unable to create step for job 8812: Memory required by task is not available", "unclassified"),
    ("srun: error: Unable to create step for job 8812: Insufficient GRES available in allocation", "unclassified"),
    ("srun: Job 8812 step creation temporarily disabled, retrying (Requested nodes are busy)", "unclassified"),
    ("srun: error: Unable to create step for job 8812: Job/step already completing or completed", "unclassified"),
    ("srun: error: node17: tasks 0-3: Terminated\nsrun: Force Terminated StepId=8812.0", "unclassified"),

    # -- PBS/Torque, LSF, Grid Engine, HTCondor: the other schedulers' words for the same ends
    # openpbs src/resmom/mom_main.c (and Torque's): the MOM's limit enforcement, in the job's .e file
    ("=>> PBS: job killed: walltime 3610 exceeded limit 3600", "scheduler_time_limit"),
    ("=>> PBS: job killed: mem 9437184kb exceeded limit 8388608kb", "host_out_of_memory"),
    ("=>> PBS: job killed: vmem 17179869184b exceeded limit 16106127360b", "host_out_of_memory"),
    ("=>> PBS: job killed: ncpus 9.31 exceeded limit 8 (sum)", "unclassified"),  # more threads than asked for
    ("qsub: Job exceeds queue resource limits MSG=cannot satisfy queue max walltime requirement",
     "scheduler_request_rejected"),
    ("qsub: Unknown queue MSG=requested queue not found", "scheduler_request_rejected"),
    # LSF's exit reasons (lsf/lsbatch.h's TERM_* and their texts, in the job's report)
    ("TERM_MEMLIMIT: job killed after reaching LSF memory usage limit.\nExited with exit code 137.",
     "host_out_of_memory"),
    ("TERM_SWAP: job killed after reaching LSF swap usage limit.", "host_out_of_memory"),
    ("TERM_RUNLIMIT: job killed after reaching LSF run time limit.\nExited with exit code 140.",
     "scheduler_time_limit"),
    ("TERM_CPULIMIT: job killed after reaching LSF CPU usage limit.", "scheduler_time_limit"),
    ("TERM_OWNER: job killed by owner.\nExited with exit code 130.", "unclassified"),
    ("Bad resource requirement syntax. Job not submitted.", "scheduler_request_rejected"),
    # Grid Engine (source/daemons/execd/): its limit enforcement and qsub's refusal
    ('job 4242.1 exceeds job hard limit "h_vmem" of queue "all.q@node17" (8.1G > limit:8.0G) - sending SIGKILL',
     "host_out_of_memory"),
    ("job 4242 exceeded hard wallclock time - initiate terminate method", "scheduler_time_limit"),
    ('Unable to run job: Job was rejected because job requests unknown queue "gpu.q".\nExiting.',
     "scheduler_request_rejected"),
    # HTCondor src/condor_starter.V6.1/: the cgroup's memory limit and the duration limit, as the hold reason
    ("Error from slot1_1@node17: Job has gone over cgroup memory limit of 4096 megabytes. Last measured usage: 4100 "
     "megabytes.  Consider resubmitting with a higher request_memory.", "host_out_of_memory"),
    ("The job has exceeded allowed execute duration of 24:00:00", "scheduler_time_limit"),

    # -- container engines ------------------------------------------------------------------------------------
    # moby daemon/ and distribution/ (the registry's replies through the daemon, as the docker CLI prints them)
    ("docker: Error response from daemon: pull access denied for spikeinterface/kilosort4, repository does not "
     "exist or may require 'docker login': denied: requested access to the resource is denied.",
     "container_image_pull_failed"),
    ("docker: Error response from daemon: manifest for spikeinterface/kilosort4-base:0.9 not found: manifest "
     "unknown: manifest unknown.", "container_image_pull_failed"),
    ('docker: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup '
     "registry-1.docker.io on 127.0.0.53:53: no such host.", "container_image_pull_failed"),
    ('docker: Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while '
     "waiting for connection (Client.Timeout exceeded while awaiting headers).", "container_image_pull_failed"),
    ("docker: Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase "
     "the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit.",
     "container_image_pull_failed"),
    ('docker: Error response from daemon: Head "https://registry-1.docker.io/v2/spikeinterface/kilosort4-base/'
     'manifests/latest": unauthorized: incorrect username or password.', "container_image_pull_failed"),
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "container_gpu_unavailable"),
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "container_gpu_unavailable"),
    ("docker: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
     'Post "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/create": dial unix /var/run/docker.sock: connect: '
     "permission denied.", "container_error"),
    ("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?.",
     "container_error"),
    ("docker: invalid reference format: repository name must be lowercase.", "container_image_pull_failed"),
    # moby layer/ and containerd's archive: the image's layers did not fit on the engine's disk
    ("docker: failed to register layer: write /opt/conda/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so: "
     "no space left on device.", "disk_exhausted"),
    ('ctr: failed to pull and unpack image "docker.io/spikeinterface/kilosort4-base:latest": failed to extract layer '
     "sha256:9a1b2c: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs/opt/conda/lib/"
     "libcudnn_cnn.so.9: no space left on device: unknown", "disk_exhausted"),
    # runc libcontainer/ through the daemon: a bind mount whose source is not there
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI "
     "runtime create failed: runc create failed: unable to start container process: error during container init: "
     'error mounting "/data/rec1" to rootfs at "/data": mount /data/rec1:/data (via /proc/self/fd/7), flags: 0x5000: '
     "no such file or directory: unknown.", "container_error"),
    # NVIDIA/libnvidia-container src/cli/ ("initialization error: %s", "requirement error: %s") and src/driver.c
    # ("nvml error: %s"), run as the engine's prestart hook
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI "
     "runtime create failed: runc create failed: unable to start container process: error during container init: "
     "error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
     "nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.4, please update your driver to a "
     "newer version, or use an earlier cuda container: unknown.", "gpu_driver_error"),
    ("nvidia-container-cli: initialization error: nvml error: driver/library version mismatch: unknown.",
     "gpu_driver_error"),
    ("nvidia-container-cli: initialization error: nvml error: driver not loaded: unknown.", "gpu_driver_error"),
    ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object "
     "file: no such file or directory: unknown.", "container_gpu_unavailable"),
    ("nvidia-container-cli: initialization error: nvml error: unknown error: unknown.", "container_gpu_unavailable"),
    # apptainer cmd/internal/cli/pull.go ("While making image from oci registry: %v"), internal/pkg/client/oci/
    # pull.go ("failed to get checksum for %s: %s"), sylog's "FATAL:   " prefix
    ("FATAL:   While making image from oci registry: error fetching image to cache: failed to get checksum for "
     "docker://spikeinterface/kilosort4-base:latest: reading manifest latest in docker.io/spikeinterface/"
     "kilosort4-base: manifest unknown", "container_image_pull_failed"),
    ("FATAL:   While making image from oci registry: error fetching image to cache: failed to get checksum for "
     "docker://spikeinterface/kilosort4-base:latest: pinging container registry registry-1.docker.io: Get "
     '"https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.2:53: no such host',
     "container_image_pull_failed"),
    ("FATAL:   While making image from oci registry: error fetching image to cache: failed to get checksum for "
     "docker://spikeinterface/kilosort4-base:latest: toomanyrequests: You have reached your pull rate limit.",
     "container_image_pull_failed"),
    # ... the layers unpacked into a temporary folder that filled up: the local disk, not the registry
    ("FATAL:   While making image from oci registry: error fetching image to cache: while building SIF from layers: "
     "packer failed to pack: while unpacking tmpfs: error unpacking rootfs: unpack entry: opt/conda/lib/"
     "libcudnn.so.8: write /tmp/build-temp-2203/rootfs/opt/conda/lib/libcudnn.so.8: no space left on device",
     "disk_exhausted"),
    # internal/pkg/runtime/launch/launcher_linux.go ("could not open image %s: %s"), pkg/image/image.go
    ("FATAL:   could not open image /data/ks4.sif: failed to retrieve path for /data/ks4.sif: lstat /data/ks4.sif: "
     "no such file or directory", "container_image_pull_failed"),
    ("FATAL:   could not open image /home/me/ks4.sif: image format not recognized", "container_image_pull_failed"),
    # internal/app/starter/master_linux.go ("container creation failed: %s"), internal/pkg/runtime/engine/
    # apptainer/container_linux.go ("mount source %s doesn't exist"), pkg/util/loop/loop.go
    ("FATAL:   container creation failed: mount hook function failure: mount /scratch/lab->/scratch/lab error: while "
     "mounting /scratch/lab: mount source /scratch/lab doesn't exist", "container_error"),
    # ... but not at the engine's own loop-device step: round 6's threads found that a race between concurrent
    # starts or a defect its releases fixed, in these words too
    ("FATAL:   container creation failed: while mounting image /proc/self/fd/3: failed to find loop device: no loop "
     "devices available", "unclassified"),
    # internal/pkg/runtime/launch/launcher_linux.go: --nv on a host without the driver's libraries
    ("WARNING: Could not find any nv libraries on this host!\nINFO:    Could not find any nv files on this host!",
     "container_gpu_unavailable"),
    # containers/podman pkg/rootless/rootless_linux.c: rootless podman where user namespaces are not allowed
    ("cannot clone: Operation not permitted\nError: cannot re-exec process", "container_error"),
    # containers/storage: a layer's files owned by IDs the user's /etc/subuid range lacks
    ('Error: writing blob: adding layer with blob "sha256:10348114": processing tar file(potentially insufficient '
     "UIDs or GIDs available in user namespace (requested 0:42 for /etc/gshadow): Check /etc/subuid and /etc/subgid "
     'if configured locally and run "podman system migrate": lchown /etc/gshadow: invalid argument): exit status 1',
     "container_error"),
    # ... and a layer that did not fit on the disk
    ('Error: writing blob: adding layer with blob "sha256:9a1b2c": processing tar file(write /opt/conda/lib/'
     "libcudnn_cnn.so.9: no space left on device): exit status 1", "disk_exhausted"),
    # apptainer internal/pkg/fakeroot/fakeroot.go ("%w in %s for %s") through prepare_linux.go ("could not use
    # fakeroot: %s")
    ("FATAL:   could not use fakeroot: no mapping entry found in /etc/subuid for alice", "container_error"),
    # moby daemon/images: errdefs.NotFound("No such image: %s"), as docker-py reports it
    ("docker.errors.ImageNotFound: 404 Client Error for http+docker://localhost/v1.45/images/create: Not Found "
     '("No such image: spikeinterface/kilosort4-base:latest")', "container_image_pull_failed"),
    ("Error response from daemon: No such image: spikeinterface/kilosort4-base:latest", "container_image_pull_failed"),
    # Go's *PathError on a home folder whose quota is full (an engine's storage under $HOME)
    ("Error: mkdir /home/alice/.local/share/containers/storage/overlay/l: disk quota exceeded", "disk_exhausted"),
    # moby oci/devices_linux.go ("error gathering device information while adding custom device %q: %s"): a GPU's
    # device node asked for on a host that has none
    ('docker: Error response from daemon: error gathering device information while adding custom device '
     '"/dev/nvidia0": no such file or directory.', "container_gpu_unavailable"),
    # libnvidia-container src/cli/ ("device error: %s"): a GPU index the host does not have
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI "
     "runtime create failed: runc create failed: unable to start container process: error during container init: "
     "error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
     "nvidia-container-cli: device error: 1: unknown device: unknown.", "container_gpu_unavailable"),
    # moby distribution/ through the daemon: the registry refused the manifest's HEAD request
    ('docker: Error response from daemon: Head "https://ghcr.io/v2/lab/ks4/manifests/latest": denied.',
     "container_image_pull_failed"),
    # podman libpod/define/errors.go (ErrOCIRuntime, "OCI runtime error") wrapping crun: it could not start the container
    ("Error: OCI runtime error: crun: cannot set user namespace: Operation not permitted", "container_error"),
    # ... look-alikes: an engine's line that says nothing of a cause
    ("docker: Error response from daemon: Conflict. The container name \"/ks4\" is already in use by container "
     "\"4f2a\". You have to remove (or rename) that container to be able to reuse that name.", "unclassified"),
    ("FATAL:   While performing build: while running engine: exit status 255", "unclassified"),

    # -- CUDA runtime/driver, NVML, nvidia-smi, cuDNN/cuBLAS ----------------------------------------------------
    # the CUDA runtime's cudaGetErrorString and the driver's cuGetErrorString tables (cuda_runtime_api.h,
    # cuda.h: the error names and their texts), as torch, CuPy and numba wrap them
    ("RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version", "gpu_driver_error"),
    ("RuntimeError: CUDA error: no CUDA-capable device is detected", "device_unavailable"),
    ("RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable", "device_unavailable"),
    ("RuntimeError: CUDA error: no kernel image is available for execution on the device", "cuda_kernels_not_compiled"),
    ("RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.", "gpu_driver_error"),
    ("RuntimeError: CUDA error: system has unsupported display driver / cuda driver combination", "gpu_driver_error"),
    ("RuntimeError: CUDA error: forward compatibility was attempted on non supported HW", "gpu_driver_error"),
    ("RuntimeError: CUDA error: invalid device ordinal", "device_unavailable"),
    ("RuntimeError: CUDA error: out of memory", "gpu_out_of_memory"),
    # cudaErrorStubLibrary / CUDA_ERROR_STUB_LIBRARY: the toolkit's stub libcuda.so was loaded, no driver is
    ("RuntimeError: CUDA error: CUDA driver is a stub library", "gpu_driver_error"),
    ("cupy_backends.cuda.api.driver.CUDADriverError: CUDA_ERROR_STUB_LIBRARY: CUDA driver is a stub library",
     "gpu_driver_error"),
    # cudaErrorJitCompilerNotFound: the driver's PTX JIT compiler library is missing from its install
    ("numba.cuda.cudadrv.driver.CudaAPIError: [221] Call to cuModuleLoadDataEx results in "
     "CUDA_ERROR_JIT_COMPILER_NOT_FOUND", "gpu_driver_error"),
    # cudaErrorCallRequiresNewerDriver: an API call the installed driver predates
    ("RuntimeError: CUDA error: API call is not supported in the installed CUDA driver", "gpu_driver_error"),
    ("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorInsufficientDriver: CUDA driver version is "
     "insufficient for CUDA runtime version", "gpu_driver_error"),
    ("cupy.cuda.memory.OutOfMemoryError: Out of memory allocating 8,589,934,592 bytes (allocated so far: "
     "2,147,483,648 bytes).", "unclassified"),  # CuPy's pool: a batch too large and a leak say the same
    # ... a kernel's fault is the code's, whatever layer reports it
    ("RuntimeError: CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be asynchronously "
     "reported at some other API call, so the stacktrace below might be incorrect.", "unclassified"),
    ("RuntimeError: CUDA error: device-side assert triggered", "unclassified"),
    ("RuntimeError: CUDA error: unspecified launch failure", "unclassified"),
    ("RuntimeError: CUDA error: too many resources requested for launch", "unclassified"),
    ("torch.AcceleratorError: CUDA error: an illegal instruction was encountered", "unclassified"),
    # nvidia-smi (NVIDIA's driver package) and NVML's nvmlErrorString texts
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA "
     "driver is installed and running.", "gpu_driver_error"),
    ("Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54", "gpu_driver_error"),
    ("No devices were found", "unclassified"),  # nvidia-smi's own: on a GPU node, the devices not bound
    # ... a GPU that failed in use is the node's hardware, nothing the user installs or configures: left alone
    ("Unable to determine the device handle for GPU0000:3B:00.0: GPU is lost.  Reboot the system to recover this "
     "GPU", "unclassified"),
    ("pynvml.NVMLError_LibraryNotFound: NVML Shared Library Not Found", "gpu_driver_error"),
    ("pynvml.NVMLError_DriverNotLoaded: Driver Not Loaded", "gpu_driver_error"),
    # cudaErrorECCUncorrectable: the GPU's memory failed; nothing the code or the set-up did (the node's hardware)
    ("RuntimeError: CUDA error: uncorrectable ECC error encountered", "unclassified"),
    # NVIDIA/open-gpu-kernel-modules (kernel-open/nvidia/nv.c, src/nvidia/arch/nvalloc/unix/src/osinit.c): the
    # kernel module's own lines in dmesg
    ("[  15.483551] NVRM: API mismatch: the client has the version 535.104.05, but\n[  15.483551] NVRM: this kernel "
     "module has the version 535.86.10.  Please\n[  15.483551] NVRM: make sure that this kernel module and all NVIDIA "
     "driver\n[  15.483551] NVRM: components have the same version.", "gpu_driver_error"),
    ("[  6.080914] NVRM: GPU 0000:3b:00.0: RmInitAdapter failed! (0x62:0xffff:1863)", "device_unavailable"),
    ("[8123.44] NVRM: Xid (PCI:0000:3b:00): 79, pid=4242, name=python, GPU has fallen off the bus.",
     "unclassified"),  # the hardware, as the ECC error above
    # ... an Xid the application's own fault raises (13: graphics exception, 31: MMU fault) is the code's
    ("[8123.44] NVRM: Xid (PCI:0000:3b:00): 13, pid=4242, name=python, Graphics Exception: ESR 0x504648=0x80000000",
     "unclassified"),
    ("[8123.44] NVRM: Xid (PCI:0000:3b:00): 31, pid=4242, name=python, Ch 00000008, intr 10000000. MMU Fault: ENGINE "
     "GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f2a_00000000. Fault is of type FAULT_PDE ACCESS_TYPE_READ",
     "unclassified"),
    # kmod tools/modprobe.c: the driver's module not built for the running kernel (a kernel update without DKMS)
    ("modprobe: FATAL: Module nvidia not found in directory /lib/modules/5.15.0-91-generic", "gpu_driver_error"),
    # nvidia-smi without the driver's NVML library
    ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display "
     "Driver is properly installed and present in your system.\nPlease also try adding directory that contains "
     "libnvidia-ml.so to your system PATH.", "gpu_driver_error"),
    # cuDNN's and cuBLAS's status names (cudnn.h's cudnnStatus_t, cublas_api.h's cublasStatus_t)
    ("RuntimeError: cuDNN error: CUDNN_STATUS_ALLOC_FAILED", "gpu_out_of_memory"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`", "gpu_out_of_memory"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_ARCH_MISMATCH", "cuda_kernels_not_compiled"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_ARCH_MISMATCH when calling `cublasSgemm( handle, opa, opb, m, n, k, "
     "&alpha, a, lda, b, ldb, &beta, c, ldc)`", "cuda_kernels_not_compiled"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_VERSION_MISMATCH", "binary_import_broken"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_EXECUTION_FAILED", "unclassified"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_INTERNAL_ERROR", "unclassified"),
    ("RuntimeError: CUDA error: CUBLAS_STATUS_EXECUTION_FAILED when calling `cublasSgemm( handle, opa, opb, m, n, k, "
     "&alpha, a, lda, b, ldb, &beta, c, ldc)`", "unclassified"),

    # -- MATLAB, mexcuda and Kilosort 2 / 2.5 / 3 (MouseLand/Kilosort's v2.0.2, v2.5.2, v3.0.2 tags) -------------
    # MATLAB's own messages (its error identifiers MATLAB:nomem, parallel:gpu:*)
    ("Error using zeros\nOut of memory. Type \"help memory\" for your options.\n\nError in preprocessDataSub (line 44)",
     "host_out_of_memory"),
    ("Error using gpuArray/zeros\nOut of memory on device. To view more detail about available memory on the GPU, "
     "use 'gpuDevice()'. If the problem persists, reset the GPU by calling 'gpuDevice(1)'.", "gpu_out_of_memory"),
    ("Error using gpuDevice (line 26)\nThere is a problem with the CUDA driver or with this GPU device. Be sure that "
     "you have a supported GPU and that the latest driver is installed.", "gpu_driver_error"),
    ("Error using gpuDevice\nNo supported GPU device was found on this computer. To learn more about supported GPU "
     "devices, see www.mathworks.com/gpudevice.", "device_unavailable"),
    ("Error using gpuDevice\nThe CUDA driver could not be loaded. The library name used was: libcuda.so.1. The error "
     "was:\nlibcuda.so.1: cannot open shared object file: No such file or directory", "gpu_driver_error"),
    ("Error using gpuArray\nGPU device 1 of type NVIDIA GeForce GTX 680 is not supported because it has a compute "
     "capability of 3.0, which is lower than the minimum compute capability of 3.5 supported by this release of "
     "MATLAB.", "gpu_driver_error"),
    ("License checkout failed.\nLicense Manager Error -4\nMaximum number of users for Distrib_Computing_Toolbox "
     "reached.\nTry again later.", "dependency_missing"),
    ("Undefined function 'gpuArray' for input arguments of type 'double'.", "dependency_missing"),
    # mexcuda: nvcc and the host compiler (Kilosort's CUDA/mexGPUall.m)
    ("Error using mexcuda (line 166)\nUnable to find nvcc. Make sure the CUDA toolkit is installed.",
     "cuda_toolkit_missing"),
    ("Error using mex\nnvcc fatal   : Unsupported gpu architecture 'compute_35'", "cuda_build_failed"),
    ("Error using mex\nNo supported compiler was found. You can install the freely available MinGW-w64 C/C++ "
     "compiler", "cuda_toolkit_missing"),
    ("Error using mexcuda\n/usr/local/cuda/include/crt/host_config.h:139:2: error: #error -- unsupported GNU version! "
     "gcc versions later than 10 are not supported! The nvcc flag '-allow-unsupported-compiler' can be used to "
     "override this version check", "cuda_build_failed"),
    ("Invalid MEX-file '/home/me/Kilosort/CUDA/mexThSpkPC.mexa64': libcudart.so.10.1: cannot open shared object "
     "file: No such file or directory", "cuda_kernels_not_compiled"),
    # MATLAB's warning that it copes (a GPU newer than its libraries), and a kernel's fault through gpuArray
    ("Warning: The CUDA driver must recompile the GPU libraries because your device is more recent than the "
     "libraries. Recompiling can take several minutes.", "unclassified"),
    ("Error using gpuArray/subsref\nAn unexpected error occurred during CUDA execution. The CUDA error was:\n"
     "CUDA_ERROR_LAUNCH_FAILED", "unclassified"),
    # mexcuda's link step: the toolkit's runtime library not where the linker looks
    ("Error using mex\n/usr/bin/ld: cannot find -lcudart\ncollect2: error: ld returned 1 exit status",
     "cuda_build_failed"),
    # preProcess/preprocessDataSub.m: error('Could not open %s for reading.', ops.fbinary) and the write check
    ("Error using preprocessDataSub (line 65)\nCould not open /data/rec1/continuous.dat for reading.",
     "input_invalid"),
    ("Error using preprocessDataSub (line 111)\nError writing batch 12 to /scratch/temp_wh.dat. Check available disk "
     "space.", "disk_exhausted"),
    # preProcess/loadChanMap.m: ksLoadChanMap:FileNotFound and ksLoadChanMap:NeedChanMap
    ("Error using loadChanMap (line 37)\nCould not find channel map file: /home/me/configs/neuropixPhase3B1_kilo"
     "sortChanMap.mat", "probe_config_error"),
    ("Error using loadChanMap (line 42)\nThe provided channel map must contain \"chanMap\"", "probe_config_error"),
    # gui/createValidChanMap.m: the map file lacks what a map needs (no map is made of it) ...
    ("Warning: Invalid channel map: A valid channel map must have chanMap, xcoords, and ycoords, and they must all "
     "be the same size.", "probe_config_error"),
    # ... but a field of the wrong size is replaced by a default, and the sort goes on
    ("Warning: Invalid chanMap variable 'kcoords': must be the same size as chanMap. Using default.", "unclassified"),
    # gui/ksGUI.m: error('ksGUI:init:uix', ...) and warning('ksGUI:init:npy', ...), what the sorter needs on MATLAB's path
    ("Error using ksGUI (line 57)\nYou must have the \"uiextras\" toolbox to use this GUI. Choose Home->Add-Ons->Get "
     "Add-ons and search for \"GUI Layout Toolbox\" by David Sampson.", "dependency_missing"),
    ("Warning: In order to save data for phy, you must have the npy-matlab repository from https://github.com/kwikteam/"
     "npy-matlab in your matlab path", "dependency_missing"),
    # postProcess/remove_ks2_duplicate_spikes.m: its own precondition, a bug's signal
    ("Error using remove_ks2_duplicate_spikes (line 64)\nCurrently this function can't deal with existence of cluster "
     "0. Should be OK since it ought to be run first in the post-processing.", "unclassified"),
    # mainLoop/*.m: the sorter's own consistency checks -- bugs, left alone
    ("Error using learnAndSolve8b_old (line 57)\nmismatch between number of batches", "unclassified"),
    ("Error using ISIViolations\nISIs less than zero? Something is wrong because spike times should be sorted.",
     "unclassified"),
    ("Error using runTemplates (line 27)\nmissing at least one field: W, U, mu", "unclassified"),
    ("Warning: data batch #14 only had 0 spikes", "no_spikes_found"),

    # -- HDF5's C library (HDFGroup/hdf5 src/: H5FDsec2.c, H5PLint.c, H5PLpath.c, H5Z.c), through h5py or alone --
    ("HDF5-DIAG: Error detected in HDF5 (1.14.3) thread 0:\n  #000: H5F.c line 836 in H5Fopen(): unable to "
     "synchronously open file\n    major: File accessibility\n    minor: Unable to open file\n  #005: H5FDsec2.c "
     "line 352 in H5FD__sec2_open(): unable to lock file, errno = 37, error message = 'No locks available'\n    "
     "major: Virtual File Layer\n    minor: Unable to lock file", "hdf5_file_lock_refused"),
    ("OSError: Unable to synchronously open file (file locking disabled on this file system (use "
     "HDF5_USE_FILE_LOCKING environment variable to override), errno = 38, error message = 'Function not "
     "implemented')", "hdf5_file_lock_refused"),
    ("  #004: H5PLpath.c line 804 in H5PL__find_plugin_in_path(): can't open directory: /usr/local/hdf5/lib/plugin\n"
     "    major: Plugin for dynamically loaded library\n    minor: Can't open directory or file",
     "hdf5_plugin_missing"),
    ("OSError: Can't read data (required filter 'blosc' is not registered)", "hdf5_plugin_missing"),
    ("  #003: H5PLint.c line 268 in H5PL_load(): filter plugins disabled\n    major: Plugin for dynamically loaded "
     "library\n    minor: Unable to load metadata into cache", "hdf5_plugin_missing"),
    ("  #004: H5FDsec2.c line 808 in H5FD__sec2_write(): file write failed: time = Fri Mar  1 10:11:12 2024\n, "
     "filename = '/scratch/lab/rec1.nwb', file descriptor = 5, errno = 28, error message = 'No space left on device',"
     " buf = 0x55d, total write size = 1048576, bytes this sub-write = 1048576, bytes actually written = "
     "18446744073709551615, offset = 0", "disk_exhausted"),
    ("OSError: Unable to synchronously create file (unable to open file: name = '/data/lab/rec1.nwb', errno = 13, "
     "error message = 'Permission denied', flags = 13, o_flags = 242)", "permission_denied"),
    ("OSError: Unable to synchronously open file (truncated file: eof = 2097152, sblock->base_addr = 0, stored_eof = "
     "8388608)", "input_invalid"),
    # ... a lock another process holds, and a file a path names wrong: not the filesystem's refusal
    ("OSError: Unable to synchronously open file (unable to lock file, errno = 11, error message = 'Resource "
     "temporarily unavailable')", "unclassified"),
    ("OSError: Unable to synchronously open file (unable to open file: name = 'rec1.nwb', errno = 2, error message "
     "= 'No such file or directory', flags = 0, o_flags = 0)", "unclassified"),
    ("  #001: H5Dint.c line 1021 in H5D__read(): can't read data\n    major: Dataset\n    minor: Read failed",
     "unclassified"),

    # -- Python packaging: pip, conda, mamba ------------------------------------------------------------------------
    # pip src/pip/_internal/operations/check.py and resolution/resolvelib/: the resolver's refusals
    ("ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. "
     "This behaviour is the source of the following dependency conflicts.\nspikeinterface 0.100.8 requires "
     "numpy<2.0,>=1.20, but you have numpy 2.1.3 which is incompatible.", "dependency_version_mismatch"),
    ("ERROR: Cannot install kilosort==4.0.20 and numpy==2.1.0 because these package versions have conflicting "
     "dependencies.\nERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/"
     "dependency-resolution/#dealing-with-dependency-conflicts", "dependency_version_mismatch"),
    ("ERROR: Package 'kilosort' requires a different Python: 3.8.10 not in '>=3.9'", "dependency_version_mismatch"),
    ("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device", "disk_exhausted"),
    ("ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/usr/local/lib/python3.11/"
     "dist-packages/numpy'\nConsider using the `--user` option or check the permissions.", "permission_denied"),
    ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken "
     "by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f2a>: Failed to establish "
     "a new connection: [Errno 101] Network is unreachable')': /simple/kilosort/", "download_failed"),
    # pip src/pip/_internal/resolution/resolvelib/factory.py: the versions it skipped for the Python running
    ("ERROR: Ignored the following versions that require a different python version: 4.0.1 Requires-Python >=3.9; "
     "4.0.2 Requires-Python >=3.9\nERROR: Could not find a version that satisfies the requirement kilosort>=4 (from "
     "versions: 2.0, 2.0.1)\nERROR: No matching distribution found for kilosort>=4", "dependency_version_mismatch"),
    # ... without it, a version not found says neither why (no index reachable, another platform, a typo)
    ("ERROR: Could not find a version that satisfies the requirement torch==2.3.0+cu121 (from versions: none)\nERROR: "
     "No matching distribution found for torch==2.3.0+cu121", "unclassified"),
    ("PackagesNotFoundError: The following packages are not available from current channels:\n\n  - kilosort=4.0.99",
     "unclassified"),
    # conda's exceptions (conda/exceptions.py) and libmamba's solver report (through conda-libmamba-solver)
    ("CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://conda.anaconda.org/conda-forge/linux-64/"
     "repodata.json>", "download_failed"),
    ("UnsatisfiableError: The following specifications were found to be incompatible with each other:",
     "dependency_version_mismatch"),
    ("LibMambaUnsatisfiableError: Encountered problems while solving:\n  - package spikeinterface-0.100.8-pyhd8ed1ab_0 "
     "requires numpy >=1.20,<2.0, but none of the providers can be installed", "dependency_version_mismatch"),
    ("error    libmamba Could not solve for environment specs\n    The following packages are incompatible\n    "
     "├─ kilosort 4.0.20 requires numpy >=1.20,<2.0, which can be installed;\n    └─ numpy 2.1.3 is requested and can "
     "be installed.\ncritical libmamba Could not solve for environment specs", "dependency_version_mismatch"),
    # mamba-org/mamba libmamba (its curl transfers): a download that failed
    ("critical libmamba Download error (28) Timeout was reached [https://conda.anaconda.org/conda-forge/linux-64/"
     "pytorch-2.3.1-cuda120_py311h.conda]", "download_failed"),
    ("warning  libmamba Download error (6) Could not resolve host: conda.anaconda.org", "download_failed"),
    ("NotWritableError: The current user does not have write permissions to a required path.\n  path: /opt/conda/"
     "pkgs/cache/497deca9.json", "permission_denied"),
    ("EnvironmentNotWritableError: The current user does not have write permissions to the target environment.\n  "
     "environment location: /opt/conda", "permission_denied"),
    # ... an install that failed for a reason it does not give, and a package not found under that name
    ("ERROR: Failed building wheel for hdbscan\nERROR: Could not build wheels for hdbscan, which is required to "
     "install pyproject.toml-based projects", "unclassified"),

    # -- the kernel and the C library ---------------------------------------------------------------------------------
    # torvalds/linux mm/oom_kill.c (dump_header, __oom_kill_process, oom_reap_task_mm), in dmesg or a job's log
    ("[81234.567890] python invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
     "oom_score_adj=0", "host_out_of_memory"),
    ("[81234.601234] Out of memory: Killed process 4242 (python) total-vm:98765432kB, anon-rss:65432100kB, "
     "file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:130000kB oom_score_adj:0", "host_out_of_memory"),
    ("[81234.601234] Memory cgroup out of memory: Killed process 4242 (python) total-vm:98765432kB, "
     "anon-rss:65432100kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:130000kB oom_score_adj:0",
     "host_out_of_memory"),
    ("[81234.612345] oom_reaper: reaped process 4242 (python), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
     "host_out_of_memory"),
    ("[81234.567891] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1,oom_memcg=/slurm/"
     "uid_1000/job_8812,task_memcg=/slurm/uid_1000/job_8812/step_batch,task=python,pid=4242,uid=1000",
     "host_out_of_memory"),
    # torvalds/linux net/sunrpc/clnt.c (call_timeout: "%s: server %s not responding, still trying", the RPC
    # program's name first): the recording's NFS server stopped answering ...
    ("[90211.120] nfs: server fileserver not responding, still trying", "io_stall"),
    # ... and its recovery alone says nothing failed
    ("[90260.440] nfs: server fileserver OK", "unclassified"),
    # arch/x86/mm/fault.c: a user process's segfault, the code's own
    ("[81300.100] python[4242]: segfault at 0 ip 00007f2a1b2c sp 00007ffd3e4f error 4 in libc.so.6[7f2a1b000+195000]",
     "unclassified"),
    # systemd src/oom/oomd-util.c: systemd-oomd's kill on a desktop or a login node
    ("systemd-oomd[812]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-terminal.scope due "
     "to memory pressure for /user.slice/user-1000.slice/user@1000.service being 72.31% > 50.00% for > 20s with "
     "reclaim activity", "host_out_of_memory"),
    ("systemd-oomd[812]: Killed /user.slice/user-1000.slice/session-3.scope due to memory used (64000000000) / total "
     "(67000000000) and swap used (8100000000) / total (8500000000) being more than 90.00%", "host_out_of_memory"),
    ("systemd-oomd[812]: Considered 12 cgroups for killing, top candidates were:", "unclassified"),
    # glibc's strerror texts as a tool prints them alone (string/_strerror.c, sysdeps/gnu/errlist.h)
    ("cp: error writing '/scratch/lab/rec1.dat': No space left on device", "disk_exhausted"),
    ("tar: rec1/continuous.dat: Cannot write: No space left on device", "disk_exhausted"),
    ("touch: cannot touch '/data/lab/results/.probe': Read-only file system", "permission_denied"),
    ("mkdir: cannot create directory '/data/lab/results': Permission denied", "permission_denied"),
    ("bash: fork: Cannot allocate memory", "host_out_of_memory"),
    ("OSError: [Errno 24] Too many open files: '/data/lab/rec1/continuous.dat'", "too_many_open_files"),
    ("OSError: [Errno 23] Too many open files in system: '/data/lab/rec1/continuous.dat'", "too_many_open_files"),
    ("curl: (7) Failed to connect to github.com port 443 after 3 ms: Network is unreachable", "download_failed"),
    ("rsync: [receiver] write failed on \"/scratch/lab/rec1.dat\": No space left on device (28)", "disk_exhausted"),
    # ... and Python's OSError for each errno a sorting pipeline meets (glibc's strerror texts): those that say the
    # machine's or the filesystem's limit, and those a bug, a busy file or a remote service raises as often
    ("OSError: [Errno 12] Cannot allocate memory", "host_out_of_memory"),
    ("OSError: [Errno 37] No locks available", "hdf5_file_lock_refused"),
    ("OSError: [Errno 101] Network is unreachable", "download_failed"),
    ("OSError: [Errno 30] Read-only file system: '/data/lab/sorted'", "permission_denied"),
    ("PermissionError: [Errno 13] Permission denied: '/data/lab/sorted/rec1'", "permission_denied"),
    ("OSError: [Errno 122] Disk quota exceeded: '/home/alice/sorted/rec1/temp_wh.dat'", "disk_exhausted"),
    ("OSError: [Errno 122] Disk quota exceeded: '/project/lab/sorted/rec1/temp_wh.dat'",
     "unclassified"),  # charged to an owner or group the text does not show
    ("TimeoutError: [Errno 110] Connection timed out", "unclassified"),
    ("ConnectionRefusedError: [Errno 111] Connection refused", "unclassified"),
    ("OSError: [Errno 113] No route to host", "unclassified"),
    ("OSError: [Errno 16] Device or resource busy: '/scratch/lab/rec1/.nfs000000000123'", "unclassified"),
    ("OSError: [Errno 26] Text file busy: '/home/alice/venv/bin/python'", "unclassified"),
    ("OSError: [Errno 27] File too large", "unclassified"),
    ("PermissionError: [Errno 1] Operation not permitted: '/data/lab/rec1'", "unclassified"),
    ("BlockingIOError: [Errno 11] Resource temporarily unavailable", "unclassified"),
    ("OSError: [Errno 18] Invalid cross-device link: '/tmp/x' -> '/data/x'", "unclassified"),
    # Go's syscall error texts, lowercase (docker, apptainer, podman print them so)
    ("Error: open /data/lab/results/rec1/params.json: read-only file system", "permission_denied"),
    ("Error: open /usr/lib/python3/dist-packages/numpy/__pycache__/x.pyc: read-only file system",
     "unclassified"),  # a read-only image: as often a tool writing where it should not
    # ... errno texts that say no cause a user can act on, or whose cause is as often a bug
    ("OSError: [Errno 5] Input/output error: '/data/lab/rec1/continuous.dat'", "unclassified"),
    ("OSError: [Errno 2] No such file or directory: 'params.json'", "unclassified"),
    ("OSError: [Errno 116] Stale file handle", "unclassified"),
    ("OSError: [Errno 107] Transport endpoint is not connected: '/mnt/server/rec1'", "unclassified"),
    ("BrokenPipeError: [Errno 32] Broken pipe", "unclassified"),
    ("OSError: [Errno 22] Invalid argument", "unclassified"),
    ("Segmentation fault (core dumped)", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_message_as_its_program_prints_it_gets_the_class_its_cause_gives(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
