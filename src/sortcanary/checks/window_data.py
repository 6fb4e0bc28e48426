"""Cheap checks of the canary window's traces, before the sorter starts.

A dead or misconfigured recording is caught in seconds, with figures a person can act on
("32/32 channels constant"), instead of surfacing minutes later as Kilosort's ambiguous
``TruncatedSVD`` error, which a flat, a saturated and a silent recording all produce alike.

Only a sample of the window is read: ``MAX_CHUNKS`` chunks of ``CHUNK_S`` seconds spread evenly
over it (so the same window always gives the same figures).
SpikeInterface's ``detect_bad_channels`` is not used: it labels single dead or noisy channels by
coherence with their neighbours, while the verdicts here are about the whole window (every
channel constant, or pinned at the rails of its integer range), which it does not report. Verdicts:

* NaN/Inf in the traces, or an implausible noise scale (a dtype or gain mismatch) -> environment /
  probe_config_error: the data is read wrong, the recording may be fine;
* every channel constant -> biological / flat_signal;
* every channel pinned at the rails of its integer range -> biological / saturated_signal;
* every channel either constant or saturated -> biological / no_good_channels.
Some bad channels alone are not fatal (the sorter copes): the figures name them
(``bad_channels``: dead = constant, saturated), and the canary blocks only when they are more
than ``bad_channels.max_fraction`` of the probe and the recipe's chain has no bad-channel
detection of its own (sortcanary.checks.bad_channels). The figures also carry the window's
threshold crossings (sortcanary.checks.activity): if the sorter then finds no spikes, they tell a
misconfigured sorter from a silent recording.

The noise figure is the median absolute deviation of each channel, as SpikeInterface's
``get_noise_levels(method="mad")`` computes it, but over the even spread of chunks read here (see
``_sample``) rather than its random ones, and from traces already in memory: reading the window
again for it would double the check's I/O.
"""

from __future__ import annotations

import logging

import numpy as np

from ..boundary import JSONDict, Recording
from ..taxonomy import SortFailure, verdict_for
from .activity import activity_figures

log = logging.getLogger("sortcanary")

CHUNK_S = 0.5
MAX_CHUNKS = 20
SATURATED_FRACTION = 0.5  # a channel is saturated when this share of its samples sits at a rail
# Plausible noise (robust standard deviation, microvolts) of an extracellular recording.
MIN_NOISE_UV = 0.1
MAX_NOISE_UV = 10_000.0


def _sample(recording: Recording) -> list[np.ndarray]:
    """Chunks spread evenly over the window, first and last included. Not SpikeInterface's
    get_random_data_chunks: random chunks can miss a localized defect (a NaN stretch, a dead start)
    that an even spread always covers at its ends."""
    fs, total = recording.sampling_frequency, recording.get_num_samples()
    chunk = max(1, min(total, int(CHUNK_S * fs)))
    n_chunks = max(1, min(MAX_CHUNKS, total // chunk))
    starts = np.linspace(0, total - chunk, n_chunks).astype(int)
    return [recording.get_traces(start_frame=s, end_frame=s + chunk) for s in starts]


def _gains(recording: Recording) -> np.ndarray | None:
    if recording.has_scaleable_traces():
        return np.asarray(recording.get_channel_gains(), dtype=float)
    return None


def check_window(recording: Recording) -> JSONDict:
    """Raise SortFailure on a window no sorter can use; return the figures otherwise."""
    chunks = _sample(recording)
    traces = np.concatenate(chunks, axis=0)
    n_ch = traces.shape[1]
    figures: JSONDict = {"channels": n_ch, "samples_checked": int(traces.shape[0])}
    if traces.dtype.kind == "f":
        bad = ~np.isfinite(traces)
        if bad.any():
            channels = int(bad.any(axis=0).sum())
            raise SortFailure(verdict_for(
                "probe_config_error",
                message=f"NaN/Inf values in {channels}/{n_ch} channels of the window: the file is read with the "
                "wrong dtype or is corrupt.", nonfinite_channels=f"{channels}/{n_ch}",
            ))
    constant = traces.min(axis=0) == traces.max(axis=0)
    saturated = np.zeros(n_ch, dtype=bool)
    if traces.dtype.kind in "iu":
        info = np.iinfo(traces.dtype)
        at_rails = (traces == info.min) | (traces == info.max)
        saturated = (at_rails.mean(axis=0) >= SATURATED_FRACTION) & ~constant
        # a channel constant *at* a rail is saturated, not merely flat
        pinned = constant & ((traces[0] == info.min) | (traces[0] == info.max))
        saturated |= pinned
        constant &= ~pinned
    figures.update(constant_channels=f"{int(constant.sum())}/{n_ch}", saturated_channels=f"{int(saturated.sum())}/{n_ch}")
    if constant.any() or saturated.any():
        ids = [str(c) for c in recording.get_channel_ids()]
        figures["bad_channels"] = {reason: [ids[i] for i in np.flatnonzero(mask)]
                                   for reason, mask in (("dead", constant), ("saturated", saturated)) if mask.any()}
    if constant.all():
        raise SortFailure(verdict_for(
            "flat_signal", message=f"{n_ch}/{n_ch} channels are constant in the canary window.", **figures))
    if saturated.all():
        raise SortFailure(verdict_for(
            "saturated_signal", message=f"{n_ch}/{n_ch} channels sit at the rails of the {traces.dtype} range.",
            **figures))
    if (constant | saturated).all():
        raise SortFailure(verdict_for(
            "no_good_channels", message=f"No usable channel: {int(constant.sum())} constant and "
            f"{int(saturated.sum())} saturated of {n_ch}.", **figures))
    good = ~(constant | saturated)
    centered = traces[:, good].astype("float64") - np.median(traces[:, good], axis=0)
    noise = np.median(np.abs(centered), axis=0) / 0.6745
    gains = _gains(recording)
    noise_uv = noise * (gains[good] if gains is not None else 1.0)
    median_noise = float(np.median(noise_uv))
    figures["median_noise_uV" if gains is not None else "median_noise"] = round(median_noise, 3)
    if gains is not None and median_noise > 0 and not MIN_NOISE_UV <= median_noise <= MAX_NOISE_UV:
        raise SortFailure(verdict_for(
            "probe_config_error",
            message=f"Implausible signal scale: median channel noise {median_noise:.3g} uV (expected "
            f"{MIN_NOISE_UV}-{MAX_NOISE_UV:.0f} uV); check dtype and gain_to_uV.", **figures))
    figures.update(activity_figures(chunks, recording.sampling_frequency, good))
    if constant.any() or saturated.any():
        log.warning("window data checks: %s constant, %s saturated channels (not fatal)",
                    figures["constant_channels"], figures["saturated_channels"])
    return figures
