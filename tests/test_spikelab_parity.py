"""Parity with SpikeLab's canary classifier (braingeneers/SpikeLab, tests/test_classified_errors.py).

Every case SpikeLab's tests classify is classified here with the same category, and every case they must
NOT classify (their negative controls: a real tool bug must not be masked) stays unclassified here. Inputs
are SpikeLab's own: an exception (SpikeLab's ``classify_ks4_failure(folder, exc)``) and, for Kilosort 2,
the sorter's log beside it (``classify_ks2_failure``). They go through sortcanary's path for the same
thing: the exception parsed as the sorter's child process parses it, the log read as the runner reads it
(sortcanary.runner.failure), one classifier deciding on both.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sortcanary.classification import classify, classify_exception, parse_exception

KS2_SPARSE_LOG = """Warning: X does not support locale C.UTF-8
Time   0s. Determining good channels..
Recording has 974 channels
found 1346 threshold crossings in 299.96 seconds of data
found 966 bad channels
Time 364s. Computing whitening matrix..
random seed for clusterSingleBatches: 1
time 1.80, Re-ordered 46 batches.
Time   2s. Optimizing templates ...
2.53 sec, 1 / 46 batches, 2 units, nspks: 1.3292, mu: 10.9917, nst0: 1, merges: 0.0000, 0.0000
----------------------------------------Error using indexing
An unexpected error occurred trying to launch a kernel. The CUDA error was:
invalid configuration argument
"""
KS2_HEALTHY_LOG_WITH_CUDA_ERROR = """Time 0s.
Recording has 974 channels
found 1800000 threshold crossings in 300 seconds of data
found 12 bad channels
Time   2s. Optimizing templates ...
2.53 sec, 1 / 46 batches, 423 units, nspks: 123.45
CUDA kernel launched strangely
invalid configuration argument
"""
KS2_ALL_BAD_CHANNELS_LOG = "Recording has 974 channels\nfound 974 bad channels\nAborting because no good channels remained.\n"
KS2_ZERO_GOOD_CHANNELS_LOG = "Time 0s. Determining good channels..\nfound 0 good channels\nsome fatal error\n"
KS2_PARTIAL_BAD_CHANNELS_LOG = ("Recording has 974 channels\nfound 100 bad channels\nTime 364s. Computing whitening "
                                "matrix..\n(recording sorted fine, eventually unrelated error)\n")
KS2_LOW_NSPKS_LOG = ("Recording has 974 channels\nfound 500000 threshold crossings in 300 seconds of data\nfound 2 bad "
                     "channels\nTime 2s. Optimizing templates ...\n0.10 sec, 1 / 46 batches, 100 units, nspks: 1.0\n"
                     "invalid configuration argument\n")


def caused(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


def chain(messages: list[str]) -> BaseException:
    """SpikeLab's ``_chain``: a ValueError at the root, RuntimeErrors raised from it."""
    inner = None
    for msg in messages:
        inner = caused(RuntimeError(msg), inner) if inner is not None else ValueError(msg)
    return inner


def ks2_failure(exc: BaseException, log: str | None):
    """The verdict on a Kilosort 2 failure: the child's exception, parsed, and the sorter's log after it."""
    return classify(log or "", parsed=parse_exception(exc))


