"""Notifications: tell a person when a recording is blocked, the environment stops the run, a full
sort fails, or the run ends -- for runs that go on unattended for days.

Two channels, both optional (config ``notify``): a webhook that receives a POST of JSON, and a
command run with the message on stdin (JSON) and in ``SORTCANARY_*`` environment variables (no
shell: the command is a list of words). The payload is an incoming-webhook message Slack and
Mattermost both render: ``text`` plus one attachment whose ``fields`` hold the verdict; the same
facts travel machine-readable under ``sortcanary``.

A notifier is a courtesy: whatever goes wrong with it (no network, a 500, a command that fails or
hangs) is logged as a warning and never fails a job or the run.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import layout
from ..atomic import read_json
from ..boundary import JSONDict
from ..taxonomy import BLOCK_RUN

if TYPE_CHECKING:
    from .rows import Row

log = logging.getLogger("sortcanary")

COLORS = {"blocked": "#e0a458", "halt": "#c0392b", "sort_failed": "#c0392b", "run_end": "#5b8c5a"}
VERDICT_FIELDS = ("category", "error_class", "message", "remediation")


def payload(event: str, text: str, facts: JSONDict) -> JSONDict:
    """A Slack/Mattermost incoming-webhook message: ``text``, one attachment with the facts as
    fields, and the facts themselves under ``sortcanary``."""
    shown = {k: v for k, v in facts.items() if isinstance(v, (str, int, float)) and v != ""}
    fields = [{"title": k, "value": str(v), "short": len(str(v)) < 40} for k, v in shown.items()]
    return {"text": text,
            "attachments": [{"fallback": text, "color": COLORS.get(event, "#888888"), "fields": fields}],
            "sortcanary": {"event": event, "host": socket.gethostname(), **facts}}


def send(settings: JSONDict, event: str, text: str, facts: JSONDict) -> None:
    """Send one message through every channel ``settings`` (the config's ``notify``) sets up, if
    ``event`` is switched on. Never raises."""
    if not settings.get("events", {}).get(event, True):
        return
    message = payload(event, text, facts)
    if settings.get("webhook"):
        _post(settings["webhook"], message, settings.get("timeout_s", 10))
    if settings.get("command"):
        _run(settings["command"], message, settings.get("timeout_s", 10))


def _post(url: str, message: JSONDict, timeout_s: float) -> None:
    request = urllib.request.Request(url, data=json.dumps(message).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except Exception as exc:  # noqa: BLE001 -- see the module doc: a notifier never fails the run
        log.warning("notify.webhook: sending the %s message failed (%s: %s); the run goes on",
                    message["sortcanary"]["event"], type(exc).__name__, exc)


def _run(command: list[str], message: JSONDict, timeout_s: float) -> None:
    facts = message["sortcanary"]
    env = {**os.environ, "SORTCANARY_EVENT": facts["event"], "SORTCANARY_TEXT": message["text"],
           **{f"SORTCANARY_{k.upper()}": str(facts.get(k, "")) for k in ("recording", "job", *VERDICT_FIELDS)}}
    try:
        done = subprocess.run(list(command), input=json.dumps(message), text=True, env=env, timeout=timeout_s,
                              capture_output=True)
        if done.returncode != 0:
            log.warning("notify.command %s exited with %d (%s); the run goes on", command[0], done.returncode,
                        done.stderr.strip()[-300:])
    except Exception as exc:  # noqa: BLE001 -- see the module doc
        log.warning("notify.command %s failed (%s: %s); the run goes on", command[0], type(exc).__name__, exc)


def event_of(job: str, record: JSONDict) -> str | None:
    """Which event a job's verdict record is: a block, an environment halt, a failed sort, or none.
    A job stopped by an earlier halt says nothing: the halt itself was sent."""
    evidence = record.get("evidence") or {}
    if "halted_by" in evidence or "retries_skipped" in record:
        return None
    if job == "preflight" and record.get("status") == "failed":
        return "halt"
    if record.get("policy") == BLOCK_RUN and (record.get("verdict") == "blocked" or record.get("status") == "failed"):
        return "halt"
    if job == "canary" and record.get("verdict") == "blocked":
        return "blocked"
    if job == "sort" and record.get("status") == "failed":
        return "sort_failed"
    return None


def notify_verdict(settings: JSONDict, job: str, verdict_path: str | Path) -> None:
    """After a job: send its verdict if it blocked, halted or failed (read from ``verdict_path``)."""
    try:
        record = read_json(verdict_path) or {}
        event = event_of(job, record)
        if event is None:
            return
        what = {"blocked": "canary BLOCKED", "halt": "run HALTED at", "sort_failed": "full sort FAILED"}[event]
        name = record.get("recording") or job
        text = (f"sortcanary: {what} {name}: {record.get('category')}/{record.get('error_class')}: "
                f"{record.get('message', '')}")
        facts = {"recording": record.get("recording", ""), "job": job,
                 **{k: record.get(k, "") for k in VERDICT_FIELDS}, "verdict": str(verdict_path),
                 "attempt": record.get("attempt", "")}
        send(settings, event, text, facts)
    except Exception as exc:  # noqa: BLE001 -- see the module doc
        log.warning("notify: could not send the %s verdict (%s: %s)", job, type(exc).__name__, exc)


def notify_run_end(settings: JSONDict, rows: Sequence[Row], succeeded: bool) -> None:
    """At the end of a run: the summary's counts, and which recordings need a person."""
    try:
        counts = {"recordings": len(rows), "sorted": sum(r.sort == "done" for r in rows),
                  "blocked": sum(r.sort == "blocked" or r.canary == "blocked" for r in rows),
                  "failed": sum(r.sort == "failed" for r in rows)}
        attention = [f"{r.recording} ({r.category}/{r.error_class})" for r in rows
                     if r.canary == "blocked" or r.sort in ("blocked", "failed")]
        text = (f"sortcanary: run {'finished' if succeeded else 'ended with errors'}: {counts['sorted']} of "
                f"{counts['recordings']} recordings sorted, {counts['blocked']} blocked, {counts['failed']} failed")
        if attention:
            text += f"; needs attention: {', '.join(attention[:20])}"
        send(settings, "run_end", text, {**counts, "succeeded": str(succeeded).lower(),
                                         "summary": os.path.abspath(layout.SUMMARY_HTML)})
    except Exception as exc:  # noqa: BLE001 -- see the module doc
        log.warning("notify: could not send the end-of-run message (%s: %s)", type(exc).__name__, exc)
