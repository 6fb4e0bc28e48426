"""A sorter that finds no spikes: the window's own activity says whether the data or the config is at fault.

Real Kilosort4 on the CPU. The same message (``Found array with 0 sample(s) ... TruncatedSVD``)
comes out of a silent recording and out of an active one that the configuration hides from the
sorter; only the evidence from the window tells them apart, and the verdict says which and why. The
silent one is the shared Kilosort4 run's (test_workflow.py judges its verdict the same way).
"""

from __future__ import annotations

import pytest

from test_failures import canary

pytestmark = pytest.mark.ks4


def test_active_recording_hidden_by_the_config_is_an_environment_verdict(demo_dir, tmp_path):
    """An extreme artifact_threshold blanks every batch: KS4 finds no spikes in a healthy recording."""
    result, verdict = canary(demo_dir / "healthy_b.bin", tmp_path, torch_device="cpu",
                             sorter_params={"artifact_threshold": 1}, canary={"window_s": 5})
    assert result.returncode == 3
    assert (verdict["category"], verdict["error_class"]) == ("environment", "detection_config_error")
    assert "TruncatedSVD" in verdict["evidence"]["sorter_said"] + verdict["evidence"]["matched"]
    checks = verdict["evidence"]["data_checks"]
    active, _total = (int(x) for x in checks["active_channels"].split("/"))
    assert active >= 1 and checks["max_channel_rate_hz"] >= 0.5, checks
    assert "spiking activity" in verdict["message"] and "sorter_params" in verdict["remediation"]
    assert [(w["start_s"], w["outcome"]) for w in verdict["windows"]] == [
        (0.0, "environment/detection_config_error")] * 2, "re-tried once, on a longer leading window only"


def test_the_activity_check_high_passes_as_scipys_zero_phase_butterworth_does():
    """checks.activity filters with numpy (scipy.signal's import costs a canary a second): the same
    magnitude as scipy's sosfiltfilt, a DC offset and a slow drift removed, to within 5 % of the
    largest sample, at the ends too."""
    import numpy as np
    from scipy.signal import butter, sosfiltfilt
    from spikeinterface.core import generate_ground_truth_recording

    from sortcanary.checks.activity import HIGHPASS_HZ, highpass

    recording, _ = generate_ground_truth_recording(durations=[2.0], num_channels=4, num_units=3, seed=0)
    fs = recording.sampling_frequency
    traces = recording.get_traces().astype("float64") + 300.0 + np.linspace(0, 500, recording.get_num_samples())[:, None]
    theirs = sosfiltfilt(butter(3, HIGHPASS_HZ, btype="highpass", fs=fs, output="sos"), traces, axis=0)
    ours = highpass(traces, fs)
    assert ours.shape == traces.shape
    assert np.abs(ours - theirs).max() < 0.05 * np.abs(theirs).max()
    assert np.abs(ours - theirs)[:200].max() < 0.05 * np.abs(theirs).max()
