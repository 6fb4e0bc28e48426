"""Sorter parameters the sorter doesn't know, caught before any job runs.

A misspelt key (``batchsize``) would otherwise fail a canary minutes in, or be ignored. The
workflow checks at DAG time (also under ``snakemake -n``) and ``sortcanary canary`` before it
starts; a backend that lists no defaults accepts anything.
"""

from __future__ import annotations

import difflib

from ..boundary import JSONDict
from ..config import ConfigError
from ..taxonomy import SortFailure
from .sorters import resolve_backend


def check_sorter_params(sorter: str, params: JSONDict) -> None:
    """Raise ConfigError, one line naming each unknown key of ``params`` and the nearest name the
    sorter knows. An unknown sorter is left to the canary's verdict; no parameters, no import."""
    if not params:
        return
    try:
        known = resolve_backend(sorter).default_params()
    except SortFailure:
        return
    if not known:
        return
    unknown = sorted(set(params) - set(known))
    if not unknown:
        return
    hints = []
    for key in unknown:
        near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        hints.append(f"'{key}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
    raise ConfigError(f"sorter_params: {', '.join(hints)} is not a parameter of {sorter}; "
                      f"fix the key in config/config.yaml (its parameters: {', '.join(sorted(known))})")
