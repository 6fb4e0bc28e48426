"""The post-sort products: everything a sort leaves besides the sorter's own folder.

``postprocess(recording, sorting, dest, outputs, job_kwargs)`` builds, in ``dest``, what the
plan's ``outputs`` section asks for: the analyzer, curation, the exports, the figures and the report page. It knows nothing about
where ``dest`` is or how much of the recording it got, so the same step serves a full sort (into
the staging folder that is then published atomically with the sort) and could serve a canary's
window (into its scratch folder).

The job runs it in its own watched child process after the sort's child has finished (see
sortcanary.jobs.execute.build_outputs): a crash, hang or out-of-memory kill in the post-sort step is caught and
classified like a sorter's, and it can't take the finished sort down with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ..atomic import write_json_atomic, write_text_atomic
from ..boundary import JSONDict, Recording, Sorting
from ..layout import IN_SORTED

log = logging.getLogger("sortcanary")


def wanted(outputs: JSONDict) -> dict[str, bool]:
    """Which outputs the ``outputs`` config section switches on."""
    exporters = outputs.get("exporters", {})
    return {
        "curation": bool(outputs.get("curation", {}).get("enabled")),
        "units_npz": bool(exporters.get("units_npz")),
        "nwb": bool(exporters.get("nwb")),
        "figures": bool(outputs.get("figures")),
        "report": bool(outputs.get("report")),
    }


def any_wanted(outputs: JSONDict) -> bool:
    return any(wanted(outputs).values())


def needs_analyzer(on: dict[str, bool]) -> bool:
    """The report alone can show raw counts; everything else reads the analyzer's templates,
    locations or metrics."""
    return on["curation"] or on["units_npz"] or on["nwb"] or on["figures"]


def check_dependencies(outputs: JSONDict) -> None:
    """Raise an environment verdict now if a requested output can't be made here (seconds, not
    after an hours-long sort)."""
    if wanted(outputs)["nwb"]:
        from .nwb import require_pynwb

        require_pynwb()


@contextmanager
def _timed(timings: JSONDict, name: str) -> Iterator[None]:
    started = time.monotonic()
    log.info("stage: post-sort %s", name)  # read by the job's progress line (sortcanary.runner.progress)
    yield
    timings[f"{name}_s"] = round(time.monotonic() - started, 3)
    log.info("post-sort %s: %.1f s", name, timings[f"{name}_s"])


def recipe_figures(dest: Path, recording: Recording, before: Recording | None, recipe: JSONDict) -> list[str]:
    """The recipe's figures (sortcanary.products.recipe_figures): the traces before and after a
    chain that has steps, and SpikeInterface's motion estimate when the sort saved one."""
    from spikeinterface.core import Motion

    from .recipe_figures import motion_estimate, traces_before_after

    out, made = dest / IN_SORTED["figures"], []
    if before is not None and recipe.get("steps"):
        traces_before_after(before, recording, out / "recipe_traces.png")
        made.append("recipe_traces")
    if (dest / IN_SORTED["motion"] / "motion").is_dir():
        motion_estimate(Motion.load(dest / IN_SORTED["motion"] / "motion"), out / "motion_estimate.png")
        made.append("motion_estimate")
    return made


def postprocess(recording: Recording, sorting: Sorting, dest: Path, outputs: JSONDict, job_kwargs: JSONDict,
                context: JSONDict | None = None, before: Recording | None = None) -> JSONDict:
    """Build the products ``outputs`` asks for in ``dest``; return what was made.

    ``context`` (recording facts, canary marker, sorter and parameters, the recipe, versions, sort
    timing) only feeds the report page. ``recording`` is what the sorter got; ``before``, with a
    recipe, the same part as read, for the figure of the traces before and after the chain. The
    returned summary (unit counts, files relative to ``dest``, timings) goes into the sort record.
    """
    from . import exports
    from .curation import curate, kept_mask

    dest = Path(dest)
    context = context or {}
    on = wanted(outputs)
    check_dependencies(outputs)
    timings: JSONDict = {}
    files: JSONDict = {}
    summary: JSONDict = {"units_raw": len(sorting.unit_ids), "timings": timings, "files": files}
    analyzer = metrics = curation = None
    if needs_analyzer(on) and len(sorting.unit_ids):
        from .analyzer import build_analyzer, metrics_table

        with _timed(timings, "analyzer"):
            analyzer = build_analyzer(recording, sorting, dest / IN_SORTED["analyzer"], outputs["analyzer"], job_kwargs)
            metrics = metrics_table(analyzer)
        files["analyzer"] = IN_SORTED["analyzer"]
    if on["curation"]:
        with _timed(timings, "curation"):
            curation = curate(metrics, outputs["curation"])
            write_json_atomic(dest / IN_SORTED["curation"], curation)
        files["curation"] = IN_SORTED["curation"]
        summary["units_curated"] = len(curation["curated_units"])
    phy = exports.phy_folder(dest, IN_SORTED["phy"])  # the sorter's own, listed and linked wherever it left one
    if phy:
        files["phy"] = phy
    with _timed(timings, "exports"):
        if on["units_npz"]:
            files["units_npz"] = exports.write_units_npz(dest / IN_SORTED["units_npz"], sorting, analyzer,
                                                         curation).name
        if on["nwb"]:
            from .nwb import write_nwb

            rec = context.get("recording", {})
            files["nwb"] = write_nwb(
                dest / IN_SORTED["nwb"], recording, sorting, analyzer, curation, name=rec.get("name", dest.name),
                metadata=outputs["nwb_metadata"],
                session_start=datetime.fromisoformat(context["session_start"]),
                start_source=context["session_start_source"],
                source_nwb=(rec["path"], rec["stream"]) if rec.get("format") == "nwb" else None,
                software=[("sortcanary", context.get("versions", {}).get("sortcanary", "")),
                          (context.get("sorter", ""), str(context.get("sorter_version", "")))],
            ).name
    figures: list[str] = []
    if on["figures"]:
        from .figures import write_figures

        with _timed(timings, "figures"):
            figures = write_figures(dest, IN_SORTED["figures"], IN_SORTED["phy"], analyzer, sorting, metrics,
                                    kept_mask(curation, sorting.unit_ids))
            figures += recipe_figures(dest, recording, before, context.get("recipe") or {})
        files["figures"] = IN_SORTED["figures"]
    summary["figures"] = figures
    if on["report"]:
        from .page import render

        files["report"] = IN_SORTED["report"]
        write_text_atomic(dest / IN_SORTED["report"], render(context, summary, figures, metrics, curation))
    return summary

