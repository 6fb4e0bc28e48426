"""sortcanary from Python: a guarded ``run_sorter`` and a bare ``canary``, for notebooks and scripts.

Most SpikeInterface users never write a Snakefile: they call ``spikeinterface.sorters.run_sorter``.
``sortcanary.run_sorter`` takes the arguments of that call that matter (the sorter's parameters as
keywords, ``docker_image``, ``singularity_image``, ``remove_existing_folder``, ``verbose``,
``raise_error``), rehearses the sort on a short window of the recording first, and raises
``CanaryBlocked`` on a classified failure instead of starting a sort that fails hours later.
Otherwise it sorts all of the recording and returns the sorting. ``sortcanary.canary`` returns
the canary's verdict alone.

Nothing here is a second code path. The recording object, lazy preprocessing chain included, is
written into the job's folder (sortcanary.recordings.formats.si_object) and the sorter's child
process opens it from there; the config is the schema's defaults plus what the call sets
(sortcanary.config.validate_config); the jobs are the workflow's own (jobs.canary.run_canary,
jobs.full_sort.run_full_sort), which build the plan once and run it in the watched child process.

``folder`` is laid out as a workflow directory holding one recording (sortcanary.layout), named
after the folder (``recording`` in a temporary folder): ``logs/canary/<name>.verdict.json`` is the record the workflow writes (and
``canary`` returns), ``results/sorted/<name>/`` the sort (``sorting/`` the SpikeInterface sorting
that is returned, ``sorter/`` the sorter's own folder). No Snakemake, no config file, no working
directory: every path is under ``folder`` (``canary`` without one uses a temporary folder).

Two defaults differ from the workflow's, to match ``si.run_sorter``: no post-sort products (pass
``config={"outputs": {}}`` for the workflow's curation, exports, figures and report), and
progress goes to a tqdm bar instead of a line on stderr every minute.
"""

from __future__ import annotations

import copy
import logging
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import layout
from .atomic import read_json, remove_quietly
from .boundary import JSONDict, Recording, Sorting
from .config import validate_config
from .jobs.canary import run_canary
from .jobs.full_sort import run_full_sort
from .jobs.records import EXIT_OK
from .plan.sorters import ContainerImage
from .plan.sortplan import outputs_switched_off
from .recordings.entry import RecordingEntry, slugify
from .recordings.formats import si_object
from .taxonomy import RETRY_WITH_LESS, SortFailure, Verdict
from .views.tqdm_progress import TqdmProgress, tqdm_available

# The workflow's sort rule has ``retries: 2``: a resource failure is sorted again with a smaller
# batch (the plan divides it), any other verdict ends the job at once.
SORT_ATTEMPTS = 3
# With a tqdm bar, the job's progress line on stderr would only repeat it (progress.interval_s).
QUIET_INTERVAL_S = 86400.0
CONFIG_SOURCE = "sortcanary (Python API)"

log = logging.getLogger("sortcanary")


class CanaryBlocked(SortFailure):
    """The canary failed in a classified way; the full sort was not started.

    ``verdict``: category, error_class, message, remediation, policy and evidence (a Verdict);
    ``record``: the whole verdict record, as the workflow writes it; ``verdict_path``: its file."""

    def __init__(self, record: JSONDict, verdict_path: Path):
        super().__init__(Verdict.from_dict(record))
        self.record, self.verdict_path = record, verdict_path
        self.args = (_one_line("canary blocked", record, verdict_path),)


class FullSortFailed(SortFailure):
    """The canary passed, but the full sort failed; ``verdict``, ``record`` and ``verdict_path`` as
    for CanaryBlocked."""

    def __init__(self, record: JSONDict, verdict_path: Path):
        super().__init__(Verdict.from_dict(record))
        self.record, self.verdict_path = record, verdict_path
        self.args = (_one_line("full sort failed", record, verdict_path),)


def _one_line(what: str, record: JSONDict, verdict_path: Path) -> str:
    return (f"{what} for {record.get('recording')}: {record.get('category')}/{record.get('error_class')}: "
            f"{record.get('message')} -- fix: {record.get('remediation')} (verdict: {verdict_path})")


