"""numba's cache in the process that sorts (sortcanary.plan.numba_cache): what one job compiled,
the next loads, for the listed packages' functions whose decorators said nothing of caching; a
decorator's own word, a function numba can't cache and another package's functions are left as
they were."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import job_env

COMPILED = textwrap.dedent("""
    from numba import njit

    @njit
    def bare(x):
        return x + 1

    @njit("int64(int64)")  # compiled as it is defined, as Kilosort 4's duplicate removal is
    def eager(x):
        return x + 2

    @njit(cache=False)  # SpikeInterface's correlograms say this
    def refused(x):
        return x + 3

    namespace = {"__name__": __name__}  # this package's, but no file numba could key a cache on
    exec("def sourceless(x):\\n    return x + 4", namespace)
    sourceless = njit(namespace["sourceless"])

    from compiled_other import elsewhere  # a package not listed (its name only starts alike)

    print(bare(1), eager(1), refused(1), sourceless(1), elsewhere(1), len(bare.stats.cache_hits),
          len(eager.stats.cache_hits))
""")
OTHER = "from numba import njit\n\n\n@njit\ndef elsewhere(x):\n    return x + 5\n"


def test_what_one_sorting_process_compiled_the_next_loads(tmp_path):
    (tmp_path / "compiled.py").write_text(COMPILED)
    (tmp_path / "compiled_other.py").write_text(OTHER)
    cache = tmp_path / "cache"
    env = job_env(NUMBA_CACHE_DIR=str(cache), PYTHONPATH=f"{tmp_path}{os.pathsep}{os.environ['PYTHONPATH']}")
    code = ("from sortcanary.plan.numba_cache import cache_by_default; cache_by_default(['compiled']); "
            "cache_by_default(['compiled']); import compiled")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr[-2000:]
    first, second = (run.stdout.split() for run in runs)
    assert first == ["2", "3", "4", "5", "6", "0", "0"]
    assert second == ["2", "3", "4", "5", "6", "1", "1"]  # bare and eager came from the first process's cache
    assert sorted(p.name.split("-")[0] for p in cache.rglob("*.nbi")) == ["compiled.bare", "compiled.eager"]
