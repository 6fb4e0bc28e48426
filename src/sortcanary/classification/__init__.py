"""The classifier: from an exception, an exit status or an error text to a verdict of the taxonomy.

One classifier, two inputs. An exception still in hand (in the sorter's child process) and a text
(a log, a pasted traceback, a container's output, a SLURM ``.err`` file, ``sortcanary classify``)
are both reduced to one parsed failure (``parse``): the exception types along the chain with their
messages, errno, exit status and signal, the scheduler's state, the sorter and its stage, the
sorter's own log markers. One rule set (``families``, plus a lab's ``classification.rules``,
``rules.lab_rules``) then decides on it (``decide``), each rule naming a mechanism of failure.

Everything is checked in the priority environment > resource > biological: a configuration problem
on an active recording must never be called a silent recording, and an out-of-memory crash that
also left a TruncatedSVD error behind is a resource problem. Anything unrecognised is
``unclassified``: a false block costs a recording a day, so the text must say what it is.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the type checker; at run time each name is imported where it lives, on first use
    from .allocations import implausible_allocation
    from .decide import classify, classify_exception, classify_exit, classify_text, explain
    from .parse import ParsedFailure, parse_exception, parse_text
    from .rules import lab_rules

# Where each name lives. The built-in rules (decide, and the families it gathers) compile their
# patterns as they are imported, about 0.05 s of every process's start; a job pays that only when
# something failed. Checking a lab's rules (rules) or reducing an exception in hand to its parsed
# failure (parse), which every job and sorter child does, doesn't need them.
HOMES = {"implausible_allocation": "allocations", "classify": "decide", "classify_exception": "decide",
         "classify_exit": "decide", "classify_text": "decide", "explain": "decide", "ParsedFailure": "parse",
         "parse_exception": "parse", "parse_text": "parse", "lab_rules": "rules"}
__all__ = ["ParsedFailure", "classify", "classify_exception", "classify_exit", "classify_text", "explain",
           "implausible_allocation", "lab_rules", "parse_exception", "parse_text"]


def __getattr__(name: str) -> object:
    if name not in HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{HOMES[name]}", __name__), name)
