"""Round 15's rules, written from round 8's development entries (HPC centres' own pages, the scientific-Python and
ML stack on clusters, electrophysiology tools): each mechanism in a general shape of its own, beside a look-alike --
the same words where another cause is behind them and the text says so, or a message that only mentions the word --
that must stay as it is. The corpus's entries themselves are scored by tests/test_corpus.py; these are not copies."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

CASES = [
    # -- Windows refuses a rename of a folder a process still holds a file in open: a handle, not a permission
    ("PermissionError: [WinError 5] Access is denied: 'D:\\\\sorts\\\\rec1\\\\ks4' -> 'D:\\\\sorts\\\\rec1\\\\ks4_old'",
     "unclassified"),
    ("PermissionError: [WinError 5] Access is denied: 'D:\\\\sorts\\\\rec1\\\\ks4\\\\params.py'", "permission_denied"),
    # -- a node that does not know the job's user cannot make that user's folders: the node, not the permissions
    ("slurmstepd: error: pyxis:     id: cannot find name for user ID 5120\nslurmstepd: error: pyxis:     mkdir: cannot "
     "create directory '/scratch/u/5120': Permission denied", "unclassified"),
    ("slurmstepd: error: pyxis:     mkdir: cannot create directory '/scratch/u/5120': Permission denied",
     "permission_denied"),
    # -- shm_open refused: the C library's words after it say why (/dev/shm's, or the open-files limit); none, nothing
    ("RuntimeError: unable to open shared memory object </torch_4711_2553> in read-write mode", "unclassified"),
    ("RuntimeError: unable to open shared memory object </torch_4711_2553> in read-write mode: Too many open files "
     "(24)", "too_many_open_files"),
    ("RuntimeError: unable to open shared memory object </torch_4711_2553> in read-write mode: No space left on device "
     "(28)", "shared_memory_unavailable"),
    # -- a free-space check that does not know what it needs measured nothing
    ("OSError: Not enough disk space. Needed: Unknown size (download: Unknown size)", "unclassified"),
    ("OSError: Not enough disk space. Needed: 12.4 GiB (download: 3.1 GiB)", "disk_exhausted"),
    # -- a preload the loader says it ignored is a warning; a library the program needs and can't open is not
    ("ERROR: ld.so: object '/opt/site/lib/libtrack.so' from LD_PRELOAD cannot be preloaded (cannot open shared object "
     "file): ignored.", "unclassified"),
    ("python: error while loading shared libraries: libtrack.so: cannot open shared object file: No such file or "
     "directory", "binary_import_broken"),
    # -- a compiler phase SIGKILLed (a login node's memory limit) is the memory's; a phase's own error is the build's
    ("nvcc error   : 'ptxas' died due to signal 9 (Kill signal)", "host_out_of_memory"),
    ("nvcc fatal   : Unsupported gpu architecture 'compute_90'", "cuda_build_failed"),
    ("c++: fatal error: Killed signal terminated program cc1plus\ncompilation terminated.", "host_out_of_memory"),
    ("c++: fatal error: no input files\ncompilation terminated.", "unclassified"),
    # -- a framework's memory monitor stopping a worker near its limit; a budget of 0 % stops every worker
    ("distributed.nanny.memory - WARNING - Worker tcp://10.0.0.4:4021 (pid=812) exceeded 92% memory budget. "
     "Restarting...", "host_memory_watchdog"),
    ("distributed.nanny.memory - WARNING - Worker tcp://10.0.0.4:4021 (pid=812) exceeded 0% memory budget. "
     "Restarting...", "unclassified"),
    ("(raylet) 3 Workers (tasks / actors) killed due to memory pressure (OOM), 0 Workers crashed due to other reasons",
     "host_memory_watchdog"),
    ("(raylet) 0 Workers (tasks / actors) crashed due to other reasons at node 10.0.0.4", "unclassified"),
    # -- SLURM's pending reasons: a per-job limit the job exceeds never lets it run; a per-user one is waited out
    ("JOBID PARTITION NAME USER ST TIME NODES NODELIST(REASON)\n4242 short ks4 u PD 0:00 1 (QOSMaxCpuPerJobLimit)",
     "scheduler_request_rejected"),
    ("JOBID PARTITION NAME USER ST TIME NODES NODELIST(REASON)\n4242 short ks4 u PD 0:00 1 (PartitionTimeLimit)",
     "scheduler_request_rejected"),
    ("JOBID PARTITION NAME USER ST TIME NODES NODELIST(REASON)\n4242 short ks4 u PD 0:00 1 (QOSMaxJobsPerUserLimit)",
     "unclassified"),
    # -- a site's submission policy refusing the job; a controller that did not answer is no refusal
    ("sbatch: error: The job does not fit any supported policy of this cluster.", "scheduler_request_rejected"),
    ("error: running sbatch inside a container shell is disabled on this system", "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Socket timed out on send/recv operation", "unclassified"),
    # -- the job's shell: dash's own "not found", Environment Modules not knowing its shell; a word in a log is not one
    ("/bin/sh: 1: sacct: not found", "job_environment_incomplete"),
    ("init.c(556):ERROR:109: Unknown shell type load", "job_environment_incomplete"),
    ("sh: 1: cannot open /data/rec1/params.txt: No such file", "unclassified"),
    # -- the loader: a versioned symbol set it lacks, its own symbol lookup error; an op a compiled library never
    # registered (built for another torch); TorchScript's unknown builtin is another thing
    ("ImportError: /lib64/libcrypto.so.3: version `OPENSSL_3.3.0' not found (required by /env/lib/libssh2.so.1)",
     "binary_import_broken"),
    ("curl: symbol lookup error: curl: undefined symbol: curl_easy_header, version CURL_OPENSSL_4",
     "binary_import_broken"),
    ("RuntimeError: No such operator torchvision::roi_align", "binary_import_broken"),
    ("RuntimeError: operator torchvision::deform_conv2d does not exist", "binary_import_broken"),
    ("ValueError: requested version OPENSSL_3.3.0 is not in the list", "unclassified"),
    # -- the CUDA toolkit absent where an op is JIT-compiled; the variable only printed is nothing
    ('AssertionError: CUDA_HOME does not exist, unable to compile CUDA op(s)', "cuda_toolkit_missing"),
    ("CUDA_HOME=/usr/local/cuda-12.4 (from the module)", "unclassified"),
    # -- a framework's own fallback on the GPU running out of memory
    ("WARNING: Attempting to copy inputs of <function pairwise_distance> to CPU due to CUDA OOM", "gpu_out_of_memory"),
    # -- SLURM's notice that a step exceeded its memory as it kills it; the older cgroup warning is not a kill
    ("slurmstepd: error: Exceeded step memory limit", "host_out_of_memory"),
    ("slurmstepd: error: Exceeded step memory limit at some point.", "unclassified"),
    # -- a name a package lacks, in a paste that quoted the import with '>' and the name with double quotes
    ('> from numcodecs.compat import ensure_contiguous_ndarray\n> ImportError: cannot import name '
     '"ensure_contiguous_ndarray"', "dependency_version_mismatch"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
