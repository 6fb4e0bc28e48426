"""Configuration: one schema, and defaults filled from it.

The schema (workflow/schemas/config.schema.yaml, shipped in the package through a symlink) is the
only place a default is written, and one function fills them in: the workflow validates its config
with snakemake.utils.validate, and so does ``validate_config`` (the CLI, the Python API), so the two
agree. Below the workflow and the CLI, the config is read key by key in one place only, where a
job's plan is built (sortcanary.plan: ``sortplan`` for the canary and the full sort, ``preflight``
for the preflight job); everything below the plan reads the plan (tests/test_architecture.py
checks it). (Discovery takes its own ``formats`` section.)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .boundary import JSONDict

if TYPE_CHECKING:  # imported where a violation is described: every job imports this module, and few fail
    import jsonschema

SCHEMA_PATH = Path(__file__).with_name("config.schema.yaml")

class ConfigError(ValueError):
    """A config problem, with a one-line message naming the key and the fix."""


def load_schema() -> JSONDict:
    with open(SCHEMA_PATH) as fh:
        schema: JSONDict = yaml.safe_load(fh)
    return schema


def _describe(error: jsonschema.ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance if isinstance(error.instance, Mapping) else {}) - set(schema.get("properties", {})))
        known = ", ".join(sorted(schema.get("properties", {})))
        where = f"under '{key}'" if error.absolute_path else "at the top level"
        return f"unknown config key(s) {unknown} {where}; known keys: {known}"
    rule = error.validator_value
    if error.validator == "not" and isinstance(rule, Mapping) and "description" in rule:  # a rule across keys says itself
        return str(rule["description"])
    if error.validator == "required":
        missing = error.message.split(" is ")[0].strip("'")
        name = f"{key}.{missing}" if error.absolute_path else missing
        return f"config key '{name}' is required (set it in config/config.yaml or with --config)"
    return f"config key '{key}': {error.message}"


def describe_validation_error(error: Exception) -> str:
    """One line for a schema violation, also when Snakemake wrapped it in a WorkflowError."""
    import jsonschema

    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if isinstance(current, jsonschema.ValidationError):
            return _describe(current)
        pending.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        # snakemake.utils.validate raises its WorkflowError while handling the ValidationError
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return str(error).strip().splitlines()[0]


def validate_config(cfg: JSONDict | None, *, source: str = "config") -> JSONDict:
    """Return a validated deep copy of ``cfg`` with every default filled in, by
    snakemake.utils.validate as the workflow does it.

    Raises ConfigError with one line naming the offending key and what to change.
    """
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    filled = copy.deepcopy(cfg or {})
    try:
        validate(filled, str(SCHEMA_PATH))
    except WorkflowError as err:
        raise ConfigError(f"{source}: {describe_validation_error(err)}") from None
    unshared: JSONDict = _unshared(filled)
    return unshared


def _unshared(value: Any) -> Any:  # a YAML value: a mapping, a list or a scalar
    """``value`` rebuilt with no dict or list in two places. snakemake.utils.validate fills in the
    schema's own default objects, so where a ``$ref`` repeats a section (``recordings.*.nwb_metadata``)
    one default object would fill both places, and a change to one would show in the other."""
    if isinstance(value, dict):
        return {key: _unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared(item) for item in value]
    return value


def load_config(path: str | Path | None = None, overrides: JSONDict | None = None) -> JSONDict:
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


def formats_section(formats: JSONDict | None = None) -> JSONDict:
    """A ``formats`` config section with its defaults filled in (for callers without a whole config)."""
    section: JSONDict = validate_config({"recordings_dir": ".", "formats": dict(formats or {})})["formats"]
    return section
