"""Where a verdict or one line belongs, never a traceback: a recording gone since discovery, a
sorter whose sampling-rate range is open at one end, a reader that closes the pipe early."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import BIN, job_env, read_json
from sortcanary.checks.sampling_rate import check_sampling_frequency
from sortcanary.taxonomy import SortFailure


def test_a_recording_gone_since_discovery_is_a_verdict_of_the_full_sort(demo_dir, tmp_path):
    """The sort rule's input is the canary's marker, not the recording: a file moved or deleted
    after its canary passed reaches the full-sort job, which names it."""
    from sortcanary.config import validate_config
    from sortcanary.jobs.full_sort import run_full_sort
    from sortcanary.recordings import entry_for_path

    folder = tmp_path / "recordings"
    folder.mkdir()
    for path in demo_dir.glob("healthy_b*"):
        shutil.copy(path, folder / path.name)
    entry = entry_for_path(folder / "healthy_b.bin")
    (folder / "healthy_b.bin").unlink()
    cfg = validate_config({"recordings_dir": str(folder), "sorter": "backends:ThresholdSorter"})
    verdict_path = tmp_path / "logs" / "sort" / "healthy_b.verdict.json"
    code = run_full_sort(entry, cfg, marker_path=tmp_path / "marker.json", dest=tmp_path / "results" / "healthy_b",
                         done_path=tmp_path / "results" / "healthy_b.sort.json", scratch=tmp_path / "scratch",
                         log_path=tmp_path / "logs" / "sort" / "healthy_b.log", verdict_path=verdict_path)
    verdict = read_json(verdict_path)
    assert code == 1 and (verdict["status"], verdict["error_class"]) == ("failed", "input_invalid"), verdict
    assert str(folder / "healthy_b.bin") in verdict["message"] and "discovered" in verdict["message"]


class OneSided:
    name = "one-sided"

    def __init__(self, low, high):
        self.sampling_frequency_range = (low, high)


@pytest.mark.parametrize("low, high, rate, said", [(None, 5000.0, 30000.0, "at most 5000 Hz"),
                                                    (20000.0, None, 1000.0, "at least 20000 Hz"),
                                                    (10000.0, 100000.0, 1000.0, "10000-100000 Hz")])
def test_a_sampling_rate_range_open_at_one_end_is_described(low, high, rate, said):
    with pytest.raises(SortFailure) as raised:
        check_sampling_frequency(OneSided(low, high), rate, "rec.bin")
    assert raised.value.verdict.error_class == "input_invalid"
    assert f"{rate:g} Hz is outside what one-sided accepts ({said})" in raised.value.verdict.message


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback():
    """`sortcanary classify < log | head -1`: the reader is gone before the verdict is written."""
    proc = subprocess.Popen([str(BIN / "sortcanary"), "classify"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=job_env())
    proc.stdout.close()  # the reader goes away, as head does after its line
    _, stderr = proc.communicate(json.dumps({"error_trace": ["CUDA out of memory."]}).encode(), timeout=120)
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr, stderr.decode()[-2000:]
    assert proc.returncode == 141  # as a shell reports a process ended by SIGPIPE
