"""Configuration: one schema, defaults filled from it, and the canary's derived copy.

The schema (workflow/schemas/config.schema.yaml, shipped in the package through a symlink) is the
only place a default is written, so the workflow (snakemake.utils.validate) and the CLI agree.
The live config is never mutated: the canary works on a deep copy with its overrides applied.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).with_name("config.schema.yaml")

# Canary inactivity base: long enough for KS4's start-up on a slow node, short enough that a hung
# canary is noticed in minutes: min(300, max(120, 4 x window)).
CANARY_INACTIVITY_FLOOR_S = 120.0
CANARY_INACTIVITY_CEILING_S = 300.0


class ConfigError(ValueError):
    """A config problem, with a one-line message naming the key and the fix."""


def load_schema() -> dict:
    with open(SCHEMA_PATH) as fh:
        return yaml.safe_load(fh)


def _defaults_filling_validator():
    """A Draft 2020-12 validator (the one Snakemake uses) that writes each property's default into the instance while validating
    (the jsonschema recipe snakemake.utils.validate uses too)."""
    base = jsonschema.Draft202012Validator
    validate_properties = base.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(base, {"properties": set_defaults})


def _describe(error: jsonschema.ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        known = ", ".join(sorted(error.schema.get("properties", {})))
        where = f"under '{key}'" if error.absolute_path else "at the top level"
        return f"unknown config key(s) {unknown} {where}; known keys: {known}"
    if error.validator == "not" and "description" in error.validator_value:  # a rule across keys says itself
        return error.validator_value["description"]
    if error.validator == "required":
        return f"config key {error.message.split(' is ')[0]} is required (set it in config/config.yaml or with --config)"
    return f"config key '{key}': {error.message}"


def describe_validation_error(error: Exception) -> str:
    """One line for a schema violation, also when Snakemake wrapped it in a WorkflowError."""
    pending = [error]
    while pending:
        current = pending.pop()
        if isinstance(current, jsonschema.ValidationError):
            return _describe(current)
        pending.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        # snakemake.utils.validate raises its WorkflowError while handling the ValidationError
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return str(error).strip().splitlines()[0]


def validate_config(cfg: dict | None, *, source: str = "config") -> dict:
    """Return a validated deep copy of ``cfg`` with every default filled in.

    Raises ConfigError with one line naming the offending key and what to change.
    """
    filled = copy.deepcopy(cfg or {})
    validator = _defaults_filling_validator()(load_schema())
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError(f"{source}: {_describe(errors[0])}")
    return filled


def load_config(path: str | Path | None = None, overrides: dict | None = None) -> dict:
    """Read a YAML config file (optional), apply overrides, validate and fill defaults."""
    cfg: dict[str, Any] = {}
    source = "config"
    if path is not None:
        source = str(path)
        try:
            with open(path) as fh:
                loaded = yaml.safe_load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found; pass an existing YAML file") from None
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(f"{path}: not valid YAML ({first}); fix the syntax") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: a config must be a YAML mapping of keys, not {type(loaded).__name__}")
        cfg = loaded
    for key, value in (overrides or {}).items():
        cfg[key] = value
    return validate_config(cfg, source=source)


@dataclass(frozen=True)
class Window:
    """The part of a recording the canary sorts: [start_s, start_s + duration_s)."""

    start_s: float
    duration_s: float
    clamped: bool = False  # the recording was shorter than the requested window

    def frames(self, sampling_frequency: float, num_samples: int) -> tuple[int, int]:
        start = min(int(round(self.start_s * sampling_frequency)), num_samples)
        end = min(start + int(round(self.duration_s * sampling_frequency)), num_samples)
        return start, end

    def as_dict(self) -> dict:
        return {"start_s": self.start_s, "duration_s": self.duration_s, "clamped": self.clamped}


def canary_enabled(window_s: float | None) -> bool:
    """A window that is missing, NaN or <= 0 disables the canary."""
    return window_s is not None and not math.isnan(window_s) and window_s > 0


def canary_window(window_s: float | None, duration_s: float) -> Window | None:
    """The leading window to sort, or None when the canary is disabled.

    A recording shorter than the window is sorted whole, and the window says so (clamped=True).
    """
    if not canary_enabled(window_s):
        return None
    if duration_s <= window_s:
        return Window(0.0, float(duration_s), clamped=True)
    return Window(0.0, float(window_s))


def confirmation_windows(window_s: float, duration_s: float, count: int) -> list[Window]:
    """Further windows to confirm a biological verdict, starting at 1/2, 3/4, 7/8... of the recording.

    A quiet start (electrode settling, a late injection) must not condemn a whole recording.
    Windows that would overlap the previous one are skipped: a recording too short for all of
    them is judged on what it has.
    """
    windows: list[Window] = []
    previous_end = min(window_s, duration_s)
    for k in range(1, count + 1):
        start = duration_s * (1.0 - 0.5**k)
        if start < previous_end:
            continue
        length = min(window_s, duration_s - start)
        windows.append(Window(round(start, 6), round(length, 6), clamped=length < window_s))
        previous_end = start + length
    return windows


def canary_inactivity_base_s(window_s: float) -> float:
    return min(CANARY_INACTIVITY_CEILING_S, max(CANARY_INACTIVITY_FLOOR_S, 4.0 * window_s))


# Sorter parameters the canary changes so that the sorter judges the *whole* window. Kilosort4
# extracts templates from every nskip-th batch (25 by default, a batch being 2 s at 30 kHz): a
# 30 s canary would be judged on its first batch alone. The full sort keeps the user's settings.
CANARY_SORTER_OVERRIDES = {"nskip": 1}


def canary_config(cfg: dict, sorter_defaults: dict | None = None) -> dict:
    """The canary's config: a deep copy of the live config with the canary overrides.

    Same sorter, parameters, device *and post-sort outputs* as the full sort (that is the point
    of a canary: an exporter that can't run must fail in minutes, not after hours of sorting), but
    no preflight (the workflow ran it once already), an inactivity timeout sized for a short
    window, and the sorter parameters that make it look at all of the window
    (``CANARY_SORTER_OVERRIDES``, for the sorters whose defaults (``sorter_defaults``) have them).
    With ``canary.exercise_outputs: false`` the post-sort outputs are switched off instead.
    """
    derived = copy.deepcopy(cfg)
    for name, value in CANARY_SORTER_OVERRIDES.items():
        if name in (sorter_defaults or {}):
            derived["sorter_params"][name] = value
    if not derived.get("canary", {}).get("exercise_outputs", True):
        derived["outputs"] = outputs_switched_off(derived.get("outputs", {}))
    derived.setdefault("preflight", {})["enabled"] = False
    window_s = derived.get("canary", {}).get("window_s", 0)
    if canary_enabled(window_s):
        derived.setdefault("inactivity", {})["base_s"] = canary_inactivity_base_s(window_s)
    return derived


def outputs_switched_off(outputs: dict) -> dict:
    """A copy of an ``outputs`` section with every output off and its settings kept, so code that
    reads e.g. ``outputs.curation.min_snr`` works on the canary's config too."""
    off = copy.deepcopy(outputs)
    off.setdefault("curation", {})["enabled"] = False
    off["exporters"] = {name: False for name in off.get("exporters", {})}
    off["figures"] = False
    off["report"] = False
    return off


def inactivity_timeout_s(cfg: dict, recording_s: float) -> float:
    """Seconds without log growth after which the sorter is stopped."""
    rule = cfg["inactivity"]
    return min(rule["max_s"], rule["base_s"] + rule["per_min_s"] * recording_s / 60.0)
