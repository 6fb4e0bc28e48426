"""Notifications, received for real: a webhook server on 127.0.0.1 and a command, during a real
workflow run (threshold test backend) over a healthy and a flat recording."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from conftest import OUTPUTS_OFF, read_summary, run_snakemake, write_config
from sortcanary.views.notify import send


def flat_beside_healthy(demo_dir, folder):
    """healthy_b from the demo, and 'flat': the same sidecar and probe over all-zero traces."""
    folder.mkdir(parents=True)
    for suffix in (".bin", ".json", ".probe.json"):
        shutil.copy(demo_dir / f"healthy_b{suffix}", folder / f"healthy_b{suffix}")
    sidecar = json.loads((demo_dir / "healthy_b.json").read_text())
    samples = (demo_dir / "healthy_b.bin").stat().st_size // np.dtype(sidecar["dtype"]).itemsize
    np.zeros(samples, dtype=sidecar["dtype"]).tofile(folder / "flat.bin")
    shutil.copy(demo_dir / "healthy_b.probe.json", folder / "flat.probe.json")
    (folder / "flat.json").write_text(json.dumps({**sidecar, "probe": "flat.probe.json"}))
    return folder


@pytest.fixture
def webhook():
    """An HTTP server on 127.0.0.1 that records every JSON body POSTed to it."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"content_type": self.headers["Content-Type"], **json.loads(body)})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/sortcanary", received
    server.shutdown()
    server.server_close()


def test_a_run_sends_the_block_and_the_end_of_run(demo_dir, tmp_path, webhook):
    url, received = webhook
    recordings = flat_beside_healthy(demo_dir, tmp_path / "rec")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    command = [sys.executable, "-c", "import os, sys; open(os.path.join(sys.argv[1], os.environ['SORTCANARY_EVENT']"
               " + '.' + (os.environ['SORTCANARY_RECORDING'] or 'run') + '.json'), 'w').write(sys.stdin.read())",
               str(outbox)]
    work = tmp_path / "work"
    write_config(work, recordings_dir=str(recordings), sorter="backends:ThresholdSorter",
                 notify={"webhook": url, "command": command}, outputs=OUTPUTS_OFF)
    result = run_snakemake(work, timeout=600)
    assert result.returncode != 0, "the flat recording's canary is a failed job"
    assert read_summary(work)["healthy_b"]["sort"] == "done", result.stderr[-3000:]

    events = [(m["sortcanary"]["event"], m["sortcanary"].get("recording")) for m in received]
    assert events == [("blocked", "flat"), ("run_end", None)], events
    block, end = received
    assert block["content_type"] == "application/json"
    assert block["sortcanary"]["error_class"] == "flat_signal" and block["sortcanary"]["category"] == "biological"
    assert "canary BLOCKED flat" in block["text"] and "flat_signal" in block["text"]
    fields = {f["title"]: f["value"] for f in block["attachments"][0]["fields"]}
    assert fields["remediation"] and fields["verdict"] == "logs/canary/flat.verdict.json"
    assert end["sortcanary"]["recordings"] == 2 and end["sortcanary"]["sorted"] == 1
    assert end["sortcanary"]["blocked"] == 1 and "flat (biological/flat_signal)" in end["text"]

    # the command channel got the same messages on stdin
    assert sorted(p.name for p in outbox.iterdir()) == ["blocked.flat.json", "run_end.run.json"]
    assert json.loads((outbox / "blocked.flat.json").read_text())["sortcanary"]["error_class"] == "flat_signal"


def test_a_failing_notifier_only_warns(tmp_path, caplog):
    """Nothing listens on the webhook's port and the command fails: a warning each, no exception."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: the POST is refused
    settings = {"webhook": f"http://127.0.0.1:{port}/", "timeout_s": 5, "events": {"blocked": True},
                "command": [sys.executable, "-c", "import sys; sys.exit(7)"]}
    with caplog.at_level(logging.WARNING, logger="sortcanary"):
        send(settings, "blocked", "sortcanary: canary BLOCKED x", {"recording": "x"})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("notify.webhook" in w and "refused" in w.lower() for w in warnings), warnings
    assert any("notify.command" in w and "exited with 7" in w for w in warnings), warnings
    caplog.clear()
    send({**settings, "events": {"blocked": False}}, "blocked", "x", {})
    assert not caplog.records, "a switched-off event sends nothing"
