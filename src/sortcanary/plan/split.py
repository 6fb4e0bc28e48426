"""``split_by: group``: a recording becomes one recording per probe group, before any job exists.

Labs sort multi-shank probes per shank, so that each shank gets its own drift estimate (Kilosort
#848, #943). The split is made where the DAG is built, from the probe's metadata
(sortcanary.recordings.groups): each group is a ``RecordingEntry`` of its own, named
``<recording>__g<k>``, so it gets its own canary, sort, results, verdicts and summary row through
the same rules as any recording. It keeps the recording's files (a changed file re-runs every
group) and carries the recording's name as ``parent``: the config's ``recordings`` overrides
match that name and apply to every group, and the views gather the groups under it. A group too
short for the sorter's drift estimate is sorted without it, with a note, by the same check as any
short probe (sortcanary.runner.child._sorter_params).
"""

from __future__ import annotations

from dataclasses import replace

from ..boundary import JSONDict
from ..recordings import Problem, RecordingEntry
from ..recordings.entry import EntryError, group_name
from .overrides import with_probe


def _split_by(cfg: JSONDict, overridden: dict[str, JSONDict], name: str) -> str:
    return str((overridden.get(name) or cfg).get("split_by", "none"))


def split_groups(cfg: JSONDict, recordings: dict[str, RecordingEntry], overridden: dict[str, JSONDict]
                 ) -> tuple[dict[str, RecordingEntry], dict[str, JSONDict], list[Problem]]:
    """(the recordings with each one that ``split_by: group`` applies to replaced by its groups,
    the per-recording configs with each group given its recording's, a Problem for each recording
    whose groups can't be read or whose group names are taken). A recording of one group stays
    whole, under its own name. Nothing is read without ``split_by: group`` anywhere."""
    if cfg.get("split_by", "none") == "none" and all(c.get("split_by", "none") == "none" for c in overridden.values()):
        return recordings, overridden, []
    from ..recordings.groups import channel_groups

    split: dict[str, RecordingEntry] = {}
    configs = dict(overridden)
    problems: list[Problem] = []
    for name, entry in recordings.items():
        if _split_by(cfg, overridden, name) != "group":
            split[name] = entry
            continue
        try:  # a `recordings` override's probe is the geometry the job opens: its groups are the ones
            probed = with_probe(entry, (overridden.get(name) or {}).get("override") or {})
            groups = channel_groups(probed)
        except (EntryError, OSError, ValueError) as err:
            problems.append(Problem(name, entry.path, f"split_by: group: {err}"))
            continue
        if len(groups) == 1:
            split[name] = probed
            continue
        names = {group: group_name(name, group) for group in groups}
        taken = sorted(n for n in names.values() if n in recordings)
        if taken:
            problems.append(Problem(name, probed.path, f"split_by: group would name its groups {', '.join(taken)}, "
                                    "which another recording is named; rename that recording"))
            continue
        for group, count in groups.items():
            split[names[group]] = replace(probed, name=names[group], parent=probed.config_name, group=group,
                                          num_channels=count)
            if name in overridden:
                configs[names[group]] = overridden[name]
    return split, configs, problems
