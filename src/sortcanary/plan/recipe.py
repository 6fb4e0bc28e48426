"""The lab's sorting recipe: what is done to the traces before the sorter sees them.

A recipe is three settings of the config (and of each recording's overrides):

* ``preprocessing``: a preset name or a list of SpikeInterface preprocessing steps
  ``{name: ..., params: {...}}``, applied in order with
  ``spikeinterface.preprocessing.apply_preprocessing_pipeline`` in its list form;
* ``motion``: ``kilosort`` (the sorter corrects drift itself), ``compute`` (SpikeInterface
  estimates motion with ``motion_preset`` for the report; the sorter still corrects), or
  ``apply`` (SpikeInterface corrects the traces, the sorter's own correction is off);
* ``bad_channels.max_fraction``: the canary blocks a recording with more bad channels than this.

The recipe is part of the job plan (``SortPlan.recipe``), so the canary rehearses exactly the chain
the full sort will run, and part of the sort identity when it is not the default, so changing it
makes ``resort_on_change`` apply while finished sorts made without one keep their identity.

What a recipe is *not*: which traces are sorted. Selecting a probe group or joining a session's
runs (issue #29) happens before the recipe, on the opened recording (open -> select or join ->
recipe -> window), and belongs beside it in the plan, not in it. Decisions that depend on the
traces sorted (a ``phase_shift`` on a recording without ``inter_sample_shift``, a probe too short
for the sorter's drift correction) are taken where the recording is opened (sortcanary.runner.chain)
and recorded as notes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields

from ..boundary import JSONDict

# SpikeLab, the canary's origin, band-passes before Kilosort4. The Neuropixels chain is the Allen
# Institute's (aind-ephys-preprocessing, "cmr" denoising): phase shift, high-pass, bad-channel
# detection (IBL's coherence+psd, their thresholds) and removal, global median reference. The
# high-pass margin is left to SpikeInterface ("auto": three periods of the cutoff): the Allen
# pipeline's 5 ms draws SpikeInterface 0.105's warning of artefacts at chunk edges.
PRESETS: dict[str, tuple[JSONDict, ...]] = {
    "none": (),
    "bandpass": ({"name": "bandpass_filter", "params": {"freq_min": 300.0, "freq_max": 6000.0}},),
    "neuropixels": (
        {"name": "phase_shift", "params": {"margin_ms": 100.0}},
        {"name": "highpass_filter", "params": {"freq_min": 300.0}},
        {"name": "detect_and_remove_bad_channels", "params": {
            "method": "coherence+psd", "dead_channel_threshold": -0.5, "noisy_channel_threshold": 1.0,
            "outside_channel_threshold": -0.3, "outside_channels_location": "top", "n_neighbors": 11, "seed": 0}},
        {"name": "common_reference", "params": {"reference": "global", "operator": "median"}},
    ),
}
DEFAULT_PRESET = "none"
DEFAULT_MOTION = "kilosort"
MOTION_MODES = ("kilosort", "compute", "apply")

# Steps whose output the sorter would otherwise compute again, and what is switched off in the
# sorter for them. Kilosort4 (4.1.7) high-passes (3rd-order Butterworth, zero phase,
# `highpass_cutoff`, 300 Hz), takes a common average reference (`do_CAR`), whitens, and corrects drift:
# * a reference in the chain: Kilosort4's CAR is switched off (nothing is referenced twice);
# * a high-pass in the chain (highpass_filter, bandpass_filter): Kilosort4's own filter cannot be
#   switched off alone (`skip_kilosort_preprocessing` also skips its whitening, which its template
#   matching relies on: SpikeInterface #1603, #2697), so its cutoff is moved to a third of the chain's,
#   where a 3rd-order Butterworth passes the chain's band unchanged (-0.01 dB at the chain's edge)
#   instead of filtering it a second time (SpikeInterface #4007 suggests the same, 100 Hz under a
#   300 Hz band-pass);
# * whitening in the chain: nothing; Kilosort4 whitening white data is close to the identity;
# * motion: apply: Kilosort4's drift correction is switched off (`do_correction`).
REFERENCE_STEPS = ("common_reference",)
HIGHPASS_STEPS = ("highpass_filter", "bandpass_filter")
HIGHPASS_FACTOR = 3.0


@dataclass(frozen=True)
class Recipe:
    """The resolved recipe of one job: plain values, written into plan.json with the plan."""

    steps: tuple[JSONDict, ...] = ()  # SpikeInterface preprocessing steps, in order: {"name", "params"}
    preset: str | None = DEFAULT_PRESET  # the preset named in the config; None for a list of steps
    motion: str = DEFAULT_MOTION
    motion_preset: str = "dredge_fast"
    max_bad_fraction: float = 0.5
    notes: tuple[str, ...] = ()  # what the plan changed in the sorter for it, and why
    drift_bin_um: float | None = None  # the sorter's drift-estimate depth bin, when it corrects drift itself

    @property
    def active(self) -> bool:
        """Does the child have anything to build or estimate (a step, or motion to compute)?"""
        return bool(self.steps) or self.motion != DEFAULT_MOTION

    @property
    def changes_traces(self) -> bool:
        """Does the sorter get other traces than the recording's own (a step, or motion applied)?"""
        return bool(self.steps) or self.motion == "apply"

    def as_dict(self) -> JSONDict:
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}
        return {**data, "steps": list(data["steps"]), "notes": list(data["notes"])}

    @classmethod
    def from_dict(cls, data: JSONDict | None) -> Recipe:
        data = dict(data or {})
        data["steps"] = tuple(data.get("steps", ()))
        data["notes"] = tuple(data.get("notes", ()))
        return cls(**data)


