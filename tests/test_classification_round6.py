"""The classifier on the mechanisms round 6's development entries showed, each in its general shape, and on
the same words where no setup or limit is behind them.

Round 6 brought failures of schedulers, container engines, GPUs, memory and installs. Some of its texts were
false blocks: a container engine's own step (a loop device, its metadata folder in the image) taken for the
host's set-up, and a MEX file the loader could not map for lack of memory taken for one built without the GPU's
kernels. The rules now ask for what tells the cause apart; the look-alikes below keep them from reading the
words alone again. The corpus entries themselves are scored by tests/test_corpus.py.
"""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

SINGULARITY_MOUNT = "FATAL:   container creation failed: mount {src}->{dst} error: "

CASES = [
    # -- a container the engine could not set up for the host's or the user's reason, not at the engine's own step
    (SINGULARITY_MOUNT.format(src="/scratch/u/run1", dst="/data") + "while mounting /scratch/u/run1: mount source "
     "/scratch/u/run1 doesn't exist", "container_error"),
    (SINGULARITY_MOUNT.format(src="/proc/self/fd/3", dst="/var/apptainer/mnt/session/rootfs") + "while mounting image "
     "/proc/self/fd/3: failed to find loop device: could not attach image file to loop device: no loop devices "
     "available", "unclassified"),
    ("ERROR  : Failed to resolve path to /local/singularity/mnt/container: No such file or directory\nABORT  : Retval = "
     "255", "container_error"),
    ("ERROR  : Failed to set loop flags on loop device: Resource temporarily unavailable\nABORT  : Retval = 255",
     "unclassified"),
    ("ERROR  : Failed creating directory /var/singularity/mnt/final/.singularity.d/env :No such file or directory\n"
     "ABORT  : Retval = 255", "unclassified"),
    # ... Docker's bind whose source the engine can't see; a name already taken is a leftover container, left alone
    ('docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: '
     "/home/u/recordings/session1.", "container_error"),
    ('docker: Error response from daemon: Conflict. The container name "/ks4" is already in use by container "3f2a".',
     "unclassified"),
    # ... Singularity's --nv finding no NVIDIA library on the host, in Singularity 2's and 3's words
    ("WARNING: Could not find any NVIDIA libraries on this host!", "container_gpu_unavailable"),
    ("WARNING: Could not find any nv libraries on this host!", "container_gpu_unavailable"),
    # -- a MEX file the loader could not map for lack of memory is sound; one it can't read as MEX is not built here
    ("Invalid MEX-file '/opt/ks/CUDA/mexGPUall.mexa64': /opt/ks/CUDA/mexGPUall.mexa64: failed to map segment from "
     "shared object: Cannot allocate memory", "host_out_of_memory"),
    ("Invalid MEX-file '/opt/ks/CUDA/mexGPUall.mexa64': libcudart.so.10.1: cannot open shared object file: No such "
     "file or directory", "cuda_kernels_not_compiled"),
    # -- the scheduler may not run the job's script or read its configuration (EACCES in SLURM's words)
    ("slurmstepd: error: execve(): /home/u/run_sort.sh: Permission denied\nsrun: error: n12: task 0: Exited with exit "
     "code 13", "permission_denied"),
    ("sbatch: error: s_p_parse_file: unable to read \"/etc/slurm/slurm.conf\": Permission denied\nsbatch: fatal: "
     "Unable to process configuration file", "permission_denied"),
    ("slurmstepd: error: couldn't chdir to `/home/u/run': Permission denied: going to /tmp instead",
     "unclassified"),  # a notice: the step goes on in /tmp
    ("slurmstepd: error: execve(): ml: No such file or directory",
     "job_environment_incomplete"),  # ENOENT: a command the job's shell lacks, not EACCES
    # -- a thread the C library could not start: the per-user process limit, not EAGAIN elsewhere
    ("OpenBLAS blas_thread_init: pthread_create failed for thread 12 of 64: Resource temporarily unavailable\n"
     "OpenBLAS blas_thread_init: RLIMIT_NPROC 1024 current, 1024 max", "too_many_open_files"),
    ("terminate called after throwing an instance of 'std::system_error'\n  what():  pthread_create failed: error "
     "code 11", "too_many_open_files"),
    ("OpenBLAS blas_thread_init: RLIMIT_NPROC 4096 current, 4096 max", "unclassified"),  # the limit, read, not reached
    ("BlockingIOError: [Errno 11] Resource temporarily unavailable", "unclassified"),  # a non-blocking call's EAGAIN
    # -- numpy's compiled core named bare: an extension built against a newer numpy than the one installed
    ("ImportError: No module named _multiarray_umath", "dependency_version_mismatch"),
    ("ModuleNotFoundError: No module named 'numpy'", "dependency_missing"),
    # -- a name its module lacks in Python 2's words (no quotes, no module: the traceback's import line names it);
    # a name from a partially initialised module is a circular import, the caller's own code
    ('Traceback (most recent call last):\n  File "sort.py", line 3, in <module>\n    from scipy.signal import '
     "gaussian\nImportError: cannot import name gaussian", "dependency_version_mismatch"),
    ("ImportError: cannot import name 'run_all' from partially initialized module 'mylab.pipeline' (most likely due "
     "to a circular import) (/home/u/mylab/pipeline.py)", "unclassified"),
    # -- a probe whose contacts are placed in 3D where the step needs a plane; sklearn's check of an array is not one
    ("ValueError: contact positions are 3D but must be 2D for this step", "probe_config_error"),
    ("ValueError: Expected 2D array, got 1D array instead", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence


def test_a_pasted_python_2_import_names_the_module_its_line_imported_from():
    verdict = classify('  File "sort.py", line 3, in <module>\n    from sklearn.feature_selection import '
                       "SelectFromModel\nImportError: cannot import name SelectFromModel")
    assert verdict.evidence["module"] == "sklearn.feature_selection"