def build_config(sorter_name: str, sorter_params: JSONDict, folder: Path, *, config: JSONDict | None = None,
                 docker_image: ContainerImage = None, singularity_image: ContainerImage = None) -> JSONDict:
    """The validated config of one call: the schema's defaults, ``config`` (any workflow key), the
    sorter and its parameters (keywords over ``config['sorter_params']``) and the container."""
    given = copy.deepcopy(config or {})
    cfg = {"recordings_dir": str(folder), "scratch_dir": str(folder / "scratch"), **given, "sorter": sorter_name,
           "sorter_params": {**given.get("sorter_params", {}), **sorter_params}}
    for key, value in (("docker_image", docker_image), ("singularity_image", singularity_image)):
        if value:  # SpikeInterface's "no container" is False
            cfg[key] = value
    cfg = validate_config(cfg, source=CONFIG_SOURCE)
    cfg["scratch_dir"] = str(folder / cfg["scratch_dir"])  # a relative one is the folder's, not the notebook's
    if "outputs" not in given:
        cfg["outputs"] = outputs_switched_off(cfg["outputs"])
    if "progress" not in given and tqdm_available():
        cfg["progress"]["interval_s"] = QUIET_INTERVAL_S
    return cfg

class _Job:
    """One call's recording, config and paths: a one-recording workflow directory in ``root``."""

    def __init__(self, recording: Recording, sorter_name: str, root: Path, name: str, sorter_params: JSONDict, *,
                 config: JSONDict | None, docker_image: ContainerImage, singularity_image: ContainerImage):
        self.root = root.resolve()
        self.cfg = build_config(sorter_name, sorter_params, self.root, config=config, docker_image=docker_image,
                                singularity_image=singularity_image)
        dumped = si_object.dump(recording, self.root)
        self.entry: RecordingEntry = si_object.entry_of(recording, dumped, name)

    def path(self, pattern: str) -> Path:
        return Path(layout.path(pattern, str(self.root), recording=self.entry.name))

    def scratch(self, job: str) -> Path:
        return Path(self.cfg["scratch_dir"]) / job / self.entry.name

    def canary(self, verbose: bool) -> JSONDict:
        """Run the workflow's canary job; return its verdict record."""
        with _job_logging(self.path(layout.CANARY_LOG), verbose), \
                TqdmProgress(self.path(layout.CANARY_PROGRESS), f"canary {self.entry.name}"):
            _, record = run_canary(self.entry, self.cfg, scratch=self.scratch("canary"),
                                   log_path=self.path(layout.CANARY_LOG), marker_path=self.path(layout.MARKER),
                                   verdict_path=self.path(layout.CANARY_VERDICT),
                                   evidence_dir=self.path(layout.CANARY_EVIDENCE),
                                   progress_path=self.path(layout.CANARY_PROGRESS), root=self.root)
        return record

    def full_sort(self, verbose: bool) -> JSONDict | None:
        """Run the workflow's sort job, a resource failure re-tried as the workflow does; return the
        failed attempt's verdict record, or None when the sort is published."""
        record = None
        with _job_logging(self.path(layout.SORT_LOG), verbose), \
                TqdmProgress(self.path(layout.SORT_PROGRESS), f"sort {self.entry.name}"):
            for attempt in range(1, SORT_ATTEMPTS + 1):
                code = run_full_sort(self.entry, self.cfg, marker_path=self.path(layout.MARKER),
                                     dest=self.path(layout.SORTED), done_path=self.path(layout.SORT_DONE),
                                     scratch=self.scratch("sort"), log_path=self.path(layout.SORT_LOG),
                                     verdict_path=self.path(layout.SORT_VERDICT), attempt=attempt,
                                     attempts_path=self.path(layout.SORT_ATTEMPTS),
                                     progress_path=self.path(layout.SORT_PROGRESS), root=self.root)
                if code == EXIT_OK:
                    return None
                record = read_json(self.path(layout.SORT_VERDICT), {})
                if record.get("policy") != RETRY_WITH_LESS:
                    break
        return record


