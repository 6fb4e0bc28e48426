"""A recipe's names, checked when the workflow builds its DAG (also under ``snakemake -n``).

A misspelt step or parameter would otherwise fail a canary minutes in, or, worse, be ignored:
SpikeInterface's ``apply_preprocessing_pipeline`` reads a step's ``params`` and silently drops
anything else, including the ``kwargs`` key its own docstring example uses. Each problem is one
line naming the step and the nearest valid name (difflib). Values are not checked here: a value
the step refuses (a band-pass above Nyquist) depends on the recording, and the canary catches it
in seconds (sortcanary.runner.chain, ``preprocessing_invalid``).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable

from ..boundary import JSONDict
from ..config import ConfigError
from .recipe import PRESETS

CONFIG = "config/config.yaml"
# Steps whose **kwargs SpikeInterface hands on to another function, whose parameters they accept.
# The other steps with **kwargs (center, whiten, zscore, normalize_by_quantile, silence_periods)
# pass them to its random-chunk sampling, whose keys depend on the method: they are not checked.
FORWARDED = {"detect_and_remove_bad_channels": "detect_bad_channels",
             "detect_and_interpolate_bad_channels": "detect_bad_channels",
             "highpass_filter": "filter", "bandpass_filter": "filter", "notch_filter": "filter"}
NOT_PARAMETERS = ("recording", "parent_recording")


def _nearest(name: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def _signature_names(function: Callable[..., object]) -> tuple[set[str], bool]:
    """A function's keyword parameters (the recording and private ones left out), and whether
    it takes **kwargs."""
    parameters = inspect.signature(function).parameters.values()
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
             and p.name not in NOT_PARAMETERS and not p.name.startswith("_")}
    return names, any(p.kind == p.VAR_KEYWORD for p in parameters)


def step_parameters(name: str) -> set[str] | None:
    """The parameters a pipeline step accepts; None when it takes keywords it does not list."""
    import spikeinterface.preprocessing as spre
    from spikeinterface.preprocessing.pipeline import pp_names_to_functions

    names, open_ended = _signature_names(pp_names_to_functions[name])
    if not open_ended:
        return names
    if name not in FORWARDED:
        return None
    forwarded, _ = _signature_names(getattr(spre, FORWARDED[name]))
    return names | forwarded


def check_preprocessing(preprocessing: str | list[JSONDict], where: str = "preprocessing") -> None:
    """Raise ConfigError with one line when ``preprocessing`` (a preset name or a list of steps)
    names a preset, step or parameter SpikeInterface does not know, or uses ``kwargs``."""
    if isinstance(preprocessing, str):
        if preprocessing not in PRESETS:
            raise ConfigError(f"{where}: '{preprocessing}' is not a preset{_nearest(preprocessing, PRESETS)}; "
                              f"use one of {', '.join(PRESETS)} or a list of steps in {CONFIG}")
        return
    if not preprocessing:
        return
    from spikeinterface.preprocessing.pipeline import pp_names_to_functions

    for index, step in enumerate(preprocessing):
        at = f"{where}[{index}]"
        name = step.get("name") if isinstance(step, dict) else None
        if not isinstance(name, str):
            raise ConfigError(f"{at}: a step is a mapping with a 'name' (and 'params'); fix it in {CONFIG}")
        if "kwargs" in step:
            raise ConfigError(f"{at} ({name}): 'kwargs' is ignored by SpikeInterface's pipeline; put the step's "
                              f"parameters under 'params' in {CONFIG}")
        extra = sorted(set(step) - {"name", "params"})
        if extra:
            raise ConfigError(f"{at} ({name}): unknown key(s) {extra}; a step has 'name' and 'params' only")
        if name not in pp_names_to_functions:
            raise ConfigError(f"{at}: '{name}' is not a SpikeInterface preprocessing step"
                              f"{_nearest(name, pp_names_to_functions)}; fix the name in {CONFIG}")
        params = step.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{at} ({name}): 'params' must be a mapping of parameter names to values")
        known = step_parameters(name)
        unknown = sorted(set(params) - known) if known is not None else []
        if unknown and known is not None:
            raise ConfigError(f"{at} ({name}): '{unknown[0]}' is not a parameter of {name}"
                              f"{_nearest(unknown[0], known)}; its parameters: {', '.join(sorted(known))}")


def check_recipe(cfg: JSONDict, where: str = "") -> None:
    """The recipe keys of a config (global, or one recording's merged one) checked; ``where``
    prefixes the key (``recordings (name): ``)."""
    check_preprocessing(cfg.get("preprocessing", "none"), f"{where}preprocessing")
