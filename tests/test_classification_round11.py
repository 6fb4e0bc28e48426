"""Round 18's rules, written from round 11's development entries (MATLAB's toolboxes, Python environments and their
launchers): each mechanism in a general shape of its own, beside a look-alike -- the same words where another cause is
behind them, or a message that only mentions the word -- that must stay as it is. The corpus's entries themselves are
scored by tests/test_corpus.py; these are not copies."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

CASES = [
    # -- MATLAB's loader refused a toolbox's MEX file (built for another MATLAB or system); the sorter's CUDA MEX files
    # are the kernels unbuilt, Windows refusing the file is a permission, a mapping that lacked memory is the memory's
    ("Invalid MEX-file '/opt/toolboxes/spm12/external/fieldtrip/ft_getopt.mexa64': /usr/local/MATLAB/R2019b/bin/"
     "glnxa64/libmex.so: version `MEX_2018a' not found", "binary_import_broken"),
    ("Invalid MEX-file 'C:\\toolboxes\\eeglab\\plugins\\binica\\ica_fast.mexw64': The specified module could not be "
     "found.", "binary_import_broken"),
    ("Missing symbol '_mxCreateSharedDataCopy' required by\n'/opt/toolboxes/lsl/bin/lsl_loadlib_.mexmaci64'",
     "binary_import_broken"),
    ("Invalid MEX-file '/opt/Kilosort2/CUDA/mexGPUall.mexa64': The specified module could not be found.",
     "cuda_kernels_not_compiled"),
    ("Invalid MEX-file '/home/me/Kilosort/mexThSpkPC.mexa64': The specified module could not be found.",
     "cuda_kernels_not_compiled"),  # Kilosort's mexName outside its CUDA folder
    ("Invalid MEX-file '/opt/toolboxes/mexutils.mexa64': The specified module could not be found.",
     "binary_import_broken"),  # a toolbox's file whose name only starts with "mex"
    ("Invalid MEX-file 'C:\\toolboxes\\eeglab\\plugins\\binica\\ica_fast.mexw64': Access is denied.",
     "permission_denied"),
    ("Invalid MEX-file '/opt/toolboxes/fieldtrip/ft_getopt.mexa64': /opt/toolboxes/fieldtrip/ft_getopt.mexa64: failed "
     "to map segment from shared object: Cannot allocate memory", "host_out_of_memory"),
    # -- a module system refusing a load for a module already loaded; a modulefile failing in its own Tcl is not this
    ("Lmod has detected the following error:  A different version of the 'GCC' module is already loaded (see output "
     "of 'ml').", "job_environment_incomplete"),
    ("python/3.11(8):ERROR:150: Module 'python/3.11' conflicts with the currently loaded module(s) 'anaconda/2023'",
     "job_environment_incomplete"),
    ("Lmod has detected the following error: Cannot load module \"matlab/R2023a\" because these module(s) are loaded:\n"
     "   matlab/R2021b", "job_environment_incomplete"),
    ("gcc/12(41):ERROR:102: Tcl command execution failed: set-envvar CC", "unclassified"),
    # -- conda's shell function never set up in the job's shell, in either of conda's spellings
    ("CondaError: Run conda init before conda activate", "job_environment_incomplete"),
    # -- a locale the environment names that Python can't use; Perl's warning that it falls back goes on
    ("  File \"/env/lib/python3.9/locale.py\", line 475, in _parse_localename\nValueError: unknown locale: UTF-8",
     "job_environment_incomplete"),
    ("RuntimeError: Click will abort further execution because Python was configured to use ASCII as encoding for the "
     "environment. Consult https://click.palletsprojects.com/unicode-support/ for mitigation steps.",
     "job_environment_incomplete"),
    ("perl: warning: Setting locale failed.\nperl: warning: Falling back to the standard locale (\"C\").",
     "unclassified"),
    # -- MATLAB's pool could not bind a port of its range on this host; a pool that failed without saying why is not
    ("Caused by:\n    Error using parallel.internal.pool.SpfClientSession\n    Failed to open any port in the range "
     "[27350 28350]. Verify that at least one port is available", "job_environment_incomplete"),
    ("Error using parpool (line 113)\nParallel pool failed to start with the following error. For more detailed "
     "information, validate the profile 'Processes' in the Cluster Profile Manager.", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
