"""The recipe's chain, built in the sorter's child on the opened recording: the canary's window and
the full sort get their traces the same way, and a chain that cannot run fails in seconds.

Order: open -> (a probe group or joined runs: issue #29) -> preprocessing steps -> the plan's
window -> motion. The steps see the whole recording, so a filter's margins are real samples and a
bad-channel detection samples the whole recording, as in the full sort; then the window is cut;
motion is estimated on what is sorted.

Each step is applied alone with ``apply_preprocessing_pipeline`` (list form), so a step that
refuses the recording (a band-pass above Nyquist, a parameter of the wrong kind) is named in the
verdict: ``preprocessing_invalid``, environment, this recording only. A few samples are then read
through every step before the sorter starts, for the steps that fail only when traces flow.
What depends on this recording is decided here and noted: a ``phase_shift`` on a recording
without ``inter_sample_shift`` (only Neuropixels acquisitions carry it) is dropped; a step that
samples randomly and was given no ``seed`` gets seed 0, so that the sort, its report and a rebuilt
report all see the same bad channels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..boundary import JSONDict, Recording
from ..layout import IN_SORTED
from ..plan.recipe import HIGHPASS_STEPS, Recipe
from ..recordings import Window
from ..taxonomy import SortFailure, verdict_for

log = logging.getLogger("sortcanary")

PROBE_S = 0.1  # seconds read through each step before the sorter starts
SEED = 0
DETECTING = ("detect_and_remove_bad_channels", "detect_and_interpolate_bad_channels")


@dataclass
class Chain:
    """What the recipe made of a recording, and the record of it (``record``: JSON-able)."""

    recording: Recording
    steps: list[tuple[int, str, Recording]] = field(default_factory=list)  # (index, name, the recording after it)
    record: JSONDict = field(default_factory=dict)
    bad_channels: JSONDict | None = None  # {reason: [channel ids]} from the chain's detection; None without one
    channels_before: int = 0


def _invalid(index: int, name: str, exc: Exception, params: JSONDict) -> SortFailure:
    return SortFailure(verdict_for(
        "preprocessing_invalid", step=name, step_index=index + 1, params=params, exception=type(exc).__name__,
        message=f"preprocessing step {index + 1} ({name}) cannot run on this recording: "
        f"{type(exc).__name__}: {str(exc)[:400]}"))


def _detected(recording: Recording) -> dict[str, list[str]]:
    """{reason: [channel ids]} of a detect_and_*_bad_channels step's output. SpikeInterface keeps the
    detection in the recording's own kwargs (what it saves and reloads), not behind a method."""
    kwargs = recording._kwargs  # the detection result lives only there
    bad = [str(c) for c in kwargs.get("bad_channel_ids", [])]
    labels = kwargs.get("channel_labels")
    parent = [str(c) for c in kwargs["recording"].get_channel_ids()]
    if labels is None:
        return {"bad": bad} if bad else {}
    found: dict[str, list[str]] = {}
    for channel, label in zip(parent, labels, strict=True):
        if channel in bad:
            found.setdefault(str(label), []).append(channel)
    return found


def build_chain(recording: Recording, recipe: Recipe) -> Chain:
    """Apply the recipe's steps to the opened ``recording``; raise SortFailure naming a step that
    cannot run on it."""
    from spikeinterface.preprocessing import apply_preprocessing_pipeline

    from ..plan.recipe_check import step_parameters

    chain = Chain(recording, channels_before=recording.get_num_channels())
    applied, notes = [], []
    for index, step in enumerate(recipe.steps):
        name, params = step["name"], dict(step["params"])
        if name == "phase_shift" and "inter_sample_shift" not in params and \
                recording.get_property("inter_sample_shift") is None:
            notes.append("phase_shift dropped: the recording has no inter_sample_shift property (only Neuropixels "
                         "acquisitions record the ADC's sampling offsets); there is nothing to correct")
            continue
        if "seed" in (step_parameters(name) or ()) and "seed" not in params:
            params["seed"] = SEED
        try:
            recording = apply_preprocessing_pipeline(recording, [{"name": name, "params": dict(params)}])
        except Exception as exc:  # whatever the step raised, the verdict names the step
            raise _invalid(index, name, exc, params) from exc
        applied.append({"name": name, "params": params})
        chain.steps.append((index, name, recording))
        if name in DETECTING:
            chain.bad_channels = _detected(recording)
    chain.recording = recording
    chain.record = {"preset": recipe.preset, "steps": applied, "notes": [*recipe.notes, *notes],
                    "motion": recipe.motion}
    return chain


