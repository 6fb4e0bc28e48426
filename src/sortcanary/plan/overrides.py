"""Per-recording settings: the config's ``recordings`` section, merged into one recording's config.

A batch is rarely uniform: one recording has known bad channels, another a probe file of its own,
a third must not be sorted at all. ``recordings`` maps a recording name, or a glob over names
(fnmatch, case-sensitive), to overrides; every entry that matches applies, in the order written,
later entries over earlier ones:

* ``sorter_params``: merged over the global ``sorter_params``, key by key;
* ``canary`` and ``bad_channels``: merged over the global sections;
* ``preprocessing``, ``motion`` and ``motion_preset``: the recording's recipe
  (sortcanary.plan.recipe), replacing the global one;
* ``split_by`` and ``join``: one sort per probe group (sortcanary.plan.split), one sort of a
  recording's runs joined (sortcanary.plan.join), replacing the global settings; a recording's
  groups, segments and runs take its overrides, matched by its name before the split;
* ``nwb_metadata``: laid over ``outputs.nwb_metadata`` (``merge_nwb_metadata``), so the plan's
  ``outputs`` carry this recording's subject and session facts to its NWB export;
* ``probe``: a probeinterface JSON file replacing the recording's geometry (the same
  ``RecordingEntry.probe`` the ``formats.probe`` setting fills at discovery);
* ``skip: true`` with a ``reason``: no canary and no sort; the summary lists it as skipped.

An override applies to the recordings it matches, and so does what goes wrong with it: an override
whose probe doesn't fit, or whose sorter parameter or preprocessing step is unknown, makes that recording a
problem (one line naming the key, a blocked row in the summary, no job) when the DAG is built, and
a canary or sort that the sorter fails on an override's parameter values blocks that recording
alone (``scoped_to_recording``), where the same failure on the global parameters stops the run.

``recording_config`` is the one place the merge happens; the plan (sortcanary.plan.sortplan) and
the workflow's sort identity both read its result, so a changed override changes the identity of
the recordings it matches only, and only those are sorted again.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path

from ..boundary import JSONDict
from ..recordings import Problem, RecordingEntry
from ..recordings.metadata import probe_channel_count
from ..taxonomy import BLOCK, CONFIG, Verdict
from .recipe_check import check_recipe
from .sorter_params import check_sorter_params

MERGED = ("sorter_params", "canary", "bad_channels")
RECIPE = ("preprocessing", "motion", "motion_preset")
REPLACED = (*RECIPE, "split_by", "join")
NWB_METADATA = "nwb_metadata"  # merged into outputs.nwb_metadata


def matching(cfg: JSONDict, name: str) -> list[JSONDict]:
    """The ``recordings`` entries whose name or glob matches ``name``, in the order written."""
    return [over for pattern, over in (cfg.get("recordings") or {}).items() if fnmatchcase(name, pattern)]


def recording_config(cfg: JSONDict, name: str) -> JSONDict:
    """The config as it applies to recording ``name``: the global one with its overrides merged in,
    plus ``override``: the merged ``probe``/``skip``/``reason`` ({} when nothing matches)."""
    found = matching(cfg, name)
    if not found:
        return {**cfg, "override": {}}
    effective = copy.deepcopy(cfg)
    override: JSONDict = {}
    for over in found:
        for key in MERGED:
            effective[key].update(copy.deepcopy(over.get(key) or {}))
        effective.update({k: copy.deepcopy(over[k]) for k in REPLACED if k in over})
        if over.get(NWB_METADATA):
            outputs = effective["outputs"]
            outputs[NWB_METADATA] = merge_nwb_metadata(outputs[NWB_METADATA], over[NWB_METADATA])
        override.update({k: v for k, v in over.items() if k not in (*MERGED, *REPLACED, NWB_METADATA)})
    if override.get("probe"):
        override["probe"] = str(Path(override["probe"]).expanduser().absolute())
    effective["override"] = override
    return effective


def merge_nwb_metadata(base: JSONDict, over: JSONDict) -> JSONDict:
    """``base`` (an ``outputs.nwb_metadata`` section) with a recording's ``nwb_metadata`` laid over
    it, key by key inside ``subject``. A null or empty value is unset and keeps the base value:
    the schema fills every key of an override with such a default."""
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if key == "subject":
            merged["subject"] = {**merged.get("subject", {}), **{k: v for k, v in (value or {}).items() if v}}
        elif value:
            merged[key] = copy.deepcopy(value)
    return merged


def overridden_recordings(cfg: JSONDict, recordings: dict[str, RecordingEntry]) -> tuple[dict[str, JSONDict], list[Problem]]:
    """(recording name -> its config (``recording_config``), for the recordings an override
    matches and can be applied to; a Problem for each recording it can't: a probe that doesn't
    fit (probe_config_error), a sorter parameter the sorter doesn't know (sorter_params_invalid) or
    a preprocessing step or parameter SpikeInterface doesn't know (preprocessing_invalid), named in
    one line). ({}, []) at once without overrides: a 10,000-recording DAG pays nothing."""
    if not cfg.get("recordings"):
        return {}, []
    # A segment of a multi-segment folder takes its folder's overrides (RecordingEntry.config_name).
    found = {name: recording_config(cfg, e.config_name) for name, e in recordings.items() if matching(cfg, e.config_name)}
    problems = []
    checked: dict[str, str | None] = {}  # the parameters checked -> what is wrong with them
    for name, effective in list(found.items()):
        params = json.dumps(effective["sorter_params"], sort_keys=True, default=str)
        patterns = ", ".join(p for p in cfg["recordings"] if fnmatchcase(recordings[name].config_name, p))
        try:
            with_probe(recordings[name], effective["override"])
        except ValueError as err:
            problems.append(Problem(name, recordings[name].path, f"recordings ({patterns}): {err}",
                                    error_class="probe_config_error"))
            del found[name]
            continue
        recipe = "recipe:" + json.dumps([effective.get(k) for k in RECIPE], sort_keys=True, default=str)
        found_errors = (
            (_checked_once(checked, params, partial(check_sorter_params, effective["sorter"], effective["sorter_params"])),
             "sorter_params_invalid"),
            (_checked_once(checked, recipe, partial(check_recipe, effective)), "preprocessing_invalid"))
        for error, error_class in found_errors:
            if error:
                problems.append(Problem(name, recordings[name].path, f"recordings ({patterns}): {error}",
                                        error_class=error_class))
                del found[name]
                break
    return found, problems


def _checked_once(checked: dict[str, str | None], key: str, check: Callable[[], None]) -> str | None:
    """What ``check`` raised (a ValueError) for ``key``, or None; run once per distinct key, since
    many recordings share one override's parameters and checking them imports the sorter."""
    if key not in checked:
        try:
            check()
            checked[key] = None
        except ValueError as err:
            checked[key] = str(err)
    return checked[key]


