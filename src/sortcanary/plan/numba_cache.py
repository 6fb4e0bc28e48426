"""numba's on-disk cache for what a sorter compiles, in the process that sorts.

Kilosort 4 compiles two numba functions in every process that imports it (its duplicate-spike
removal when it is imported, its cross-correlogram when it first merges clusters) and asks numba
to cache neither: about 3.5 s of CPU in every canary and every full sort (benchmark 12), a quarter
of what a canary's short window costs on a CPU, and more than that of its wall time on a GPU. numba
can keep what it compiled on disk and load it in the next process. Its cache is keyed by the
function's source file (its path, size and time), the CPU and numba's own version: an entry that
does not match is compiled anew, never used, and numba writes each entry to a temporary file it
then renames, so jobs that compile at once don't read each other's halves.

So before the child first imports the sorter (``SpikeInterfaceSorter.prepare_process``), numba's
``jit``, which ``njit`` calls, is made to cache by default. A decorator that says ``cache`` itself
is left as it is (SpikeInterface's correlograms say ``cache=False``), and a function numba could
not cache (no source file, or no folder it may write) is compiled as before. The cache goes where
numba puts it: ``__pycache__`` beside the sorter's source, else the user's cache folder, or
``NUMBA_CACHE_DIR``. Only the child, which does nothing but sort, is changed this way: never the
user's own Python session (the Python API) nor Snakemake's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_MARK = "sortcanary_caches_by_default"


def cache_by_default() -> None:
    """Make numba's ``jit`` and ``njit`` cache what they compile unless told otherwise; once."""
    try:
        import numba
        from numba.core import decorators, sigutils
    except ImportError:  # a sorter without numba compiles nothing
        return
    if getattr(decorators.jit, _MARK, False):
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

    setattr(jit, _MARK, True)
    decorators.jit = numba.jit = jit  # njit calls decorators.jit


def _cacheable(func: Callable[..., Any]) -> bool:
    """Whether numba can cache ``func``: it asks the same question when told to, and raises."""
    from numba.core.caching import FunctionCache

    try:
        FunctionCache(func)
    except Exception:  # noqa: BLE001 -- any reason numba gives (RuntimeError, OSError): compile as before
        return False
    return True
