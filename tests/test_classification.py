"""The classifier on real error texts, as users reported them (../shared/reference/failure-signatures.md)."""

from __future__ import annotations

import json
import signal

import pytest

from conftest import sortcanary
from sortcanary.classification import CLASSES, classify, classify_text

TRUNCATED_SVD = (
    "ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD."
)


def wrapped(text: str) -> str:
    """How SpikeInterface reports a sorter's error: inside a SpikeSortingError."""
    return (
        "Traceback (most recent call last):\n  File \"runsorter.py\", line 200, in run_sorter\n"
        f"spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n{text}\n"
        "Spike sorting failed. You can inspect the runtime trace in /x/spikeinterface_log.json."
    )


@pytest.mark.parametrize(
    "text, category, error_class",
    [
        (TRUNCATED_SVD, "biological", "insufficient_activity"),
        ("ValueError: n_samples=5 should be >= n_clusters=6.", "biological", "insufficient_activity"),
        ("No spikes detected, cannot continue sorting.", "biological", "insufficient_activity"),
        ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.61 GiB. GPU 0 has a total capacity of "
         "8.00 GiB of which 0 bytes is free", "resource", "gpu_out_of_memory"),
        ("AssertionError: Torch not compiled with CUDA enabled", "environment", "device_unavailable"),
        ("RuntimeError: CUDA error: no kernel image is available for execution on the device", "environment",
         "device_unavailable"),
        ("Exception: The sorter kilosort4 is not installed. Please install it with:\n pip install kilosort",
         "environment", "sorter_not_installed"),
        ("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
         "environment", "container_error"),
        ("ValueError: Largest value of chanMap exceeds channel count of data, make sure chanMap is 0-indexed.",
         "environment", "probe_config_error"),
        ("ValueError: Bytes in binary file did not divide evenly, incorrect n_chan_bin", "environment",
         "probe_config_error"),
        ("RuntimeError: Channel locations are required for this spike sorter. Locations can be added",
         "environment", "probe_config_error"),
        ("OSError: [Errno 28] No space left on device", "resource", "disk_exhausted"),
        ("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 112. GiB for an array with shape",
         "resource", "host_out_of_memory"),
    ],
)
def test_real_messages_plain_and_wrapped(text, category, error_class):
    for variant in (text, wrapped(text)):
        verdict = classify(variant)
        assert (verdict.category, verdict.error_class) == (category, error_class), variant
        assert verdict.remediation and verdict.policy and verdict.evidence["matched"]


def test_container_failures_carry_their_reason():
    assert classify("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.").evidence["reason"] == "daemon_down"
    assert classify("RuntimeError: Docker is not installed. Install docker").evidence["reason"] == "client_missing"
    assert classify("Error response from daemon: pull access denied for x").evidence["reason"] == "image_pull_failed"


def test_conflicting_texts_follow_the_priority_environment_resource_biological():
    oom_and_svd = "torch.OutOfMemoryError: CUDA out of memory.\n...\n" + TRUNCATED_SVD
    assert classify(oom_and_svd).category == "resource"
    config_and_svd = TRUNCATED_SVD + "\nLargest value of chanMap exceeds channel count of data"
    assert classify(config_and_svd).error_class == "probe_config_error", "a config problem is never 'silent'"


def test_sigkill_without_text_is_host_memory():
    verdict = classify("", exit_code=-signal.SIGKILL)
    assert (verdict.category, verdict.error_class) == ("resource", "host_out_of_memory")


def test_unknown_text_is_unclassified():
    verdict = classify("RuntimeError: something nobody has seen before")
    assert verdict.category == "unclassified" and not verdict.classified
    assert classify_text("RuntimeError: something nobody has seen before") is None


def test_every_class_has_a_policy_and_remediation():
    for cls in CLASSES.values():
        assert cls.message and cls.remediation and cls.policy in ("block", "block_run", "retry_with_less")


def test_classify_cli_reads_stdin_and_always_exits_0():
    result = sortcanary("classify", stdin=wrapped(TRUNCATED_SVD))
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert set(out) == {"category", "error_class", "message", "remediation"}
    assert (out["category"], out["error_class"]) == ("biological", "insufficient_activity")
    unknown = sortcanary("classify", stdin="weird")
    assert unknown.returncode == 0 and json.loads(unknown.stdout)["category"] == "unclassified"
