"""What a job leaves behind besides its results: verdict records, the halt file, versions.

Verdicts (``*.verdict.json``) sit beside their job's log and survive a failed job. They are not
declared Snakemake logs (see sortcanary.layout), so each job removes its own stale verdict when
it starts. The halt file is written by the first job that hits an environment-wide failure
(policy ``block_run``): every later job of the same run reads it and stops at once.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from .. import __version__
from ..atomic import read_json, write_json_atomic
from ..boundary import JSONDict
from ..taxonomy import BLOCK_RUN, Verdict

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BLOCKED = 3


def versions() -> JSONDict:
    """The versions that made a result, for its record and report page."""
    import importlib.metadata as md

    found: dict[str, str | None] = {"sortcanary": __version__, "python": platform.python_version()}
    for pkg in ("spikeinterface", "kilosort", "torch", "probeinterface", "numpy"):
        try:
            found[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            found[pkg] = None
    return found


def clear_verdict(verdict_path: str | Path | None) -> None:
    """Remove a previous run's verdict as a job starts, so that a job killed before it writes one
    never leaves an older verdict standing for it."""
    if verdict_path is not None:
        Path(verdict_path).unlink(missing_ok=True)


def write_verdict(verdict_path: str | Path | None, record: JSONDict) -> None:
    if verdict_path is not None:
        write_json_atomic(verdict_path, record)


def evidence_files(record: JSONDict) -> list[str]:
    """The files a verdict record names as evidence (its log, the sorter's logs), where they exist."""
    evidence = record.get("evidence") or {}
    named = [evidence.get(key) for key in ("log", "sorter_log", "spikeinterface_log", "halted_by")]
    named += evidence.get("kept") or []  # copies out of a canary's scratch window (jobs.canary.keep_evidence)
    return list(dict.fromkeys(p for p in named if isinstance(p, str) and Path(p).is_file()))


def tell_console(what: str, record: JSONDict, verdict_path: str | Path | None) -> None:
    """Print a failed job's verdict on its stderr, which Snakemake shows right above its own error
    block for the job (that block names the rule's log, never why it failed): category, class,
    message, remediation, and where the verdict and its evidence are kept."""
    who = f"sortcanary: {what} {record.get('recording', '')}".rstrip()
    lines = [f"{who}: {record.get('category')} / {record.get('error_class')}", f"    {record.get('message', '')}"]
    if record.get("remediation"):
        lines.append(f"    fix: {record['remediation']}")
    if verdict_path is not None:
        lines.append(f"    verdict: {verdict_path}")
    files = evidence_files(record)
    if files:
        lines.append(f"    evidence: {', '.join(files)}")
    print("\n".join(lines), file=sys.stderr, flush=True)


def halt_if_environment_wide(halt_path: Path | None, recording: str, verdict: Verdict) -> None:
    """Stop the rest of the run when every recording would fail the same way."""
    if verdict.policy == BLOCK_RUN and halt_path is not None:
        write_json_atomic(halt_path, {"recording": recording, **verdict.as_dict()})


def halted_verdict(halt_path: Path | None) -> Verdict | None:
    """The verdict that stopped this run, if a job already hit an environment-wide failure."""
    record = read_json(halt_path) if halt_path is not None else None
    if not record:
        return None
    verdict = Verdict.from_dict(record)
    verdict.message = f"Run stopped after an environment-wide failure in {record.get('recording')}: {verdict.message}"
    verdict.evidence["halted_by"] = str(halt_path)
    return verdict
