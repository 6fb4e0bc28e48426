"""sortcanary: canary-gated spike sorting.

A short leading window of each recording is sorted with the same sorter, code path and settings as
the full sort; only recordings whose canary does not fail in a classified way go on to the
multi-hour full sort.
"""

__version__ = "0.2.0"