def read_through(chain: Chain, window_of: Callable[[Recording, Window | None], Recording],
                 window: Window | None) -> None:
    """Read PROBE_S seconds of the plan's window through every step, in order; the first that fails
    is named (some steps only fail when traces flow: a wrong dtype, an array of the wrong shape)."""
    for index, name, recording in chain.steps:
        part = window_of(recording, window)
        try:
            part.get_traces(start_frame=0, end_frame=min(part.get_num_samples(), int(PROBE_S * part.sampling_frequency)))
        except Exception as exc:  # as in build_chain
            raise _invalid(index, name, exc, {}) from exc


def with_motion(recording: Recording, recipe: Recipe, dest: Path, job_kwargs: JSONDict, record: JSONDict, *,
                saved: bool = False) -> Recording:
    """The recording as the sorter gets it under ``motion: compute`` or ``apply``, the estimate saved
    in ``dest`` (IN_SORTED["motion"]) for the report; ``saved``: read that estimate instead of
    estimating again (the post-sort step). Without a high-pass in the chain, the estimate is made
    on a 300 Hz high-passed view (its peaks need the spike band); the traces sorted stay the chain's."""
    if recipe.motion == "kilosort":
        return recording
    import spikeinterface.preprocessing as spre
    from spikeinterface.core import Motion
    from spikeinterface.preprocessing.motion import motion_options_preset
    from spikeinterface.sortingcomponents.motion import interpolate_motion

    folder = dest / IN_SORTED["motion"]
    if saved:
        motion = Motion.load(folder / "motion") if (folder / "motion").is_dir() else None
    else:
        from ..plan.numba_cache import RECIPE_PACKAGES, cache_by_default

        cache_by_default(RECIPE_PACKAGES)  # the peak detection the estimate compiles: once per batch, not per job
        filtered = any(s["name"] in HIGHPASS_STEPS for s in record.get("steps", ()))
        view = recording if filtered else spre.highpass_filter(recording, freq_min=300.0)
        try:
            motion = spre.compute_motion(view, preset=recipe.motion_preset, folder=folder, overwrite=True,
                                         **job_kwargs)
        except Exception as exc:  # a failed estimate is the recipe's
            if recipe.motion == "apply":
                raise _motion_invalid(recipe, "estimate", exc) from exc
            record["notes"].append(f"SpikeInterface's motion estimate ({recipe.motion_preset}) failed: "
                                   f"{type(exc).__name__}: {str(exc)[:200]}; the sorter corrects drift itself")
            return recording
    if motion is not None:
        displacement = np.concatenate([np.ravel(d) for d in motion.displacement])
        record["motion_estimate"] = {"preset": recipe.motion_preset, "folder": IN_SORTED["motion"],
                                     "max_abs_um": round(float(np.abs(displacement).max()), 2),
                                     "spatial_bins": len(motion.spatial_bins_um)}
    if recipe.motion != "apply" or motion is None:
        return recording
    interpolation = motion_options_preset[recipe.motion_preset]["interpolate_motion_kwargs"]
    corrected = interpolate_motion(recording, motion, **interpolation)
    try:  # as read_through: a few samples before the sorter starts
        corrected.get_traces(start_frame=0, end_frame=min(corrected.get_num_samples(),
                                                          int(PROBE_S * corrected.sampling_frequency)))
    except Exception as exc:  # as in build_chain
        raise _motion_invalid(recipe, "interpolation", exc) from exc
    return corrected


def _motion_invalid(recipe: Recipe, what: str, exc: Exception) -> SortFailure:
    return SortFailure(verdict_for(
        "preprocessing_invalid", step="motion", exception=type(exc).__name__,
        message=f"motion {what} ({recipe.motion_preset}) cannot run on this recording: "
        f"{type(exc).__name__}: {str(exc)[:400]}"))
