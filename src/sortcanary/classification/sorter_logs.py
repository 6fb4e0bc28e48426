"""What the sorter's own log says of the recording and of where it stopped, and what that makes of a failure.

Kilosort 1/2/2.5/3 log what they saw before they failed -- channels found bad, threshold crossings,
spikes extracted, a stage -- and MATLAB says in which of the sorter's functions an error was raised.
A kernel launch that fails on a batch without spikes, a sorter that counted no spikes, no good
channel left: the data's doing, which these figures show. A failure whose figures show activity is
left alone. MATLAB's own failures inside the sorter (out of memory; ``gpuArray/eig`` not converging,
which MATLAB releases from R2022 do on the matrices Kilosort 2's ``svdecon`` hands them) are read here too.
"""

from __future__ import annotations

import re

from .parse import ParsedFailure
from .rules import Hit


def _marker(parsed: ParsedFailure, key: str) -> float | None:
    fact = parsed.markers.get(key)
    return None if fact is None else fact.value


def no_good_channels(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2/2.5/3 found no channel good enough to sort: it says so, or every channel was bad."""
    channels, bad = _marker(parsed, "channels"), _marker(parsed, "bad_channels")
    for key in ("no_good_channels_left", "good_channels", "bad_channels"):
        fact = parsed.markers.get(key)
        if fact is None:
            continue
        if key == "no_good_channels_left" or (key == "good_channels" and fact.value == 0) or \
                (key == "bad_channels" and channels and bad is not None and bad >= channels):
            return Hit(fact.line, {"channels": channels, "bad_channels": bad})
    return None


def counted_no_spikes(parsed: ParsedFailure) -> Hit | None:
    """The sorter's own log counted no spikes extracted before it failed (its last count is 0): whatever
    raised next, it had nothing to sort. Zero threshold crossings alone is not this: Kilosort 2 counts
    them on a sample of the data, and SpikeLab leaves such a log unclassified without its kernel failure."""
    fact = parsed.markers.get("spikes_detected")
    return Hit(fact.line, {"spikes_detected": 0}) if fact is not None and fact.value == 0 else None


KS2_KERNEL_FAILURE = re.compile(r"An unexpected error occurred trying to launch a kernel|invalid configuration "
                                r"argument", re.IGNORECASE)
EMPTY_GRID = re.compile(r"invalid configuration argument", re.IGNORECASE)
SPARSE_NSPKS = 10.0  # Kilosort 2's running spike count summed over templates, per batch
SPARSE_CROSSINGS_PER_CHANNEL_S = 0.05  # threshold crossings per channel per second
SPARSE_GOOD_FRACTION = 0.1  # channels left after the bad ones are dropped


def ks2_starved(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2's CUDA kernel launch failed while its own log shows too little activity to sort
    (few threshold crossings, almost every channel bad, or a near-zero spike count): the kernel is
    launched with an empty grid, which is the data's doing, not the GPU's."""
    kernel = KS2_KERNEL_FAILURE.search(parsed.text)
    if not kernel:
        return None
    channels = _marker(parsed, "channels")
    crossings, seconds = _marker(parsed, "threshold_crossings"), _marker(parsed, "crossing_seconds")
    nspks, bad = _marker(parsed, "nspks"), _marker(parsed, "bad_channels")
    low = []
    if nspks is not None and nspks < SPARSE_NSPKS:
        low.append("nspks")
    if crossings is not None and seconds and crossings / seconds / (channels or 1) < SPARSE_CROSSINGS_PER_CHANNEL_S:
        low.append("threshold_crossings")
    if channels and bad is not None and (channels - bad) / channels < SPARSE_GOOD_FRACTION:
        low.append("bad_channels")
    if not low:
        return None
    lines = [line for k in low if (line := parsed.markers[k].line) is not None]  # markers are read from lines
    first = min(lines) if lines else None
    return Hit(first, {"low": low, "threshold_crossings": crossings, "nspks": nspks,
                       "units": _marker(parsed, "units"), "kernel_failure": kernel.group(0)})


MATLAB_FRAME = re.compile(r"^\s*Error in \S+ \(line \d+\)", re.MULTILINE)


def ks2_empty_kernel(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2/2.5/3's kernel launch failed with an empty grid ("invalid configuration argument")
    inside the sorter's own code (MATLAB's ``Error in learnTemplates (line 228)``) and its log says
    nothing of the recording's activity: a batch without spikes, as far as the text can tell; the
    canary settles it from the window's data (no_spikes_found needs evidence). Left alone: a log whose
    markers show activity (a GPU or sorter problem), and the bare CUDA message, which says nothing
    of where it failed (a grid too large for the GPU, on a long file, reads the same)."""
    kernel = EMPTY_GRID.search(parsed.text)
    activity = ("threshold_crossings", "nspks", "units", "spikes_detected", "bad_channels")
    if not kernel or any(k in parsed.markers for k in activity) or not MATLAB_FRAME.search(parsed.text):
        return None
    return Hit(parsed.line_at(kernel.start()), {"kernel_failure": kernel.group(0)})


MATLAB_OUT_OF_MEMORY = re.compile(r"(^|-{8,})\s*Out of memory\.\s*$", re.MULTILINE)


def matlab_out_of_memory_in_sorter(parsed: ParsedFailure) -> Hit | None:
    """MATLAB's own "Out of memory." while a sorter ran (its log shows a stage): the host's memory."""
    found = MATLAB_OUT_OF_MEMORY.search(parsed.text)
    if not found or parsed.stage is None:
        return None
    return Hit(parsed.line_at(found.start() + len(found.group(1))), {"stage": parsed.stage.value})


EIG_NOT_CONVERGING = re.compile(r"EIG did not converge", re.IGNORECASE)
IN_KILOSORT = re.compile(r"gpuArray/eig|\bkilosort", re.IGNORECASE)


def eig_not_converging(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 2's ``gpuArray/eig`` did not converge, and its log counts no spikes: MATLAB releases
    from R2022 fail to converge on the matrices its ``svdecon`` hands them, which earlier releases
    sorted (the sorter's version does not fit its MATLAB). A log that counted its spikes is left
    alone: tens of millions of events make the same error, a bug of its own."""
    found = EIG_NOT_CONVERGING.search(parsed.text)
    if not found or not IN_KILOSORT.search(parsed.text) or "spikes_detected" in parsed.markers:
        return None
    return Hit(parsed.line_at(found.start()), {"message": "MATLAB's gpuArray/eig did not converge in Kilosort 2: the "
                                                          "MATLAB release does not fit this Kilosort (R2021b or earlier "
                                                          "sorts, or Kilosort's svd fallback)."})


KS4_NO_SUITABLE_CHANNELS = re.compile(r"never found suitable channels")


def ks4_no_channel_near_a_centre(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 4's clustering found no channel near any of its cluster centres (``get_data_cpu never found
    suitable channels``): the probe's geometry, or dmin/dminx, does not fit the contacts. Left alone when
    its own log counted 0 spikes extracted just before: with no spike there is no centre to find channels
    for, whatever the probe (a threshold too high, a silent recording: counted_no_spikes' verdict)."""
    found = KS4_NO_SUITABLE_CHANNELS.search(parsed.text)
    if not found or counted_no_spikes(parsed):
        return None
    return Hit(parsed.line_at(found.start()), {})


KS4_WHITENING = re.compile(r"\bin (get_whitening_matrix|whitening_local|whitening_from_covariance)\b")
NON_FINITE = re.compile(r"input matrix contained non-finite values|must not contain NaN or Inf", re.IGNORECASE)


def ks4_one_batch(parsed: ParsedFailure) -> Hit | None:
    """Kilosort 4's whitening met non-finite values while its log counted one batch (``N batches: 1``):
    it averages the channels' covariance over every batch but the last, none here, and divides by that
    count, zero. The recording as given holds fewer samples than two batches: ``batch_size`` is larger
    than half the data (or the data, or its sampling rate, is far smaller than meant). NaN or inf in the
    samples fail at the same line with more batches, and are left alone: the text does not show them."""
    found = NON_FINITE.search(parsed.text)
    batches = _marker(parsed, "batches")
    if not found or batches is None or batches > 1 or not KS4_WHITENING.search(parsed.text):
        return None
    return Hit(parsed.markers["batches"].line, {
        "batches": batches, "message": "Kilosort4 cut the recording into one batch, and its whitening averages "
                                       "every batch but the last: the recording holds fewer samples than two "
                                       "batches, too few to sort with this batch_size (a smaller sorter_params."
                                       "batch_size for it, in a `recordings` override), or its sampling rate is "
                                       "far lower than the sorter's."})