def resolve_steps(preprocessing: str | list[JSONDict]) -> tuple[JSONDict, ...]:
    """The steps of a preset name or of a list, each as ``{"name", "params"}`` (deep copies)."""
    if isinstance(preprocessing, str):
        return copy.deepcopy(PRESETS[preprocessing])
    return tuple({"name": step["name"], "params": copy.deepcopy(step.get("params") or {})}
                 for step in preprocessing or ())


def recipe_identity(cfg: JSONDict) -> JSONDict:
    """The recipe's part of the sort identity: nothing for the default recipe (so that finished
    sorts made before recipes existed keep their identity), else the steps and the motion mode.
    ``bad_channels`` is left out: it decides whether the canary blocks, not what a sort holds."""
    identity: JSONDict = {}
    steps = resolve_steps(cfg.get("preprocessing", DEFAULT_PRESET))
    if steps:
        identity["preprocessing"] = [dict(s) for s in steps]
    motion = cfg.get("motion", DEFAULT_MOTION)
    if motion != DEFAULT_MOTION:
        identity["motion"] = {"mode": motion, "preset": cfg["motion_preset"]}
    return identity


def plan_recipe(cfg: JSONDict) -> Recipe:
    """The recipe a job's config (one recording's, overrides merged) asks for."""
    preprocessing = cfg.get("preprocessing", DEFAULT_PRESET)
    return Recipe(steps=resolve_steps(preprocessing), preset=preprocessing if isinstance(preprocessing, str) else None,
                  motion=cfg.get("motion", DEFAULT_MOTION), motion_preset=cfg.get("motion_preset", "dredge_fast"),
                  max_bad_fraction=float(cfg.get("bad_channels", {}).get("max_fraction", 0.5)))


def sorter_switches(recipe: Recipe, defaults: JSONDict, params: JSONDict) -> tuple[JSONDict, tuple[str, ...]]:
    """What to switch off in the sorter because the recipe already does it (see above), for a
    sorter with those parameters (Kilosort4's), and a note for each. A parameter the config's
    ``sorter_params`` sets itself is left as set, with a note saying the chain does it too."""
    wanted: dict[str, tuple[object, str]] = {}
    names = [s["name"] for s in recipe.steps]
    if "do_CAR" in defaults and any(n in REFERENCE_STEPS for n in names):
        wanted["do_CAR"] = (False, "the chain's common_reference already references")
    highpass = [float(s["params"].get("freq_min", 300.0)) for s in recipe.steps if s["name"] in HIGHPASS_STEPS]
    if "highpass_cutoff" in defaults and highpass:
        cutoff = round(max(highpass) / HIGHPASS_FACTOR, 3)
        current = params["highpass_cutoff"] if "highpass_cutoff" in params else defaults["highpass_cutoff"]
        if cutoff < float(current):
            why = f"the chain already high-passes at {max(highpass):g} Hz; the sorter's filter now passes that band"
            wanted["highpass_cutoff"] = (cutoff, why)
    if "do_correction" in defaults and recipe.motion == "apply":
        wanted["do_correction"] = (False, "SpikeInterface corrects motion (motion: apply)")
    switches, notes = {}, []
    for key, (value, why) in wanted.items():
        if key in params:
            if params[key] != value:
                notes.append(f"sorter_params.{key}={params[key]!r} is kept as set, though {why}")
            continue
        switches[key] = value
        notes.append(f"{key}={value!r}: {why}")
    return switches, tuple(notes)


# Kilosort4 (4.1.7, kilosort.datashift.align_block2) estimates drift by rolling each batch's
# depth-by-amplitude fingerprint by up to DRIFT_SEARCH_BINS bins of `binning_depth` µm. On a probe
# whose fingerprint has no more bins than that (1 + ceil((vertical span + 1) / binning_depth) <= 15:
# less than 70 µm of depth at the default 5 µm), a roll by the bin count is no roll at all, the tie
# goes to the most negative shift, and the estimate runs away (-630 µm on a 60 µm probe, measured):
# every spike is moved off the probe and the sort fails as if the recording were silent
# ("Found array with 0 sample(s) ... TruncatedSVD"). Measured on generated recordings: 4 and 8
# channels spanning 60 µm fail with drift correction and sort without; 80 µm and more sort.
DRIFT_SEARCH_BINS = 15


def drift_bin_um(defaults: JSONDict, params: JSONDict) -> float | None:
    """The depth bin of the sorter's own drift estimate, when it makes one (Kilosort4 with its
    correction on), for the child's check of the probe's span (``drift_span_too_short``)."""
    if "do_correction" not in defaults or "binning_depth" not in defaults:
        return None
    if not params.get("do_correction", defaults["do_correction"]) or not params.get("nblocks", defaults.get("nblocks", 1)):
        return None
    return float(params["binning_depth"] if "binning_depth" in params else defaults["binning_depth"])


def drift_span_too_short(span_um: float, bin_um: float) -> bool:
    """Is a probe of this vertical span too short for Kilosort4's drift estimate (see above)?"""
    import math

    return 1 + math.ceil((span_um + 1.0) / bin_um) <= DRIFT_SEARCH_BINS