# (SpikeLab test, exception, Kilosort 2 log or None, SpikeLab's category or None for "not classified")
CASES = [
    ("TestKs2InsufficientActivity::test_sparse_log_classified", RuntimeError("ks2 exit"), KS2_SPARSE_LOG, "biological"),
    ("TestKs2InsufficientActivity::test_cuda_error_with_normal_activity_does_not_misclassify", RuntimeError("ks2 exit"),
     KS2_HEALTHY_LOG_WITH_CUDA_ERROR, None),
    ("TestKs2InsufficientActivity::test_log_without_cuda_marker_is_not_classified", RuntimeError("something else"),
     "Recording has 974 channels\nfound 0 threshold crossings\n(no cuda error)\n", None),
    ("TestKs2InsufficientActivity::test_missing_log_returns_none", RuntimeError("no log written"), None, None),
    ("TestKs2InsufficientActivity::test_low_nspks_alone_is_sufficient_trigger", RuntimeError("ks2 exit"),
     KS2_LOW_NSPKS_LOG, "biological"),
    ("TestKs2NoGoodChannels::test_all_channels_flagged_bad", RuntimeError("ks2 exit"), KS2_ALL_BAD_CHANNELS_LOG,
     "biological"),
    ("TestKs2NoGoodChannels::test_explicit_zero_good_channels_marker", RuntimeError("ks2 exit"),
     KS2_ZERO_GOOD_CHANNELS_LOG, "biological"),
    ("TestKs2NoGoodChannels::test_partial_bad_channels_not_classified", RuntimeError("unrelated"),
     KS2_PARTIAL_BAD_CHANNELS_LOG, None),
    ("TestKs4InsufficientActivity::test_truncated_svd_empty", caused(RuntimeError("run_sorter failed"), ValueError(
        "Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.")), None,
     "biological"),
    ("TestKs4InsufficientActivity::test_kmeans_too_few_samples", caused(RuntimeError("SI wrapper failed"),
                                                                        ValueError("n_samples=3 should be >= n_clusters=6.")),
     None, "biological"),
    ("TestKs4InsufficientActivity::test_deeply_nested_chain_walked", chain(
        ["n_samples=2 should be >= n_clusters=6.", "clustering step failed", "run_sorter wrapper", "outer batch runner"]),
     None, "biological"),
    ("TestKs4InsufficientActivity::test_unrelated_exception_returns_none", RuntimeError("some totally unrelated crash"),
     None, None),
    ("TestHDF5PluginMissing::test_env_var_message_classified",
     RuntimeError("HDF5_PLUGIN_PATH was set but no compression filter found"), None, "environment"),
    ("TestHDF5PluginMissing::test_filter_keyword_classified",
     RuntimeError("HDF5 filter plugin missing: Unable to synchronously read data"), None, "environment"),
    ("TestHDF5PluginMissing::test_configured_path_echoed_from_env",
     RuntimeError("HDF5_PLUGIN_PATH leads nowhere; compression filter missing"), None, "environment"),
    ("TestHDF5PluginMissing::test_generic_cant_open_without_filter_keyword_not_classified",
     RuntimeError("Can't open directory: /nonexistent"), None, None),
    *[(f"TestDockerEnvironment::test_reason_classification[{reason}]", RuntimeError(message), None, "environment")
      for message, reason in [
          ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock", "daemon_down"),
          ("Is the docker daemon running on this host?", "daemon_down"),
          ("ModuleNotFoundError: No module named 'docker'", "client_missing"),
          ("docker: Got permission denied while trying to connect", "permission_denied"),
          ('manifest unknown: manifest tagged by "x" is not found', "image_pull_failed-manifest"),
          ("pull access denied for foo/bar", "image_pull_failed-access"),
          ("failed to pull and unpack image registry-1.docker.io/...", "image_pull_failed-unpack"),
          ("dial tcp: lookup registry-1.docker.io: no such host", "image_pull_failed-dns")]],
    ("TestDockerEnvironment::test_permission_denied_precedes_daemon_down", RuntimeError(
        "permission denied while trying to connect to the Docker daemon at unix:///var/run/docker.sock"), None,
     "environment"),
    ("TestGPUOutOfMemory::test_torch_oom_marker_ks4",
     RuntimeError("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 5.36 GiB"), None, "resource"),
    ("TestGPUOutOfMemory::test_matlab_oom_marker_ks2",
     RuntimeError("The CUDA error was: CUDA_ERROR_OUT_OF_MEMORY (201)"), None, "resource"),
    ("TestDispatcherPriority::test_docker_beats_ks2_insufficient_activity",
     RuntimeError("Cannot connect to the Docker daemon"), KS2_SPARSE_LOG, "environment"),
    ("TestDispatcherPriority::test_hdf5_beats_ks2_insufficient_activity",
     RuntimeError("HDF5_PLUGIN_PATH is not set; filter plugin missing"), KS2_SPARSE_LOG, "environment"),
    ("TestDispatcherPriority::test_oom_beats_ks2_insufficient_activity",
     RuntimeError("CUDA out of memory while allocating"), KS2_SPARSE_LOG, "resource"),
    ("TestDispatcherPriority::test_hdf5_beats_ks4_insufficient_activity", caused(
        RuntimeError("HDF5 filter plugin missing (HDF5_PLUGIN_PATH unset)"),
        ValueError("Found array with 0 sample(s) required by TruncatedSVD")), None, "environment"),
]
# SpikeLab's class for each of its cases, in sortcanary's taxonomy (the category is what must agree).
CLASS_OF = {"TestKs2InsufficientActivity": "insufficient_activity", "TestKs2NoGoodChannels": "no_good_channels",
            "TestKs4InsufficientActivity": "no_spikes_found", "TestHDF5PluginMissing": "hdf5_plugin_missing",
            "TestGPUOutOfMemory": "gpu_out_of_memory"}


