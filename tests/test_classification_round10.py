"""Round 17's rules, written from round 10's development entries (the CPU side, remote storage, workflow managers on
clusters): each mechanism in a general shape of its own, beside a look-alike -- the same words where another cause is
behind them and the text says so, or a message that only mentions the word -- that must stay as it is. The corpus's
entries themselves are scored by tests/test_corpus.py; these are not copies."""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

CASES = [
    # -- a connection pool that could not reach its host is the network; a read that timed out on a connection the
    # server accepted is its load (a client that does not retry), not a download the network refused
    ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='example.org', port=443): Max retries exceeded "
     "with url: /weights.pt (Caused by NewConnectionError('Failed to establish a new connection'))", "download_failed"),
    ("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='archive.example.org', port=443): Read timed out. "
     "(read timeout=60)", "unclassified"),
    # -- a download that failed is the network's, but one whose local write failed says where it broke
    ("ERROR: Failed to download https://example.org/model.bin: connection reset by peer", "download_failed"),
    ("rec1.bin: cache: failed to download: reader: failed to write to cache file: unexpected EOF", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_mechanism_is_recognised_and_its_look_alike_is_not(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
