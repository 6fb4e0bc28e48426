"""One HTML page per sorted recording: what a lab member opens the next morning.

The page is a single file with inline CSS and no scripts or network references; its figures are
PNGs referenced relatively (``figures/*.png``), so the recording's folder can be copied, zipped or
served anywhere and still shows them.
"""

from __future__ import annotations

import html
import json

from ..boundary import JSONDict, Metrics
from .curation import plain
from .figures import FIGURES

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f4f4f4}.facts th{width:14em}.pass{color:#1a7f37}.blocked,.failed,.dropped{color:#b42318}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
code{background:#f4f4f4;padding:0 .2em}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


class Markup(str):
    """Already-escaped HTML."""


def _facts(rows: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v if isinstance(v, Markup) else _e(v)}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _canary(marker: JSONDict | None) -> Markup:
    if not marker:
        return Markup("<em>no canary marker (canary not run for this sort)</em>")
    status = marker.get("status", "?")
    parts = [f'<span class="{_e(status)}">{_e(status)}</span>']
    if marker.get("window"):
        w = marker["window"]
        parts.append(_e(f"window {w.get('start_s', 0):g}-{w.get('start_s', 0) + w.get('duration_s', 0):g} s"))
    if marker.get("units") is not None:
        parts.append(_e(f"{marker['units']} units"))
    for key in ("note", "reason"):
        if marker.get(key):
            parts.append(_e(marker[key]))
    parts += [_e(note) for note in marker.get("notes") or []]
    if marker.get("error"):
        parts.append(_e(f"error passed through: {marker['error'].get('message', '')}"))
    return Markup(" · ".join(parts))


MOTION_TEXT = {"kilosort": "kilosort: the sorter corrects drift itself (its estimate is among the figures)",
               "compute": "compute: SpikeInterface estimated motion for this report; the sorter corrected drift itself",
               "apply": "apply: SpikeInterface corrected the traces; the sorter's own correction was off"}


def _recipe(recipe: JSONDict) -> str:
    """The recipe as the sort ran it: each step with its parameters, the motion mode, the notes."""
    steps = recipe.get("steps") or []
    preset = recipe.get("preset")
    if steps:
        rows = "".join(f"<tr><td>{i + 1}</td><td><code>{_e(s['name'])}</code></td>"
                       f"<td><code>{_e(json.dumps(s.get('params') or {}, sort_keys=True))}</code></td></tr>"
                       for i, s in enumerate(steps))
        chain = f"<table><tr><th>#</th><th>step</th><th>parameters</th></tr>{rows}</table>"
    else:
        chain = "<p>none: the sorter's own preprocessing only</p>"
    title = f"preset <code>{_e(preset)}</code>" if preset and steps else "a list of SpikeInterface steps" if steps else ""
    mode: str = recipe.get("motion", "kilosort")
    motion = MOTION_TEXT.get(mode, mode)
    estimate = recipe.get("motion_estimate")
    if estimate:
        motion += f" (preset {estimate['preset']}, largest displacement {estimate['max_abs_um']:g} µm)"
    notes = "".join(f"<li>{_e(n)}</li>" for n in recipe.get("notes") or [])
    return (f"<h2>Recipe</h2><p>Preprocessing{': ' + title if title else ''}</p>{chain}"
            f"<p>Motion: {_e(motion)}</p>{'<ul class=notes>' + notes + '</ul>' if notes else ''}")


def _units_table(metrics: Metrics | None, curation: JSONDict | None) -> str:
    if metrics is None or not len(metrics):
        return ""
    reasons = {d["unit_id"]: "; ".join(d["reasons"]) for d in (curation or {}).get("dropped", [])}
    head = "".join(f"<th>{_e(c)}</th>" for c in ["unit", *metrics.columns, "curation"])
    rows = []
    for unit in metrics.index:
        reason = reasons.get(plain(unit))
        cells = "".join(f"<td>{float(metrics.at[unit, c]):.3g}</td>" for c in metrics.columns)
        verdict = f'<td class="dropped">dropped: {_e(reason)}</td>' if reason else "<td>kept</td>"
        rows.append(f"<tr><td>{_e(plain(unit))}</td>{cells}{verdict}</tr>")
    return f"<h2>Units</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def render(context: JSONDict, summary: JSONDict, figures: list[str], metrics: Metrics | None = None,
           curation: JSONDict | None = None) -> str:
    """The page's HTML. ``context``: what the pipeline knows (recording, canary marker, sorter,
    parameters, versions, sort timing); ``summary``: what the post-sort step did."""
    rec = context.get("recording", {})
    title = f"sortcanary · {rec.get('name', 'recording')}"
    window = context.get("window")
    recording = _facts([
        ("name", rec.get("name")), ("source", rec.get("source")), ("path", rec.get("path")),
        *([("probe group", f"group {rec['group']} of {rec['parent']}")] if rec.get("parent") else []),
        ("format", rec.get("format")), ("channels", rec.get("num_channels")),
        ("sampling frequency", f"{rec.get('sampling_frequency', 0):g} Hz"),
        ("duration", f"{rec.get('duration_s', 0):.1f} s"),
        ("sorted part", f"window {window['start_s']:g} s + {window['duration_s']:g} s" if window else "all of it"),
    ])
    params = context.get("params_non_default") or {}
    sort = _facts([
        ("canary verdict", _canary(context.get("canary"))),
        ("sorter", f"{context.get('sorter')} {context.get('sorter_version', '')}".strip()),
        ("non-default parameters", Markup(f"<code>{_e(json.dumps(params, sort_keys=True))}</code>") if params
         else "none (the sorter's defaults)"),
        ("units (raw)", summary.get("units_raw")),
        ("units (curated)", summary.get("units_curated", "curation off")),
    ])
    timings = _facts([(k.replace("_s", "").replace("_", " "), f"{v:.1f} s")
                      for k, v in {**context.get("timings", {}), **summary.get("timings", {})}.items()])
    versions = _facts(sorted((context.get("versions") or {}).items()))
    files = _facts([(k, Markup(f'<a href="{_e(v)}">{_e(v)}</a>')) for k, v in summary.get("files", {}).items()
                    if v and k != "report"])
    figs = "".join(
        f'<figure><img src="{_e(summary["files"]["figures"])}/{_e(name)}.png" alt="{_e(FIGURES[name][0])}">'
        f"<figcaption><b>{_e(FIGURES[name][0])}.</b> {_e(FIGURES[name][1])}</figcaption></figure>"
        for name in figures
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{_e(title)}</h1>"
        f"<h2>Recording</h2>{recording}<h2>Sort</h2>{sort}{_recipe(context.get('recipe') or {})}"
        f"<h2>Timings</h2>{timings}"
        f"<h2>Outputs</h2>{files}{'<h2>Figures</h2>' + figs if figs else ''}"
        f"{_units_table(metrics, curation)}<h2>Versions</h2>{versions}</body></html>\n"
    )
