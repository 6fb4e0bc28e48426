"""sortcanary: canary-gated spike sorting.

A short leading window of each recording is sorted with the same sorter, code path and settings as
the full sort; only recordings whose canary does not fail in a classified way go on to the
multi-hour full sort.

From Python (a notebook, a script): ``sortcanary.run_sorter`` (``spikeinterface.sorters.run_sorter``
guarded by the canary), ``sortcanary.canary`` (the verdict alone), and their exceptions
``CanaryBlocked`` and ``FullSortFailed`` (sortcanary.python_api). They are imported on first use,
so that the workflow's jobs and the CLI, which import this package, don't pay for them.
"""

__version__ = "0.2.0"

PYTHON_API = ("run_sorter", "canary", "CanaryBlocked", "FullSortFailed")
__all__ = ["CanaryBlocked", "FullSortFailed", "__version__", "canary", "run_sorter"]


def __getattr__(name: str) -> object:
    if name in PYTHON_API:
        from . import python_api

        return getattr(python_api, name)
    raise AttributeError(f"module 'sortcanary' has no attribute {name!r}")
