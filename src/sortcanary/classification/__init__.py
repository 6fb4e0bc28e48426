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

from .allocations import implausible_allocation
from .decide import classify, classify_exception, classify_exit, classify_text, explain
from .parse import ParsedFailure, parse_exception, parse_text
from .rules import lab_rules

__all__ = ["ParsedFailure", "classify", "classify_exception", "classify_exit", "classify_text",
           "explain", "implausible_allocation", "lab_rules", "parse_exception", "parse_text"]
