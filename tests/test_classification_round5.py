"""The classifier on the mechanisms round 5's development entries showed, each in its general shape, and on
the same words where no setup or limit is behind them.

Round 5 brought failures of schedulers, container engines, GPUs, memory and the tools around the sorters.
Some of its texts were false blocks: words a rule took for a cause that, in these threads, were a controller
that did not answer, a fork refused, CuPy's own allocation, a GPU's hardware or a MATLAB variable never
assigned. The rules now ask for what tells the cause apart; the look-alikes below keep them from reading the
words alone again. The corpus entries themselves are scored by tests/test_corpus.py.
"""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

FORK = ('  File "/usr/lib/python3.10/multiprocessing/pool.py", line 326, in _repopulate_pool_static\n    w.start()\n'
        '  File "/usr/lib/python3.10/multiprocessing/popen_fork.py", line 66, in _launch\n    self.pid = os.fork()\n')

CASES = [
    # -- a submission the scheduler refused for a reason it names, not one its controller never answered
    ("sbatch: error: Batch job submission failed: Required node not available (down, drained or reserved)",
     "scheduler_request_rejected"),
    ("WorkflowError:\nSLURM sbatch failed. The error message was sbatch: error: Batch job submission failed: Invalid "
     "qos specification", "scheduler_request_rejected"),
    ("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)", "unclassified"),
    ("sbatch: error: Batch job submission failed: Zero Bytes were transmitted or received", "unclassified"),
    ("srun: error: Unable to allocate resources: Socket timed out on send/recv operation", "unclassified"),
    ("SLURM sbatch failed. The error message was sbatch: error: Batch job submission failed: Message receive failure",
     "unclassified"),
    # ... a workflow engine's own check of a request against the machine, DRMAA's and Grid Engine's refusals
    ("Caused by:\n  Process requirement exceeds available memory -- req: 64 GB; avail: 15.5 GB",
     "scheduler_request_rejected"),
    ("Caused by:\n  Process requirement exceed available CPUs -- req: 16; avail: 8", "scheduler_request_rejected"),
    ("drmaa.errors.DeniedByDrmException: code 17: error: no suitable queues", "scheduler_request_rejected"),
    ('Unable to run job: job rejected: the requested parallel environment "mpi" does not exist.',
     "scheduler_request_rejected"),
    ("WARN: requested threads exceed available CPUs, using 8", "unclassified"),  # a tool that goes on
    ("drmaa.errors.DrmCommunicationException: code 2: failed receiving gdi request response for mid=1 (got syncron "
     "message receive timeout error).", "unclassified"),  # the qmaster did not answer
    # -- the scheduler's kill at a memory limit: Moab's hard limit (its soft limit is a notice)
    ("Job deleted at request of root@head1\njob 8812 exceeded MEM usage hard limit (9216 > 8192)", "host_out_of_memory"),
    ("job 8812 exceeded MEM usage soft limit (7000 > 6144)", "unclassified"),
    # -- memory the kernel refused, not a fork it would not make
    ('  File "/opt/venv/lib/python3.10/site-packages/numpy/core/memmap.py", line 267, in __new__\n    mm = '
     "mmap.mmap(fid.fileno(), bytes, access=acc, offset=start)\nOSError: [Errno 12] Cannot allocate memory",
     "host_out_of_memory"),
    (FORK + "OSError: [Errno 12] Cannot allocate memory", "unclassified"),
    (FORK + "BlockingIOError: [Errno 12] Cannot allocate memory", "unclassified"),
    (FORK.replace("os.fork()\n", "os.fork()\n               ^^^^^^^^^\n") + "OSError: [Errno 12] Cannot allocate memory",
     "unclassified"),  # Python 3.11's carets under the call
    # ... R's failed allocation, its size weighed as numpy's is
    ("> sce <- runPCA(sce)\nError: cannot allocate vector of size 2.3 Gb", "host_out_of_memory"),
    ("Error: cannot allocate vector of size 93132257.5 Gb", "allocation_implausible"),
    ("Warning message:\nReached total allocation of 16000Mb: see help(memory.size)", "unclassified"),
    # -- the GPU's memory, not CuPy's own allocation (a batch too large, a leak and CuPy's regression alike)
    ("RuntimeError: CUDA error: out of memory", "gpu_out_of_memory"),
    ("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorMemoryAllocation: out of memory", "unclassified"),
    # -- a GPU that failed in use is the node's hardware; a busy or missing device is the setup's
    ("2024-03-01 10:11:12.000000: E tensorflow/stream_executor/cuda/cuda_driver.cc:328] failed call to cuInit: "
     "CUDA_ERROR_ECC_UNCORRECTABLE: uncorrectable ECC error encountered", "unclassified"),
    ("RuntimeError: CUDA error: invalid device ordinal", "device_unavailable"),
    # -- MATLAB can't tell a function off the path from a variable never assigned: left alone
    ("Unrecognized function or variable 'spikeTimes'.\n\nError in computeACG (line 12)", "unclassified"),
    ("Undefined function or variable 'ops'.", "unclassified"),
    # -- a plugin built against another version of its framework's API
    ("jaxlib.xla_extension.XlaRuntimeError: INVALID_ARGUMENT: Mismatched PJRT plugin PJRT API version (0.60) and "
     "framework PJRT API version 0.57).", "dependency_version_mismatch"),
    ("I0301 10:11:12.000000 4242 pjrt_api.cc:98] GetPjrtApi was found for cuda with PJRT API version 0.57",
     "unclassified"),
    # -- an image built for another architecture: runc can't exec its entrypoint (a binary of the host's is not this)
    ('standard_init_linux.go:190: exec user process caused "exec format error"', "container_error"),
    ("OSError: [Errno 8] Exec format error: '/opt/sorters/bin/ks2_compiled'", "binary_import_broken"),
    # -- a tool's own check of the open-files limit
    ("ERROR: The limit on the number of open files is too low (1024). Increase it to at least 4096.",
     "too_many_open_files"),
    ("INFO: the limit on the number of open files is 1048576", "unclassified"),
    # -- a sorter that found no waveform at all (not one unit's)
    ("No waveforms were found; check the recording's dtype and channel count", "no_spikes_found"),
    ("No waveforms found for unit 12, skipping its template", "unclassified"),
    # -- a parameter the sorter's own check found unfit for the sampling rate, then the failure
    ("Warning: Your choice of Wid is not valid given the sampling rate and wavelet family\n> In detectSpikesWavelet "
     "(line 93)\nIndex exceeds the number of array elements.\n\nError in detectSpikesWavelet (line 118)",
     "sorter_params_invalid"),
    ("Warning: Your choice of Wid is not valid given the sampling rate and wavelet family\n> In detectSpikesWavelet "
     "(line 93)", "unclassified"),  # the warning alone: the detection went on
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
