"""The child side of a sort: ``python -m sortcanary.runner.child WORKDIR PARENT_PID``.

It reads the plan the parent wrote once into WORKDIR (``plan.json``) and the task to run on it
(``task.json``): ``sort`` opens the recording, slices the plan's window, checks the window's data
(canary only), builds the plan's recipe (sortcanary.runner.chain) and runs the backend, saving a
SpikeInterface sorting (and, for runs joined end to end, one per run: sortcanary.products.runs);
``outputs`` builds the post-sort products from that saved sorting, on the same chain. The canary
also judges the probe's bad channels (sortcanary.checks.bad_channels). The result JSON carries, on
failure, the exception parsed while it is still in hand (its types, errno, the module an import
missed and who imported it: sortcanary.classification.parse), which the parent classifies together
with the sorter's logs, and the window's data-check figures, the evidence that tells a misconfigured
recording from a silent one; with a recipe, the record of what its chain did (``recipe``). Either
way it carries the sorter's peak GPU memory (``peak_gpu_bytes``), which only this process can ask
torch for.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..atomic import write_json_atomic
from ..boundary import JSONDict, Recording
from ..classification import parse_exception
from ..layout import IN_SORTED
from ..plan.sortplan import SortPlan
from ..taxonomy import SortFailure
from .watched import PLAN_FILE, RESULT_FILE, TASK_FILE

if TYPE_CHECKING:
    from ..plan.sorters import SorterBackend
    from .chain import Chain

log = logging.getLogger("sortcanary")


def _recording(plan: SortPlan) -> Recording:
    """The plan's recording, lazily sliced to its window if it has one."""
    from ..recordings import open_recording, window_of

    return window_of(open_recording(plan.recording), plan.window)


def _with_recipe(plan: SortPlan, dest: Path, evidence: JSONDict, *,
                 saved_motion: bool = False) -> tuple[Recording, Chain]:
    """open -> the recipe's chain -> the plan's window -> motion (sortcanary.runner.chain): what the
    sorter gets when the plan has a recipe, canary and full sort alike; ``evidence["recipe"]``
    records what was done. ``saved_motion``: the post-sort step reads the sort's motion estimate."""
    from ..recordings import open_recording, window_of
    from .chain import build_chain, read_through, with_motion

    log.info("stage: preprocessing chain")
    chain = build_chain(open_recording(plan.recording), plan.recipe)
    evidence["recipe"] = chain.record
    read_through(chain, window_of, plan.window)
    recording = with_motion(window_of(chain.recording, plan.window), plan.recipe, dest, plan.job_kwargs, chain.record,
                            saved=saved_motion)
    return recording, chain


def _note(evidence: JSONDict, text: str) -> None:
    evidence.setdefault("recipe", {}).setdefault("notes", []).append(text)


def _bad_channels(plan: SortPlan, raw: Recording, chain: Chain | None, dest: Path, evidence: JSONDict) -> None:
    """The probe's bad channels, from the chain's detection, else the window's data checks: more
    than the recipe's fraction blocks the canary (with a figure in ``dest``), fewer are a note."""
    from ..checks.bad_channels import FIGURE_NAME, judge_bad_channels

    if chain is not None and chain.bad_channels is not None:
        bad, total, found_by = chain.bad_channels, chain.channels_before, "the chain's bad-channel detection"
    elif plan.window is not None:
        bad = evidence.get("data_checks", {}).get("bad_channels", {})
        total, found_by = raw.get_num_channels(), "the window's data checks"
    else:
        return

    def draw() -> Path:
        from ..products.recipe_figures import bad_channels_map

        return bad_channels_map(raw, bad, dest / FIGURE_NAME, f"{plan.recording.name}: bad channels ({found_by})")

    note = judge_bad_channels(bad, total, plan.recipe.max_bad_fraction, found_by, draw,
                              block=plan.window is not None)  # the canary judges; the full sort notes
    if note:
        _note(evidence, note)


def _sorter_params(plan: SortPlan, recording: Recording, evidence: JSONDict) -> JSONDict:
    """The plan's sorter parameters, with the sorter's own drift correction switched off (and a
    note) on a probe too short for it (sortcanary.plan.recipe.drift_span_too_short): a sort without
    drift correction instead of one that fails as if the recording were silent."""
    from ..plan.recipe import DRIFT_SEARCH_BINS, drift_span_too_short

    bin_um = plan.recipe.drift_bin_um
    try:
        depth = recording.get_channel_locations()[:, 1] if bin_um else None
    except Exception:  # noqa: BLE001 -- no geometry: the sorter says so itself
        depth = None
    if bin_um is None or depth is None or not len(depth):
        return plan.sorter_params
    span = float(depth.max() - depth.min())
    if not drift_span_too_short(span, bin_um):
        return plan.sorter_params
    needed = (DRIFT_SEARCH_BINS - 1) * bin_um - 1
    _note(evidence, f"drift correction switched off (do_correction=False): the probe spans {span:g} um of depth, "
          f"too short for {plan.sorter}'s drift estimate (more than {needed:g} um at binning_depth {bin_um:g}), "
          "which would move every spike off the probe")
    return {**plan.sorter_params, "do_correction": False}


