"""Sorter backends behind one interface, resolved from the config's ``sorter`` string.

* A SpikeInterface sorter name (``kilosort4``, ...) runs through ``spikeinterface.sorters.run_sorter``.
* ``package.module:Class`` loads a custom backend: a class with this module's ``SorterBackend``
  interface. This is the extension point for in-house sorters, and the one the tests use for
  behaviour real sorters can't be made to show on demand (an unexpected crash, a hang, a kill).

The canary and the full sort resolve the same string, so they always run the same code path.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from .. import layout
from ..atomic import read_json, write_json_atomic
from ..boundary import JSONDict, Recording, Sorting
from ..taxonomy import SortFailure, verdict_for

if TYPE_CHECKING:
    import torch

# A container image as SpikeInterface's run_sorter takes it: its name, True for the sorter's own image,
# False or None for none
ContainerImage: TypeAlias = "str | bool | None"


class SorterBackend:
    """What sortcanary needs from a sorter."""

    name = "backend"
    # Sampling rates (Hz) the sorter can work with; None = no limit known.
    sampling_frequency_range: tuple[float | None, float | None] = (None, None)

    def version(self) -> str:
        return "unknown"

    def prepare_process(self) -> None:
        """Set up the process that will sort, before it first imports the sorter: the child calls
        this once, first thing in its sort. Nothing by default."""

    def check_installed(self, *, docker_image: ContainerImage = None, singularity_image: ContainerImage = None) -> None:
        """Raise SortFailure(sorter_not_installed) when the sorter can't run here.

        A custom backend was imported to get here; what is left to check by default is that it
        implements ``run``. Backends that need more (a binary, a licence) override this."""
        if type(self).run is SorterBackend.run:
            raise SortFailure(verdict_for("sorter_not_installed", message=f"sortcanary: backend {type(self).__name__} "
                                          "does not implement run(recording, folder, params); it can't sort."))

    def default_params(self) -> JSONDict:
        return {}

    def run(self, recording: Recording, folder: Path, params: JSONDict, *, docker_image: ContainerImage = None,
            singularity_image: ContainerImage = None) -> Sorting:
        """Sort ``recording`` into ``folder`` and return a SpikeInterface BaseSorting.

        The container options (container_options) are passed only when the config sets one.
        """
        raise NotImplementedError

    def log_files(self, folder: Path) -> list[Path]:
        """Files whose growth means progress and whose text helps classify a failure."""
        return [folder / "spikeinterface_log.json"]

    def check_full_read(self, recording: Recording, start_s: float, params: JSONDict) -> JSONDict:
        """In the canary: read ``recording`` (the whole of it, as the full sort will hand it to
        ``run``) where the canary's window starts, the way this sorter will read it in the full
        sort; return what was found, for the canary's log. Raise SortFailure when the full sort
        could not read it, or would read other samples than the canary sorted. A backend that
        reads its recording through SpikeInterface, as the canary's window is read, has nothing
        to check (this default)."""
        return {}


# Kilosort4's filters, template length (nt=61 samples) and drift binning assume spike-band data
# sampled at tens of kHz; an LFP stream (1-2.5 kHz) or a mis-set rate can't be sorted meaningfully.
SAMPLING_FREQUENCY_RANGES = {"kilosort4": (10_000.0, 100_000.0)}
# The distribution that installs each sorter, so that its version is known without importing it.
# Listing Kilosort4's default parameters imports it (torch, faiss: ~3 s), which every job's parent
# process did to build its plan, before its child imported the sorter again to run it (benchmark 3).
# Read once per installed version and kept (layout.SORTER_DEFAULTS); a sorter missing here is
# asked every time.
DISTRIBUTIONS = {"kilosort4": "kilosort"}


class SpikeInterfaceSorter(SorterBackend):
    def __init__(self, name: str, root: str = "."):
        from spikeinterface.sorters import sorter_dict

        self.name, self.root = name, root  # root: the working directory its defaults are kept under
        self._cls = sorter_dict[name]
        self.sampling_frequency_range = SAMPLING_FREQUENCY_RANGES.get(name, (None, None))

    def version(self) -> str:
        try:
            return str(self._cls.get_sorter_version())
        except Exception:  # noqa: BLE001 -- not installed: the version is unknowable, check_installed says why
            return "not installed"

    def prepare_process(self) -> None:
        """numba caches what the sorter compiles, for the next job to load (sortcanary.plan.numba_cache)."""
        from .numba_cache import SORTER_PACKAGES, cache_by_default

        if self.name in SORTER_PACKAGES:
            cache_by_default(SORTER_PACKAGES[self.name])

    def _not_installed(self, detail: str) -> SortFailure:
        return SortFailure(verdict_for("sorter_not_installed", message=f"The sorter {self.name} is not installed"
                                       f" or cannot be imported ({detail})."))

    def check_installed(self, *, docker_image: ContainerImage = None, singularity_image: ContainerImage = None) -> None:
        """Installed *and importable*: SpikeInterface's is_installed() only finds the module, so a
        broken install would pass it and fail hours later on first use."""
        if docker_image or singularity_image:  # the container brings the sorter; preflight checks the engine
            return
        if not self._cls.is_installed():
            raise self._not_installed("not found")
        self._listed_params(self._kept_params())  # imports the sorter, whatever is kept

    def default_params(self) -> JSONDict:
        kept = self._kept_params()
        cached = read_json(kept, default=None) if kept else None
        return cached if isinstance(cached, dict) else self._listed_params(kept)

    def _listed_params(self, kept: Path | None) -> JSONDict:
        """The defaults as the sorter lists them (importing it), kept at ``kept`` when given."""
        try:
            params = dict(self._cls.default_params())
        except ImportError as exc:  # some sorters import their package to list their parameters
            raise self._not_installed(f"{type(exc).__name__}: {exc}") from exc
        if kept:
            try:
                write_json_atomic(kept, params)
            except (OSError, TypeError, ValueError):  # a read-only folder or an odd value: asked next time
                pass
        return params

    def _kept_params(self) -> Path | None:
        """Where the defaults of the installed version are kept (None: not known for this sorter)."""
        from importlib.metadata import PackageNotFoundError, version

        import spikeinterface

        try:
            installed = version(DISTRIBUTIONS[self.name])
        except (KeyError, PackageNotFoundError):
            return None
        return Path(layout.path(layout.SORTER_DEFAULTS, self.root, sorter=self.name,
                                version=f"{installed}-si{spikeinterface.__version__}"))

    def run(self, recording: Recording, folder: Path, params: JSONDict, *, docker_image: ContainerImage = None,
            singularity_image: ContainerImage = None) -> Sorting:
        from spikeinterface.sorters import run_sorter

        return run_sorter(
            self.name,
            recording,
            folder=str(folder),
            remove_existing_folder=True,
            verbose=True,
            docker_image=docker_image or False,
            singularity_image=singularity_image or False,
            **params,
        )

    def log_files(self, folder: Path) -> list[Path]:
        return [folder / "spikeinterface_log.json", folder / "sorter_output" / f"{self.name}.log"]

    def check_full_read(self, recording: Recording, start_s: float, params: JSONDict) -> JSONDict:
        """Kilosort4 reads a recording one of two ways (SpikeInterface's wrapper, 0.105). One that is
        not a plain binary file (a window, a channel selection, a filter chain, any format but raw
        binary) is written by SpikeInterface into ``recording.dat`` first, and Kilosort4 reads that
        copy: how the canary's window always reaches it. A plain binary file (one file, samples x
        channels) is handed to Kilosort4 by its name alone, and Kilosort4 memory-maps it itself, from
        byte 0, as ``n_chan_bin`` channels of the recording's dtype: a full sort can read what its
        canary never did. So that file is opened here with Kilosort4's own reader, and one batch of it
        at the window's start is compared with what SpikeInterface reads there."""
        if self.name != "kilosort4":
            return {}
        if not recording.binary_compatible_with(time_axis=0, file_paths_length=1):
            return {"read": "recording.dat written by SpikeInterface, as the canary's window"}
        import numpy as np
        from kilosort.io import BinaryRWFile

        binary = recording.get_binary_description()
        path, channels, dtype = str(binary["file_paths"][0]), recording.get_num_channels(), str(recording.get_dtype())
        found = {"read": "the file itself, memory-mapped by Kilosort4", "file": path, "dtype": dtype,
                 "n_chan_bin": channels, "file_offset": int(binary["file_offset"])}
        header = (f" (its samples start at byte {found['file_offset']}, but Kilosort4 is given only the file's name "
                  "and reads from byte 0)" if found["file_offset"] else "")
        try:
            reader = BinaryRWFile(path, channels, fs=recording.sampling_frequency, dtype=dtype,
                                  NT=int(params.get("batch_size", 60000)), device=_cpu())
        except (OSError, ValueError) as exc:  # e.g. "Bytes in binary file did not divide evenly"
            raise SortFailure(verdict_for("input_invalid", message=f"{path}: Kilosort4 could not read the whole "
                                          f"recording as {channels} channels of {dtype}{header}: {exc}")) from exc
        start = min(round(start_s * recording.sampling_frequency), recording.get_num_samples() - 1)
        end = min(start + int(reader.NT), recording.get_num_samples())
        theirs = np.asarray(reader.file[start:end])  # the raw samples (a uint16 file is shifted after, either way)
        ours = recording.get_traces(start_frame=start, end_frame=end)
        if theirs.shape != ours.shape or not np.array_equal(theirs, ours):
            raise SortFailure(verdict_for("input_invalid", message=f"{path}: Kilosort4 would read other samples "
                                          f"from this file than SpikeInterface reads{header}; the canary's window "
                                          "was read through SpikeInterface, the full sort would sort the other "
                                          "samples. Save the recording as a SpikeInterface folder "
                                          "(recording.save(folder=...)) and sort that."))
        return {**found, "checked_frames": [start, end]}


def _cpu() -> torch.device:
    import torch

    return torch.device("cpu")


def resolve_backend(spec: str, root: str = ".") -> SorterBackend:
    """The backend for a config ``sorter`` string; unknown names are an environment failure.
    ``root`` is the working directory (a plan's ``root``) whose files a backend may keep."""
    if ":" in spec:
        module_name, _, attr = spec.partition(":")
        try:
            backend_cls = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise SortFailure(
                verdict_for("unknown_sorter", message=f"sortcanary: unknown sorter '{spec}': cannot import it ({exc}).")
            ) from exc
        backend: SorterBackend = backend_cls()
        return backend
    from spikeinterface.sorters import sorter_dict

    if spec not in sorter_dict:
        known = ", ".join(sorted(sorter_dict))
        raise SortFailure(
            verdict_for("unknown_sorter", message=f"sortcanary: unknown sorter '{spec}'; SpikeInterface knows: {known}.")
        )
    return SpikeInterfaceSorter(spec, root)
