"""The child side of a sort: ``python -m sortcanary.runner.child WORKDIR PARENT_PID``.

It reads the plan the parent wrote once into WORKDIR (``plan.json``) and the task to run on it
(``task.json``): ``sort`` opens the recording, slices the plan's window, checks the window's data
(canary only) and runs the backend, saving a SpikeInterface sorting; ``outputs`` builds the
post-sort products from that saved sorting. The result JSON carries, on failure, the exception
parsed while it is still in hand (its types, errno, the module an import missed and who imported
it: sortcanary.classification.parse), which the parent classifies together with the sorter's logs,
and the window's data-check figures, the evidence that tells a misconfigured recording from a
silent one. Either way it carries the
sorter's peak GPU memory (``peak_gpu_bytes``), which only this process can ask torch for.
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

from ..atomic import write_json_atomic
from ..classification import parse_exception
from ..layout import IN_SORTED
from ..plan.sortplan import SortPlan
from ..taxonomy import SortFailure
from .watched import PLAN_FILE, RESULT_FILE, TASK_FILE

log = logging.getLogger("sortcanary")


def _recording(plan: SortPlan):
    """The plan's recording, lazily sliced to its window if it has one."""
    from ..recordings import open_recording, window_of

    return window_of(open_recording(plan.recording), plan.window)


def sort_task(plan: SortPlan, dest: Path, context: dict, evidence: dict) -> dict:
    """Run the backend on the recording and save its sorting as a SpikeInterface folder."""
    from ..checks.window_data import check_window
    from ..plan.sorters import resolve_backend

    backend = resolve_backend(plan.sorter, plan.root)
    backend.check_installed(**plan.container)
    log.info("stage: loading")  # the stage markers every sorter's progress line falls back on
    recording = _recording(plan)
    if plan.window is not None:  # cheap trace checks, on the canary's window only
        log.info("stage: window data checks")
        evidence["data_checks"] = check_window(recording)
        rehearse_full_read(plan, backend)
    log.info("stage: sorting")
    sorting = backend.run(recording, dest / IN_SORTED["sorter"], plan.sorter_params, **plan.container)
    log.info("stage: saving the sorting")
    sorting.save(folder=dest / IN_SORTED["sorting"], overwrite=True)
    # The version is asked here, where the sorter is already imported: asking in the parent would
    # import Kilosort4 and torch a second time (seconds of CPU per job).
    return {"units": int(len(sorting.unit_ids)), "sorter_version": backend.version()}


def rehearse_full_read(plan: SortPlan, backend) -> None:
    """The canary's window may reach the sorter another way than the whole recording will (see
    SorterBackend.check_full_read): open the recording exactly as the full sort will hand it to the
    sorter, and let the backend read it at the window's start the sorter's way, so that a read the
    full sort would fail, or get wrong, blocks the canary."""
    from dataclasses import replace

    found = backend.check_full_read(_recording(replace(plan, window=None)), plan.window.start_s, plan.sorter_params)
    if found:
        log.info("the full sort's read of the recording, checked: %s", found)


def outputs_task(plan: SortPlan, dest: Path, context: dict, evidence: dict) -> dict:
    """Build the post-sort products from the saved sorting (sortcanary.products.build)."""
    import spikeinterface.core as sc

    from ..products.build import postprocess

    sorting = sc.load(dest / IN_SORTED["sorting"])
    made = postprocess(_recording(plan), sorting, dest, plan.outputs, plan.job_kwargs, context)
    return {"units": int(len(sorting.unit_ids)), "outputs": made}


TASKS = {"sort": sort_task, "outputs": outputs_task}


def _cuda():
    """torch.cuda when this process imported torch and initialised CUDA, else None: asking never
    imports torch nor creates a CUDA context."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    return torch.cuda


def gpu_figures(failed: bool) -> dict:
    """``peak_gpu_bytes``: the most torch's allocator held at once on any device (None without
    CUDA); after a failure also torch's ``memory_summary``, for the runner's out-of-memory snapshot."""
    cuda = _cuda()
    if cuda is None:
        return {"peak_gpu_bytes": None}
    figures = {"peak_gpu_bytes": int(max(cuda.max_memory_allocated(d) for d in range(cuda.device_count())))}
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
    evidence: dict = {}
    try:
        result = {"ok": True, **TASKS[task["task"]](plan, Path(task["dest"]), task["context"], evidence), **evidence,
                  **gpu_figures(failed=False)}
    except Exception as exc:  # reported to the parent, which classifies it with the sorter's logs
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
