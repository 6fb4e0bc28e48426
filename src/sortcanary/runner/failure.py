"""What a failed child's result, logs and exit status add up to: the classifier's verdict.

The child sends its exception parsed (sortcanary.runner.child); this side adds the sorter's own
logs -- their start, where Kilosort 2 says what it saw of the recording, and their end, where it
failed -- and how the process ended, and classifies once with the plan's rules (the built-in ones
and the config's ``classification.rules``). A verdict that needs evidence is settled by the
window's data checks (sortcanary.checks.activity).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..atomic import read_json
from ..boundary import JSONDict
from ..checks.activity import settle
from ..classification import ParsedFailure, lab_rules
from ..plan.sortplan import SortPlan
from ..taxonomy import Verdict

LOG_TAIL_CHARS = 4000


def tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - chars))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""



def failure_verdict(plan: SortPlan, result: JSONDict | None, exit_code: int, log_path: Path,
                     sorter_logs: Sequence[Path]) -> Verdict:
    """The child's own verdict (a SortFailure), else the classifier's on its parsed exception, the
    sorter's logs and its exit status; a verdict that needs evidence is settled by the window's data checks."""
    verdict = Verdict.from_dict(result["verdict"]) if result and result.get("verdict") else None
    if verdict is None:
        verdict = _classified(plan, result, exit_code, log_path, sorter_logs)
    if result and result.get("recipe"):  # what the recipe's chain did before the failure
        verdict.evidence.setdefault("recipe", result["recipe"])
    if result and result.get("data_checks"):  # what the window's traces looked like before the sorter failed
        verdict.evidence["data_checks"] = result["data_checks"]
        verdict = settle(verdict, result["data_checks"])
    return verdict


def head_and_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    """A sorter log's start (what it saw of the recording: Kilosort 2's channel and crossing counts)
    and its end (where it failed), in one text."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(min(size, chars)).decode("utf-8", "replace")
    except OSError:
        return ""
    return head if size <= 2 * chars else head + "\n...\n" + tail(path, chars)


def _classified(plan: SortPlan, result: JSONDict | None, exit_code: int, log_path: Path, sorter_logs: Sequence[Path]) -> Verdict:
    from ..classification import classify  # the built-in rules (decide): only a failure pays their import

    texts = []
    evidence: JSONDict = {"log": str(log_path)}
    for path in sorter_logs:
        if path.name == "spikeinterface_log.json":
            trace = (read_json(path) or {}).get("error_trace")
            if trace:  # a list of lines in SpikeInterface 0.105, a string in older releases
                texts.append("\n".join(trace) if isinstance(trace, list) else str(trace))
                evidence["spikeinterface_log"] = str(path)
        elif path.is_file():
            texts.append(head_and_tail(path))
            evidence["sorter_log"] = str(path)
            evidence["sorter_log_tail"] = tail(path, 1500)
    parsed = ParsedFailure.from_dict(result["parsed"]) if result and result.get("parsed") else None
    if parsed is None and not any(texts):
        texts.append(tail(log_path))
    verdict = classify("\n".join(t for t in texts if t), exit_code=None if result else exit_code, parsed=parsed,
                       rules=lab_rules(plan.classification_rules), **evidence)
    if result:
        last_line = next((ln for ln in reversed(result.get("message", "").splitlines()) if ln.strip()), "")
        verdict.evidence.setdefault("exception", f"{result.get('exc_type')}: {last_line.strip()}"[:500])
    return verdict