def scoped_to_recording(verdict: Verdict, cfg: JSONDict, name: str) -> Verdict:
    """The sorter's rejection of parameters that a ``recordings`` override sets for ``name`` is that
    recording's alone: the others sort with other parameters, so it blocks this recording (policy
    block, not the run-wide stop of the same failure on the global parameters), and its remediation
    names the override. Any other verdict is returned unchanged."""
    if verdict.error_class != "sorter_params_invalid":
        return verdict
    keys = [f"recordings.{pattern}.sorter_params" for pattern, over in (cfg.get("recordings") or {}).items()
            if fnmatchcase(name, pattern) and over.get("sorter_params")]
    if not keys:
        return verdict
    return replace(verdict, policy=BLOCK, evidence={**verdict.evidence, "overrides": keys},
                   remediation=f"Fix {' / '.join(keys)} in {CONFIG}: use only parameter names and values the sorter "
                   "accepts (the other recordings are not affected).")


def skipped(overridden: dict[str, JSONDict]) -> dict[str, str]:
    """Recording -> the reason it is skipped, for every recording a ``skip: true`` override matches."""
    return {name: cfg["override"]["reason"] for name, cfg in overridden.items() if cfg["override"].get("skip")}


def unmatched(cfg: JSONDict, recordings: dict[str, RecordingEntry]) -> list[str]:
    """The ``recordings`` keys that match no discovered recording (a typo, a recording gone)."""
    names = {*recordings, *(entry.config_name for entry in recordings.values())}
    return [pattern for pattern in cfg.get("recordings") or {} if not any(fnmatchcase(n, pattern) for n in names)]


def with_probe(entry: RecordingEntry, override: JSONDict) -> RecordingEntry:
    """The recording with the override's probe file as its geometry, checked against its channel
    count; the probe file joins its files, so editing it changes the sort's identity too."""
    path = override.get("probe")
    if not path or entry.probe == path:  # a probe group's entry has its recording's probe already (plan.split)
        return entry
    if not Path(path).is_file():
        raise ValueError(f"the probe names {path}, which does not exist; fix the path")
    contacts = probe_channel_count(Path(path))
    if contacts != entry.num_channels:
        raise ValueError(f"the probe ({Path(path).name}) has {contacts} contacts but "
                         f"the recording has {entry.num_channels} channels; give one contact per channel")
    return replace(entry, probe=path, input_files=(*entry.input_files, path))
