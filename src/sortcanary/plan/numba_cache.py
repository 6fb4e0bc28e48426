"""numba's on-disk cache for what a sorter compiles, in the process that sorts.

Kilosort 4 compiles two numba functions in every process that imports it (its duplicate-spike
removal when it is imported, its cross-correlogram when it first merges clusters) and asks numba
to cache neither: about 4-5 s of CPU in every canary and every full sort (benchmark 12: 7-9 % of
a canary's on a CPU; more of its wall time on a GPU, where the sort is faster). numba can keep what
it compiled on disk and load it in the next process. Its cache is keyed by the function's source
file (its path, size and time), the CPU and numba's own version: an entry that does not match is
compiled anew, never used, and numba writes each entry to a temporary file it then renames, so
jobs that compile at once don't read each other's halves. What the key leaves out are the values of
the globals a function reads, which a cached function keeps from the process that compiled it: so
only the packages listed in SORTER_PACKAGES and RECIPE_PACKAGES are cached, whose functions were
read for that (they read numpy and numba's types, nothing a job sets).

Before the child first imports the sorter (``SpikeInterfaceSorter.prepare_process``), or estimates
a recipe's motion, which detects peaks with SpikeInterface's numba functions (``runner.chain``),
numba's ``jit``, which ``njit`` calls, is made to cache those packages' functions by default. A decorator
that says ``cache`` itself is left as it is, any other package's functions compile as before, and
so does a function numba could not cache (no source file, or no folder it may write). The cache
goes where numba puts it: ``__pycache__`` beside the sorter's source, else the user's cache
folder, or ``NUMBA_CACHE_DIR``. Only the child, which does nothing but sort, is changed this way:
never the user's own Python session (the Python API) nor Snakemake's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

# The packages (or modules) whose numba functions are cached, per sorter (SpikeInterface's name), and for
# a recipe's chain: read, they refer to no global a job could change (kilosort 4.1: CCG.compute_CCG,
# postprocessing.remove_duplicates; SpikeInterface 0.105's peak detection, which motion estimation runs:
# the locally exclusive and the matched-filtering detectors read their arguments and numpy only).
SORTER_PACKAGES = {"kilosort4": ("kilosort",)}
RECIPE_PACKAGES = ("spikeinterface.sortingcomponents.peak_detection",)

_CACHED: set[str] = set()  # the packages cache_by_default was given, in this process


def cache_by_default(packages: Iterable[str]) -> None:
    """Make numba's ``jit`` and ``njit`` cache what they compile of ``packages`` unless told otherwise."""
    try:
        import numba
        from numba.core import decorators, sigutils
    except ImportError:  # a sorter without numba compiles nothing
        return
    installed = bool(_CACHED)
    _CACHED.update(packages)
    if installed:
        return
    original = decorators.jit

    @functools.wraps(original)
    def jit(signature_or_function: Any = None, *args: Any, **kwargs: Any) -> Any:
        if args or "cache" in kwargs:  # options given by position, or the decorator chose
            return original(signature_or_function, *args, **kwargs)
        if not (signature_or_function is None or isinstance(signature_or_function, list)
                or sigutils.is_signature(signature_or_function)):  # a function: bare @jit, as numba tells
            return original(signature_or_function, cache=_cacheable(signature_or_function), **kwargs)

        def decorate(func: Callable[..., Any]) -> Any:
            return original(signature_or_function, cache=_cacheable(func), **kwargs)(func)

        return decorate

    decorators.jit = numba.jit = jit  # njit calls decorators.jit


def _cacheable(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is one of the listed packages' and numba can cache it (numba asks the same
    question when told to cache, and raises)."""
    from numba.core.caching import FunctionCache

    module = str(getattr(func, "__module__", ""))
    if not any(module == listed or module.startswith(f"{listed}.") for listed in _CACHED):
        return False
    try:
        FunctionCache(func)
    except Exception:  # noqa: BLE001 -- any reason numba gives (RuntimeError, OSError): compile as before
        return False
    return True
