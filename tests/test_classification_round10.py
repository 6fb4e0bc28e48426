"""Round 17's rules, written from round 10's development entries (the CPU side, remote storage, workflow managers on
clusters): each mechanism in a general shape of its own, beside a look-alike -- the same words where another cause is
behind them and the text says so, or a message that only mentions the word -- that must stay as it is. The corpus's
entries themselves are scored by tests/test_corpus.py; these are not copies."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

_SOCKET_FRAMES = ('Traceback (most recent call last):\n  File "/env/lib/python3.11/site-packages/urllib3/connectionpool.py", '
                  'line 537, in _make_request\n    response = conn.getresponse()\n  File "/usr/lib/python3.11/socket.py", '
                  'line 706, in readinto\n    return self._sock.recv_into(b)')
CASES = [
    # -- a connection pool that could not reach its host is the network; a read that timed out on a connection the
    # server accepted is its load (a client that does not retry), not a download the network refused
    ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='example.org', port=443): Max retries exceeded "
     "with url: /weights.pt (Caused by NewConnectionError('Failed to establish a new connection'))", "download_failed"),
    ("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='archive.example.org', port=443): Read timed out. "
     "(read timeout=60)", "unclassified"),
    # ... whether the pool's words or only its traceback say so: a paste that stops in the socket layer is a download
    # that failed, but one whose exception is a read timeout is the server's load
    (_SOCKET_FRAMES, "download_failed"),
    (_SOCKET_FRAMES + "\nurllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='archive.example.org', "
     "port=443): Read timed out. (read timeout=30)", "unclassified"),
    # -- a download that failed is the network's, but one whose local write failed says where it broke
    ("ERROR: Failed to download https://example.org/model.bin: connection reset by peer", "download_failed"),
    ("rec1.bin: cache: failed to download: reader: failed to write to cache file: unexpected EOF", "unclassified"),
    # -- a thread refused for the per-user process limit (EAGAIN, in OpenMP's runtime's words too); another errno is not
    ("libgomp: Thread creation failed: Resource temporarily unavailable", "too_many_open_files"),
    ("libgomp: Thread creation failed: Invalid argument", "unclassified"),
    # -- numba's cache for a function in an installed file, with nowhere it may write; code without a file says the same
    ("RuntimeError: cannot cache function 'spike_sum': no locator available for file '/opt/env/lib/python3.11/"
     "site-packages/lab/detect.py'", "permission_denied"),
    ("RuntimeError: cannot cache function 'spike_sum': no locator available for file '<ipython-input-3-1f2e>'",
     "unclassified"),
    # ... nor for a file inside an .egg install, where numba has no locator at all (a packaging defect)
    ("RuntimeError: cannot cache function 'spike_sum': no locator available for file '/opt/env/lib/python3.11/"
     "site-packages/lab-0.2-py3.11.egg/lab/detect.py'", "unclassified"),
    # -- a compiled extension built against another NumPy says so; a bare failed import of NumPy's C part does not
    ("RuntimeError: module compiled against API version 0x10 but this version of numpy is 0xf\nImportError: "
     "numpy.core.multiarray failed to import", "dependency_version_mismatch"),
    ("ImportError: numpy.core.multiarray failed to import", "unclassified"),
    # -- an object store that refused the caller's credentials; an object that is not there is no permission
    ("ServiceException: 401 Anonymous caller does not have storage.objects.list access to the Google Cloud Storage "
     "bucket.", "permission_denied"),
    ("azure.core.exceptions.ClientAuthenticationError: Server failed to authenticate the request.\nErrorCode:"
     "AuthenticationFailed", "permission_denied"),
    ("azure.core.exceptions.ResourceNotFoundError: The specified blob does not exist.\nErrorCode:BlobNotFound",
     "unclassified"),
    # -- a network mount the server refused (EACCES); one whose server is down is not a permission
    ("mount error(13): Permission denied\nRefer to the mount.cifs(8) manual page (e.g. man mount.cifs)",
     "permission_denied"),
    ("mount error(112): Host is down\nRefer to the mount.cifs(8) manual page (e.g. man mount.cifs)", "unclassified"),
    # -- a Go program's path error (EACCES); in the shared temporary folder it is another user's file
    ("Error: mkdir /data/lab/sorts/rec1: permission denied", "permission_denied"),
    ("Error: open /tmp/agent.lock: permission denied", "unclassified"),
    # -- HDF5 built without the driver the file is opened with; the driver there, S3 not reached, is not this
    ("ValueError: h5py was built without ROS3 support, can't use ros3 driver", "dependency_missing"),
    ("OSError: Unable to open file (curl cannot perform request)", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
