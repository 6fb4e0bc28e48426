"""Round 16's rules, written from round 9's development entries (installs and Windows, data files and formats, cloud
batch systems): each mechanism in a general shape of its own, beside a look-alike -- the same words where another
cause is behind them and the text says so, or a message that only mentions the word -- that must stay as it is. The
corpus's entries themselves are scored by tests/test_corpus.py; these are not copies."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

CASES = [
    # -- a sync client's own file mid-transfer, refused to a program that walked into its folder: not the user's
    ("PermissionError: [WinError 5] Access is denied: 'G:\\\\My Drive\\\\sorts\\\\.tmp.driveupload'", "unclassified"),
    ("PermissionError: [WinError 5] Access is denied: 'G:\\\\My Drive\\\\sorts\\\\rec1\\\\params.py'",
     "permission_denied"),
    # -- a conda solve for another system's packages (a lock made on Linux, read on Windows); versions that clash
    ("LibMambaUnsatisfiableError: Encountered problems while solving:\n  - nothing provides __linux needed by "
     "inotify-0.1-pyh1", "unclassified"),
    ("UnsatisfiableError: The following specifications were found to be incompatible with each other:\n  - numpy 2.1 "
     "-> python >=3.10", "dependency_version_mismatch"),
    # -- a DLL refused memory (Windows' commit limit: ERROR_COMMITMENT_LIMIT) is the host's memory; a DLL missing is not
    ('OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "C:\\\\env\\\\'
     'lib\\\\site-packages\\\\torch\\\\lib\\\\cublas64_12.dll" or one of its dependencies.', "host_out_of_memory"),
    ('OSError: [WinError 126] The specified module could not be found. Error loading "C:\\\\env\\\\lib\\\\site-packages'
     '\\\\torch\\\\lib\\\\cublas64_12.dll" or one of its dependencies.', "binary_import_broken"),
    # -- the orchestrator's own reasons for an image that did not come; a pod merely pulling is no failure
    ('Warning  Failed  12s  kubelet  Error: ImagePullBackOff', "container_image_pull_failed"),
    ('Normal  Pulling  3s  kubelet  Pulling image "ghcr.io/lab/ks4:1.2"', "unclassified"),
    ("Status reason: CannotPullContainerError: Error response from daemon: pull access denied for lab/ks4",
     "container_image_pull_failed"),
    # ... but a layer the node's disk had no room for is the disk, whichever layer reports the pull
    ("Task failed to start - CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob42: no space left on "
     "device", "disk_exhausted"),
    # -- the ECS agent's create timeout; a job that merely timed out in its own code is not the container's
    ("DockerTimeoutError: Could not transition to running; timed out after waiting 3m0s", "container_error"),
    ("TimeoutError: timed out after waiting 3m0s for the sorter's socket", "unclassified"),
    # -- the NVIDIA device plugin without NVML (a runtime that is not NVIDIA's); NVML's mismatch is the driver's
    ("E1102 factory.go:78] If this is a GPU node, did you set the containerd default runtime to `nvidia`?",
     "container_gpu_unavailable"),
    ("Failed to initialize NVML: Driver/library version mismatch", "gpu_driver_error"),
    # -- a cloud account's core or GPU quota; a disk quota is the disk's, a quota only printed is nothing
    ("Quota 'NVIDIA_T4_GPUS' exceeded.  Limit: 0.0 in region us-east1.", "scheduler_request_rejected"),
    ("The Batch account does not have enough dedicated cores quota for the pool's 64 cores", "scheduler_request_rejected"),
    ("OSError: [Errno 122] Disk quota exceeded: '/home/u/ks4/temp_wh.dat'", "disk_exhausted"),
    ("INFO pool ks4: 16 cores, core quota 512", "unclassified"),
    # -- a role the cloud refused; the word 'role' in a log is nothing
    ("AccessDeniedException: User: arn:aws:sts::1:assumed-role/batch/job is not authorized to perform: "
     "s3:GetObject on resource: arn:aws:s3:::lab-recordings/rec1.bin", "permission_denied"),
    ("INFO assumed role arn:aws:iam::1:role/batch for the job", "unclassified"),
    # -- a signal as Airflow's task runner and a managed training service report it; SIGTERM is no memory kill
    ('CRITICAL - Process terminated by signal: signal=-9: signal_name="SIGKILL": source="task"', "host_out_of_memory"),
    ('CRITICAL - Process terminated by signal: signal=-15: signal_name="SIGTERM": source="task"', "unclassified"),
    ("The replica worker 2 exited with a non-zero status of 9(SIGKILL)", "host_out_of_memory"),
    ("The replica worker 2 exited with a non-zero status of 1", "unclassified"),
    # -- no release of a package for this platform; pip that could not reach the index looked nothing up
    ("ERROR: Could not find a version that satisfies the requirement pyopencl (from versions: none)\nERROR: No "
     "matching distribution found for pyopencl", "dependency_missing"),
    ("WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError(...)': /simple/pyopencl/\n"
     "ERROR: Could not find a version that satisfies the requirement pyopencl (from versions: none)", "unclassified"),
    ("PackagesNotFoundError: The following packages are not available from current channels:\n\n  - kilosort-gpu\n",
     "dependency_missing"),
    ("ERROR: Could not find a version that satisfies the requirement kilosort==4.0.99 (from versions: none)",
     "unclassified"),
    # -- a build tool or a codec's package not installed; the words only printed are nothing
    ("RuntimeError: CMake must be installed to build the following extensions: ks_cuda", "dependency_missing"),
    ("-- Build files written with Ninja (required version 1.10 found)", "unclassified"),
    ("ValueError: codec not available: 'zstd'", "dependency_missing"),
    ("INFO codecs available: blosc, zstd, lz4", "unclassified"),
    # -- a package's own minimum-version check; a count it requires is no version
    ("ImportError: scikit-image requires at least version 1.21 of numpy", "dependency_version_mismatch"),
    ("ValueError: whitening requires at least 2 channels", "unclassified"),
    # -- Windows' path limit: a file not found on a path of 260 characters or more; a short one is not it
    ("FileNotFoundError: [Errno 2] No such file or directory: 'C:\\\\Users\\\\u\\\\" + "deep\\\\" * 50
     + "params.py'", "permission_denied"),
    ("FileNotFoundError: [Errno 2] No such file or directory: 'C:\\\\Users\\\\u\\\\params.py'",
     "unclassified"),
    # -- a validator's verdict on an NWB file; a run that found none is no failure
    ("2026-01-02 10:00:00,000 [   ERROR] sub-7/sub-7_ecephys.nwb: 2 error(s)\n  Subject.species is missing.",
     "input_invalid"),
    ("2026-01-02 10:00:00,000 [    INFO] Summary: No validation errors among 3 file(s)", "unclassified"),
    # -- an ElectricalSeries whose channel axis is not its electrodes table's; timestamps' length is another check
    ("UserWarning: ElectricalSeries 'raw': The second dimension of data does not match the length of electrodes. "
     "Your data may be transposed.", "probe_config_error"),
    ("UserWarning: ElectricalSeries 'raw': Length of data does not match length of timestamps.", "unclassified"),
    # -- a package's folder left without its __init__ (unknown location); a name a located module lacks is a version
    ("ImportError: cannot import name 'linalg' from 'scipy' (unknown location)", "binary_import_broken"),
    ("ImportError: cannot import name 'linalg' from 'scipy' (/env/lib/python3.11/site-packages/scipy/__init__.py)",
     "dependency_version_mismatch"),
    # -- Qt's platform plugin not where Qt looks (the install); one found that can't load needs a system library
    ('qt.qpa.plugin: Could not find the Qt platform plugin "cocoa" in ""', "binary_import_broken"),
    ('qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.', "dependency_missing"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