def sort_task(plan: SortPlan, dest: Path, context: JSONDict, evidence: JSONDict) -> JSONDict:
    """Run the backend on the recording and save its sorting as a SpikeInterface folder."""
    from ..checks.window_data import check_window
    from ..plan.sorters import resolve_backend

    backend = resolve_backend(plan.sorter, plan.root)
    backend.prepare_process()
    log.info("stage: loading")  # the stage markers every sorter's progress line falls back on
    recording = _recording(plan)
    if plan.window is not None:  # cheap trace checks, on the canary's window only
        log.info("stage: window data checks")
        evidence["data_checks"] = check_window(recording)
    raw, chain = recording, None
    if plan.recipe.active:
        recording, chain = _with_recipe(plan, dest, evidence)
    _bad_channels(plan, raw, chain, dest, evidence)
    # Only now import the sorter to check it (Kilosort4 brings torch and faiss: seconds), which a window
    # blocked on its data, its recipe or its bad channels need not pay.
    backend.check_installed(**plan.container)
    if plan.window is not None and not plan.recipe.changes_traces:  # else the full sort's traces reach the
        rehearse_full_read(plan, backend)  # sorter as the window's do
    params = _sorter_params(plan, recording, evidence)
    log.info("stage: sorting")
    sorting = backend.run(recording, dest / IN_SORTED["sorter"], params, **plan.container)
    log.info("stage: saving the sorting")
    sorting.save(folder=dest / IN_SORTED["sorting"], overwrite=True)
    # The version is asked here, where the sorter is already imported: asking in the parent would
    # import Kilosort4 and torch a second time (seconds of CPU per job).
    changed: JSONDict = {"sorter_params": params} if params is not plan.sorter_params else {}
    if plan.recording.runs and plan.window is None:  # join: runs: the full sort split back per run
        from ..products.runs import split_runs

        log.info("stage: splitting the sorting per run")
        changed["runs"] = split_runs(sorting, plan.recording, dest)
    return {"units": len(sorting.unit_ids), "sorter_version": backend.version(), **changed}


def rehearse_full_read(plan: SortPlan, backend: SorterBackend) -> None:
    """The canary's window may reach the sorter another way than the whole recording will (see
    SorterBackend.check_full_read): open the recording exactly as the full sort will hand it to the
    sorter, and let the backend read it at the window's start the sorter's way, so that a read the
    full sort would fail, or get wrong, blocks the canary."""
    from dataclasses import replace

    assert plan.window is not None, "only a canary, which sorts a window, rehearses the full read"
    found = backend.check_full_read(_recording(replace(plan, window=None)), plan.window.start_s, plan.sorter_params)
    if found:
        log.info("the full sort's read of the recording, checked: %s", found)


def outputs_task(plan: SortPlan, dest: Path, context: JSONDict, evidence: JSONDict) -> JSONDict:
    """Build the post-sort products from the saved sorting (sortcanary.products.build), on the
    recording as the sorter got it (and, with a recipe, as read before it)."""
    import spikeinterface.core as sc

    from ..products.build import postprocess

    sorting = sc.load(dest / IN_SORTED["sorting"])
    recording, before = _recording(plan), None
    if plan.recipe.active:
        before = recording
        recording, _ = _with_recipe(plan, dest, {}, saved_motion=True)
    made = postprocess(recording, sorting, dest, plan.outputs, plan.job_kwargs, context, before=before)
    return {"units": len(sorting.unit_ids), "outputs": made}


TASKS = {"sort": sort_task, "outputs": outputs_task}


def _cuda() -> ModuleType | None:
    """torch.cuda when this process imported torch and initialised CUDA, else None: asking never
    imports torch nor creates a CUDA context."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    cuda: ModuleType = torch.cuda
    return cuda


def gpu_figures(failed: bool) -> JSONDict:
    """``peak_gpu_bytes``: the most torch's allocator held at once on any device (None without
    CUDA); after a failure also torch's ``memory_summary``, for the runner's out-of-memory snapshot."""
    cuda = _cuda()
    if cuda is None:
        return {"peak_gpu_bytes": None}
    figures: JSONDict = {"peak_gpu_bytes": int(max(cuda.max_memory_allocated(d) for d in range(cuda.device_count())))}
    if failed:
        figures["gpu_memory_summary"] = "\n".join(cuda.memory_summary(d) for d in range(cuda.device_count()))
    return figures


def main(workdir: str) -> int:
    """Entry point of the child process: one task of the plan in ``workdir``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    # Snakemake sets OMP_NUM_THREADS to the job's threads; torch and BLAS take their thread count from it.
    log.info("sorter child: OMP_NUM_THREADS=%s, %s CPUs visible", os.environ.get("OMP_NUM_THREADS", "unset"),
             os.cpu_count())
    folder = Path(workdir)
    plan = SortPlan.from_dict(json.loads((folder / PLAN_FILE).read_text()))
    task = json.loads((folder / TASK_FILE).read_text())
    evidence: JSONDict = {}
    try:
        result = {"ok": True, **TASKS[task["task"]](plan, Path(task["dest"]), task["context"], evidence), **evidence,
                  **gpu_figures(failed=False)}
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which classifies it with the sorter's logs
        result = {"ok": False, "exc_type": type(exc).__name__, "message": str(exc)[-2000:],
                  "parsed": parse_exception(exc).as_dict(), **evidence, **gpu_figures(failed=True)}
        if isinstance(exc, SortFailure):  # our own code already said what this is
            result["verdict"] = exc.verdict.as_dict()
        traceback.print_exc()
    write_json_atomic(folder / RESULT_FILE, result)
    return 0


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Be SIGKILLed when the watching parent dies (Linux), so that a killed job never leaves an
    orphaned sorter holding the GPU. Set here, first thing in the child, rather than in a preexec_fn
    between fork and exec, which can deadlock a parent that runs other threads (a progress bar's, a
    Jupyter kernel's). A parent that died before the signal was set is seen in the parent pid: the
    child was handed to another process, and it stops before it starts anything."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's own stop is all there is
        pass
    if os.getppid() != parent_pid:
        sys.exit(f"sortcanary child: its parent (pid {parent_pid}) is gone; stopping before the task starts")


if __name__ == "__main__":
    die_with_parent(int(sys.argv[2]))
    sys.exit(main(sys.argv[1]))
