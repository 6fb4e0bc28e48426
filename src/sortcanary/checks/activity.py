"""Is there spiking activity in the window? The evidence that settles a "no spikes found" verdict.

Kilosort's ``Found array with 0 sample(s) ... TruncatedSVD`` (and its kin: too few spikes to
cluster, "No spikes detected") says only that the sorter found nothing. In the threads where users
hit it, the cause was usually the configuration (a wrong channel map, sampling rate or dtype, an
extreme ``artifact_threshold`` or detection threshold), and only sometimes a silent recording. So
the canary looks at the window itself, with a detector that shares none of the sorter's settings:
the traces are high-passed, each channel's noise is its median absolute deviation, and negative
crossings of ``THRESHOLD_SIGMA`` x noise are counted.

* Channels crossing at a plausible spiking rate (``MIN_CHANNEL_RATE_HZ`` or more; Gaussian noise
  alone crosses 5 sigma about once a minute at 30 kHz) mean the data is there and the sorter was
  told to look for it wrongly: environment / ``detection_config_error``.
* No such channel means the window is quiet: biological / ``insufficient_activity``.
The noise level itself is checked before the sorter runs (sortcanary.checks.window_data): a scale
no extracellular recording has stops the canary as a configuration error there.

Not SpikeInterface's ``detect_peaks``: it finds peak positions (with an exclusion sweep across
neighbouring channels, in a chunked job over a recording object) on data already filtered, while
what settles the verdict is a per-channel count of crossings on the few chunks the window checks
hold in memory; each chunk is high-passed here on its own (``highpass``), so the counts need
neither a second read of the window nor a recording built around the chunks.
"""

from __future__ import annotations

import numpy as np

from ..boundary import JSONDict
from ..taxonomy import CLASSES, Verdict, verdict_for

SETTLED_BY = "window activity"
THRESHOLD_SIGMA = 5.0
MIN_CHANNEL_RATE_HZ = 0.5
HIGHPASS_HZ = 300.0


def highpass(traces: np.ndarray, sampling_frequency: float) -> np.ndarray:
    """``traces`` (samples x channels) through a zero-phase 3rd-order Butterworth high-pass at
    HIGHPASS_HZ: the magnitude scipy's ``sosfiltfilt`` gives (|H|^2 = 1 / (1 + (fc/f)^6)), applied to
    the spectrum with numpy after an odd extension of each end (as filtfilt pads). Not scipy.signal
    itself: importing it costs a canary about a second of CPU, more than the check."""
    n = len(traces)
    pad = min(n - 1, int(3 * sampling_frequency / HIGHPASS_HZ))
    head, tail = 2 * traces[:1] - traces[pad:0:-1], 2 * traces[-1:] - traces[-2:-pad - 2:-1]
    extended = np.concatenate([head, traces, tail], axis=0)
    freqs = np.fft.rfftfreq(len(extended), 1.0 / sampling_frequency)
    gain = np.zeros_like(freqs)
    gain[1:] = 1.0 / (1.0 + (HIGHPASS_HZ / freqs[1:]) ** 6)
    filtered = np.fft.irfft(np.fft.rfft(extended, axis=0) * gain[:, None], n=len(extended), axis=0)
    return filtered[pad:pad + n]


def activity_figures(chunks: list[np.ndarray], sampling_frequency: float, good: np.ndarray) -> JSONDict:
    """Threshold-crossing figures of the ``good`` channels over the sampled ``chunks``."""
    if not good.any() or sampling_frequency <= 2 * HIGHPASS_HZ:
        return {}
    filtered = [highpass(c[:, good].astype("float64"), sampling_frequency) for c in chunks if len(c) > 30]
    if not filtered:
        return {}
    data = np.concatenate(filtered, axis=0)
    noise = np.median(np.abs(data), axis=0) / 0.6745 + 1e-12
    below = data < -THRESHOLD_SIGMA * noise
    onsets = (below[1:] & ~below[:-1]).sum(axis=0) + below[0]
    seconds = len(data) / sampling_frequency
    rates = onsets / seconds
    active = int((rates >= MIN_CHANNEL_RATE_HZ).sum())
    return {"active_channels": f"{active}/{int(good.sum())}", "max_channel_rate_hz": round(float(rates.max()), 3),
            "crossings_per_s": round(float(onsets.sum() / seconds), 3), "threshold_sigma": THRESHOLD_SIGMA,
            "seconds_checked": round(seconds, 3)}


def settle(verdict: Verdict, data_checks: JSONDict | None) -> Verdict:
    """A ``needs_evidence`` verdict decided by the window's activity figures (unchanged without them)."""
    cls = CLASSES.get(verdict.error_class)
    if cls is None or not cls.needs_evidence or not data_checks or "active_channels" not in data_checks:
        return verdict
    active, total = (int(x) for x in data_checks["active_channels"].split("/"))
    noise = data_checks.get("median_noise_uV")
    noise_text = f", median noise {noise:g} uV" if noise is not None else ""
    figures = (f"{active}/{total} channels cross {data_checks['threshold_sigma']:g} x noise at >= "
               f"{MIN_CHANNEL_RATE_HZ:g}/s (busiest {data_checks['max_channel_rate_hz']:g}/s){noise_text}")
    if active:
        settled = verdict_for("detection_config_error", message=(
            f"The sorter found no spikes, but the window carries spiking activity ({figures}): the data is there "
            "and the sorter's configuration hides it."))
    else:
        settled = verdict_for("insufficient_activity", message=(
            f"The sorter found no spikes, and neither does a plain threshold detector ({figures}): the window "
            "looks silent."))
    settled.evidence = {**verdict.evidence, "sorter_said": verdict.message, "settled_by": SETTLED_BY}
    return settled


def too_few_spikes(verdict: Verdict) -> bool:
    """Did the sorter fail for want of spikes (settled either way, or not settled)? Only more data
    tells a sparse or faint recording from a silent one or a hidden detection, so the canary sorts
    a longer window before it blocks on such a verdict."""
    return verdict.error_class == "no_spikes_found" or verdict.evidence.get("settled_by") == SETTLED_BY