@contextmanager
def _job_logging(log_path: Path, verbose: bool) -> Iterator[None]:
    """sortcanary's own log lines to the job's log (the sorter's child writes there too), and with
    ``verbose`` to stderr as well; a notebook's own logging setup is left as it was."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handlers = [logging.FileHandler(log_path, mode="a")] + ([logging.StreamHandler(sys.stderr)] if verbose else [])
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.setLevel(level)
        for handler in handlers:
            log.removeHandler(handler)
            handler.close()


def canary(recording: Recording, sorter_name: str = "kilosort4", *, folder: str | Path | None = None,
           config: JSONDict | None = None, docker_image: ContainerImage = None, singularity_image: ContainerImage = None,
           verbose: bool = False, **sorter_params: Any) -> JSONDict:
    """Rehearse the sort of ``recording`` (any SpikeInterface recording: a file's extractor, a lazy
    preprocessing chain, an in-memory one) and return the canary's verdict record, the one the
    workflow writes to ``logs/canary/<name>.verdict.json``: ``verdict`` is ``pass``,
    ``passthrough`` (an unclassified error: the full sort would go ahead), ``disabled`` or
    ``blocked``, which adds ``category``, ``error_class``, ``message``, ``remediation`` and
    ``evidence``. ``config`` takes any key of the workflow's config (``{"canary": {"window_s": 10}}``).
    Without ``folder``, the job runs in a new temporary folder, which is kept for its logs."""
    root = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="sortcanary-canary-"))
    job = _Job(recording, sorter_name, root, _name(folder), sorter_params, config=config, docker_image=docker_image,
               singularity_image=singularity_image)
    try:
        return job.canary(verbose)
    finally:
        if folder is None:  # an in-memory recording's pickle is as big as its traces
            remove_quietly(job.entry.path)


def run_sorter(sorter_name: str, recording: Recording, folder: str | Path, *, remove_existing_folder: bool = False,
               verbose: bool = False, raise_error: bool = True, docker_image: ContainerImage = False,
               singularity_image: ContainerImage = False, config: JSONDict | None = None,
               **sorter_params: Any) -> Sorting | None:
    """``spikeinterface.sorters.run_sorter``, guarded by the canary; returns the sorting.

    Raises CanaryBlocked on a classified canary failure (the full sort is not started) and
    FullSortFailed when the full sort fails; with ``raise_error=False`` both are a warning and the
    call returns None. ``folder`` must be new or empty unless ``remove_existing_folder``.
    ``config`` takes any key of the workflow's config. See the module doc for what ``folder`` holds."""
    import spikeinterface.core as sc

    root = Path(folder)
    if root.exists() and any(root.iterdir()):
        if not remove_existing_folder:
            raise FileExistsError(f"{root} already exists; pass remove_existing_folder=True to replace it, or "
                                  "choose a new folder")
        shutil.rmtree(root)
    job = _Job(recording, sorter_name, root, _name(root), sorter_params, config=config, docker_image=docker_image,
               singularity_image=singularity_image)
    record = job.canary(verbose)
    if record.get("verdict") == "blocked":
        _failed(CanaryBlocked(record, job.path(layout.CANARY_VERDICT)), raise_error)
        return None
    failed = job.full_sort(verbose)
    if failed is not None:
        _failed(FullSortFailed(failed, job.path(layout.SORT_VERDICT)), raise_error)
        return None
    return sc.load(job.path(layout.SORTED) / layout.IN_SORTED["sorting"])


def _name(folder: str | Path | None) -> str:
    """The recording's name in the job's files: its folder's, slugged; ``recording`` without one."""
    return (slugify(Path(folder).resolve().name) if folder is not None else "") or "recording"


def _failed(error: SortFailure, raise_error: bool) -> None:
    """Raise ``error``, or with ``raise_error=False`` warn with it (the caller then returns None)."""
    if raise_error:
        raise error
    warnings.warn(str(error), stacklevel=3)
