"""The packages the classifier knows by name: which module's absence means what, and whose code ran an import.

A missing sorter is ``sorter_not_installed``; a missing module of the stack it runs on, or one the
stack's code imports, is ``dependency_missing``; the container engines' Python clients and the
optional outputs' packages have their own classes. An import run by sortcanary's own code that
fails is a bug to report, never an environment to blame.
"""

import re

# The sorters themselves (a missing one is sorter_not_installed) and the stack they run on (a missing
# module of it, or one its code imports, is dependency_missing); the Python clients of the container
# engines and the packages of the optional outputs.
SORTER_PACKAGES = frozenset({"kilosort", "mountainsort4", "ml_ms4alg", "mountainsort5", "spykingcircus", "pykilosort",
                             "tridesclous", "herdingspikes"})  # ml_ms4alg: MountainSort 4's module before its rename
SORTER_STACK = SORTER_PACKAGES | {"spikeinterface", "probeinterface", "neo", "torch", "faiss", "sklearn", "scipy",
                                  "numba", "cupy", "numpy", "pandas", "h5py"}
EXPORTER_MODULES = frozenset({"pynwb", "hdmf"})
CONTAINER_MODULES = frozenset({"docker", "spython"})
# Packages whose parts ship as distributions of their own (namespace packages; Qt's WebEngine modules inside
# PyQt): "No module named 'google.protobuf'" says a distribution is missing, not that google has another version.
SEPARATE_PARTS = frozenset({"google", "mpl_toolkits", "backports", "jaraco", "sphinxcontrib", "zope", "azure", "nvidia",
                            "PyQt5.QtWebEngine", "PyQt5.QtWebEngineCore", "PyQt5.QtWebEngineWidgets", "PyQt5.sip",
                            "PyQt6.QtWebEngineCore", "PyQt6.QtWebEngineWidgets", "PyQt6.sip"})
# Private modules a major release added or removed (numpy 2's numpy._core, torch 2's removed torch._six): their
# absence says which version is installed, not that a compiled part is broken (a part below them missing,
# 'numpy._core._multiarray_umath', says numpy._core is there: a broken build).
RENAMED_PRIVATE = ("numpy._core", "torch._six")
# Private compiled modules an extension built against a package imports by their bare name (numpy's C API, in
# Python 2 and old numpy, says "No module named _multiarray_umath"): the extension was built against a newer
# release of the owner than the one installed (numpy 1.16 added it).
BARE_PRIVATE = {"_multiarray_umath": "numpy"}
OURS = "sortcanary"
IMPORTERS = SORTER_STACK | {OURS}  # the packages an import's frames are attributed to (importer_of)


def importer_of(paths: list[str]) -> str | None:
    """The package whose code ran an import, from the frames' file paths (innermost last): the folder
    after site-packages of the innermost real frame (a wrapper's folder named after its sorter,
    ``spikeinterface/sorters/mountainsort4/``, is still SpikeInterface's code), else a known package
    (packages.IMPORTERS) named in its folders (a source checkout); import machinery frames are skipped."""
    for path in reversed(paths):
        if path.startswith("<frozen") or "importlib" in path:
            continue
        parts = re.split(r"[\\/]", path)[:-1]
        for marker in ("site-packages", "dist-packages"):
            if marker in parts and parts.index(marker) + 1 < len(parts):
                return parts[parts.index(marker) + 1]
        return next((p for p in reversed(parts) if p in IMPORTERS), None)
    return None
