"""Round 14's rules, written from round 7's development entries (containers and GPUs, schedulers and installs,
sorters' readers): each mechanism in a general shape of its own, beside a look-alike -- the same words where a
tool's defect is behind them, or a message that only mentions the word -- that must stay as it is. The corpus's
entries themselves are scored by tests/test_corpus.py; these are not copies of them."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

CASES = [
    # -- a bind the engine could not make: its source missing on the host is the user's; its destination missing in
    # the container is the engine's own step (it makes the mount point), failing from its defect or a wrapper's order
    ("FATAL:   container creation failed: mount /scratch/lab/run2->/data error: while mounting /scratch/lab/run2: "
     "mount source /scratch/lab/run2 doesn't exist", "container_error"),
    ("FATAL:   container creation failed: mount /scratch/lab/run2->/data error: while mounting /scratch/lab/run2: "
     "destination /data doesn't exist in container", "unclassified"),
    # -- ENOSPC from clone() as the engine starts the container: the kernel's limit on user namespaces, no disk
    ("FATAL:   Failed to create container process: No space left on device", "container_error"),
    ("FATAL:   while extracting /data/ks4.sif: write /data/sandbox/usr/lib/libtorch.so: no space left on device",
     "disk_exhausted"),
    # -- an unprivileged build that may not make the image's device nodes (no fakeroot): the build's, not the pull's
    ("FATAL:   While performing build: conveyor failed to get: while copying pseudo devices: while creating "
     "/tmp/build-temp-1/rootfs/dev/zero: operation not permitted", "container_error"),
    ("FATAL:   While performing build: conveyor failed to get: GET https://registry-1.docker.io/v2/lab/ks4/manifests/"
     "v9: MANIFEST_UNKNOWN: manifest unknown", "container_image_pull_failed"),
    # -- the registry's token or auth endpoint refusing the credentials; a 401 on a manifest fetched with a token
    # already granted is an engine reusing a token for the wrong scope
    ("ERROR: failed to solve: failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized",
     "container_image_pull_failed"),
    ("[INFO] Querying registry for permission grant\n[ERROR] URL https://registry.lab.org/v2/token returned error "
     "code: 403 Forbidden", "container_image_pull_failed"),
    ("[INFO] Found valid credentials in cache\n[ERROR] URL https://registry.lab.org/v2/ks4/manifests/latest returned "
     "error code: 401 Unauthorized", "unclassified"),
    # -- enroot's query of the registry failing in curl (DNS, proxy, an untrusted certificate); curl's error alone,
    # in a script's own download, is no registry's
    ("[INFO] Querying registry for permission grant\ncurl: (6) Could not resolve host: registry.lab.org",
     "container_image_pull_failed"),
    ("curl: (60) SSL certificate problem: unable to get local issuer certificate", "unclassified"),
    # -- the engine's own metadata folder, or an option a wrapper put after the image run as the command, is not the
    # engine missing
    ("/.singularity.d/actions/run: 12: exec: --bind: not found", "unclassified"),
    ("/var/spool/slurmd/job42/slurm_script: line 9: apptainer: command not found", "container_runtime_missing"),
    # -- a shell's start-up file it may not read is a warning it goes on after; a program it may not run is not
    ("bash: /home/u/.bashrc: Permission denied", "unclassified"),
    ("sh: /etc/profile: Permission denied", "unclassified"),
    ("bash: /opt/lab/bin/run_ks.sh: Permission denied", "permission_denied"),
    # -- ENOSPC in a library that passes its data through /dev/shm by default; in the caller's own write, the disk
    ('  File "/opt/conda/lib/python3.11/site-packages/pandarallel/core.py", line 210, in wrapper\n    '
     "pickle.dump(result, file)\nOSError: [Errno 28] No space left on device", "shared_memory_unavailable"),
    ('  File "/home/u/pipeline/export.py", line 40, in save\n    np.save(path, traces)\nOSError: [Errno 28] No space '
     "left on device", "disk_exhausted"),
    # -- TensorFlow's allocator out of memory: the device is named on the line or on the op's node after it; without
    # one, its host allocator writes the same words
    ("ResourceExhaustedError: OOM when allocating tensor with shape[64,384,384,128]\n\t [[Node: conv3/Conv2D = "
     'Conv2D[T=DT_FLOAT, _device="/job:localhost/replica:0/task:0/device:GPU:1"](pool2, conv3/weights)]]',
     "gpu_out_of_memory"),
    ("ResourceExhaustedError: OOM when allocating tensor with shape[64,384,384,128] and type float on "
     "/job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu", "host_out_of_memory"),
    ("ResourceExhaustedError: OOM when allocating tensor with shape[64,384,384,128]", "unclassified"),
    # -- torch's check of a device index against the devices it can see (a MIG slice not made visible); its other
    # internal asserts are its own bugs
    ('RuntimeError: device >= 0 && device < num_gpus INTERNAL ASSERT FAILED at "../aten/src/ATen/cuda/'
     'CUDAContext.cpp":50, please report a bug to PyTorch.', "device_unavailable"),
    ('RuntimeError: t.is_contiguous() INTERNAL ASSERT FAILED at "../aten/src/ATen/native/cuda/Sort.cpp":112, please '
     "report a bug to PyTorch.", "unclassified"),
    # -- a batch system that names memory as why it killed the job
    ("Job 1234.0 was killed by HTCondor due to excessive memory use (RSS=8120 MB)", "host_out_of_memory"),
    ("Job 1234.0 was killed by condor_rm", "unclassified"),
    # -- SLURM's pending reason for a request no node can satisfy; a job waiting its turn is not one
    ("JOBID PARTITION NAME USER ST TIME NODES NODELIST(REASON)\n4242 gpu canary u PD 0:00 1 (BadConstraints)",
     "scheduler_request_rejected"),
    ("JOBID PARTITION NAME USER ST TIME NODES NODELIST(REASON)\n4242 gpu canary u PD 0:00 1 (Resources)",
     "unclassified"),
    # -- pip refusing a wheel built for another interpreter or word size
    ("ERROR: kilosort-4.0.1-cp312-cp312-manylinux_2_17_x86_64.whl is not a supported wheel on this platform.",
     "dependency_version_mismatch"),
    # -- HDMF without a spec for a type of the core schema: the installed pynwb's schema is older than the file's;
    # an extension's namespace it has no spec for is one left unloaded
    ("ValueError: No specification for 'ElectricalSeries' in namespace 'core'", "dependency_version_mismatch"),
    ("ValueError: No specification for 'LabMetaData_ext' in namespace 'ndx-lab-meta'", "unclassified"),
    # -- a file read as a NumPy array that does not start with NumPy's header (a git-lfs pointer, a cut copy)
    ("ValueError: the magic string is not correct; expected b'\\x93NUMPY', got b'versio'", "input_invalid"),
    ("ValueError: Object arrays cannot be loaded when allow_pickle=False", "unclassified"),
    # -- MATLAB's h5read on a file it can't find; a function not on the path is another thing
    ("Error using h5readc\nThe filename specified was either not found on the MATLAB path or it contains unsupported "
     "characters.", "input_invalid"),
    ("Error using h5readc\nThe HDF5 library encountered an unknown error.", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