@pytest.mark.parametrize("exc, log, category", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_spikelab_case_gets_the_same_category(exc, log, category):
    verdict = ks2_failure(exc, log)
    assert verdict.category == (category or "unclassified"), verdict.as_dict()
    if log is None:  # an exception alone: the child's structural path agrees with the text path
        structural = classify_exception(exc)
        assert (structural.category if structural else "unclassified") == verdict.category


@pytest.mark.parametrize("case", [c for c in CASES if c[3] and c[0].split("::")[0] in CLASS_OF], ids=lambda c: c[0])
def test_spikelab_case_gets_the_matching_class(case):
    assert ks2_failure(case[1], case[2]).error_class == CLASS_OF[case[0].split("::")[0]]


@pytest.mark.parametrize("message, reason", [
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock", "daemon_down"),
    ("docker: Got permission denied while trying to connect", "permission_denied"),
    ("permission denied while trying to connect to the Docker daemon at unix:///var/run/docker.sock",
     "permission_denied"),
])
def test_docker_reasons_as_spikelab_codes_them(message, reason):
    assert classify(message).evidence["reason"] == reason


def test_sparse_ks2_log_evidence_carries_spikelab_figures():
    verdict = ks2_failure(RuntimeError("ks2 exit"), KS2_SPARSE_LOG)
    assert verdict.error_class == "insufficient_activity"
    evidence = verdict.evidence
    assert (evidence["threshold_crossings"], evidence["units"], evidence["nspks"]) == (1346, 2, pytest.approx(1.3292))
    assert "launch a kernel" in evidence["kernel_failure"]


def test_ks2_log_is_found_where_spikeinterface_writes_it(tmp_path):
    """SpikeLab's test_docker_path_also_found: the log in sorter_output/ is read. Here the runner reads the
    files the backend names (sortcanary.plan.sorters), the way it does after a failed sort."""
    from sortcanary.plan.sorters import SpikeInterfaceSorter
    from sortcanary.runner.failure import failure_verdict

    backend = SpikeInterfaceSorter("kilosort2")
    log = tmp_path / "sorter_output" / "kilosort2.log"
    log.parent.mkdir()
    log.write_text(KS2_SPARSE_LOG)
    assert log in backend.log_files(tmp_path)
    result = {"ok": False, "exc_type": "RuntimeError", "message": "ks2 exit",
              "parsed": parse_exception(RuntimeError("ks2 exit")).as_dict()}
    plan = SimpleNamespace(classification_rules=())  # all the runner's classification reads of the plan
    verdict = failure_verdict(plan, result, 0, tmp_path / "job.log", backend.log_files(tmp_path))
    assert (verdict.category, verdict.error_class) == ("biological", "insufficient_activity")
    assert verdict.evidence["sorter_log"] == str(log)


def test_a_cyclic_chain_terminates():
    a, b = RuntimeError("a"), RuntimeError("b")
    a.__cause__, b.__cause__ = b, a
    assert classify_exception(a) is None
    assert {r.message for r in parse_exception(a).raised} == {"a", "b"}
