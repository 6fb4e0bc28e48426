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
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
