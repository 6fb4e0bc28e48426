"""The classifier on Kilosort 4's failures reproduced for real, on the data and settings users get wrong.

Each case was produced by running ``spikeinterface.sorters.run_sorter("kilosort4", ...)`` (Kilosort 4.1.7,
SpikeInterface 0.105.3, ``torch_device="cpu"``) on a small generated recording (10 s x 16 channels at 25 kHz unless
the comment says otherwise; ``generate_ground_truth_recording``, ``sortcanary.demo``, ``NumpyRecording``) made wrong
the way a user's recording, probe or ``sorter_params`` are. Its text is what the run printed, copied, not retyped:
Kilosort 4's ``kilosort4.log`` lines at INFO and above just before the failure (its resource tables left out),
SpikeInterface's ``SpikeSortingError`` line, the inner traceback's frames from Kilosort's stage
(``run_kilosort.py``) through Kilosort's own to the raising one, the exception, and SpikeInterface's closing line;
a failure raised before the sorter ran is its traceback's last frames (the generating script's own left out).
Only the machine's paths were replaced (site-packages under /home/lab/.venv, the output folder
/data/lab/sorted/rec1) and Python's ``^^^`` marks dropped.

The cases are data (tests/data/reproduced_kilosort4.yaml): each names the cause that was induced (a class of
sortcanary.taxonomy), how it was produced and the verdict its text must get. They differ where the text does not
show the cause: a sorter that found no spikes is ``no_spikes_found``, which
the canary settles from the window's data (silent, flat, saturated, or detection set up wrong); NaN samples and
SpikeInterface's window checks stay unclassified (see each entry's ``how``). Either way the verdict never blames another
category than the cause's, and the look-alikes at the end are the same failures with the words that carry the
mechanism (Kilosort's frame, its log's count) taken away or changed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sortcanary.classification import classify
from sortcanary.taxonomy import CLASSES

# One entry per run (tests/data/reproduced_kilosort4.yaml): its id, the cause induced, the verdict its text must get,
# how it was produced, and the text.
CASES = [pytest.param(case["induced"], case["expected"], case["text"], id=case["id"])
         for case in yaml.safe_load((Path(__file__).parent / "data" / "reproduced_kilosort4.yaml").read_text())]


@pytest.mark.parametrize("induced, expected, text", CASES)
def test_a_reproduced_failure_gets_the_verdict_its_text_shows(induced, expected, text):
    verdict = classify(text)
    assert verdict.error_class == expected, verdict.evidence
    if verdict.classified and not CLASSES[expected].needs_evidence:
        assert verdict.category == CLASSES[induced].category  # never a false block: the cause's own category



def _case(name: str) -> str:
    return next(str(p.values[2]) for p in CASES if p.id == name)


def _from_the_traceback(text: str) -> str:
    """The text without Kilosort's log: what is pasted when only the traceback is."""
    return text[text.index("spikeinterface.sorters.utils.misc.SpikeSortingError"):]


def _as_console(text: str) -> str:
    """The log lines as Kilosort's console prints them (``name: message``, no time or level)."""
    return re.sub(r"^\S+ \S+ (kilosort\.\w+) +[A-Z]+ +", r"\1: ", text, flags=re.MULTILINE)


def _exception_alone(text: str) -> str:
    """The exception's own line: the library's words, any caller's."""
    return next(line for line in text.splitlines() if line.startswith(("IndexError", "ValueError", "torch.")))


LOOK_ALIKES = [
    # the same failures as Kilosort's console prints its log: the counts read alike
    pytest.param(_as_console(_case("th_learned_high")), "no_spikes_found", id="console-0-spikes-then-no-channel"),
    pytest.param(_as_console(_case("batch_larger")), "input_invalid", id="console-one-batch"),
    # the learned pass counted spikes, then no channel near any centre: the probe's geometry or dmin/dminx
    pytest.param(_case("th_learned_high").replace(" 0 spikes extracted", " 919 spikes extracted"), "probe_config_error",
                 id="no-channel-near-a-centre-after-919-spikes"),
    # whitening's non-finite values without Kilosort's batch count: NaN samples fail at the same line
    pytest.param(_from_the_traceback(_case("batch_larger")), "unclassified", id="non-finite-whitening-without-the-log"),
    pytest.param(_case("batch_larger").replace("N batches: 1", "N batches: 5"), "unclassified",
                 id="non-finite-whitening-over-5-batches"),
    # the exceptions alone: torch's, SciPy's and NumPy's words, which any caller meets
    pytest.param(_exception_alone(_case("bad_channels_all")), "unclassified", id="median-over-nothing-alone"),
    pytest.param(_exception_alone(_case("template_sizes_zero")), "unclassified", id="max-over-nothing-alone"),
    pytest.param(_exception_alone(_case("nt_small")), "unclassified", id="n-components-beyond-n-features-alone"),
    pytest.param(_exception_alone(_case("x_centers_big")), "unclassified", id="larger-sample-than-population-alone"),
    pytest.param(_exception_alone(_case("short_than_batch")), "unclassified", id="non-finite-svd-alone"),
    pytest.param(_exception_alone(_case("file_truncated_while_open")), "unclassified", id="mmap-past-the-end-alone"),
]


@pytest.mark.parametrize("text, expected", LOOK_ALIKES)
def test_the_same_failure_printed_otherwise_or_without_kilosorts_frame_or_count(text, expected):
    assert classify(text).error_class == expected
