"""The types at the package's boundaries, where the type checker can see no further: each is ``Any``
to mypy, named here once so that a signature still says what it takes.

- YAML/JSON data: the config (config.yaml, checked against workflow/schemas/config.schema.yaml) and
  the records read and written (verdicts, evidence, job records, plans as dicts). Their shape is the
  schema's and the tests' to check; a value read from YAML or JSON is ``Any``.
- SpikeInterface's objects, h5py's and pynwb's: none ships type information (pyproject.toml's mypy
  overrides), so their classes are ``Any`` to mypy whichever name they go by.
"""

from __future__ import annotations

from typing import Any, TypeAlias

JSONDict: TypeAlias = dict[str, Any]

Recording: TypeAlias = Any  # spikeinterface.core.BaseRecording
Sorting: TypeAlias = Any  # spikeinterface.core.BaseSorting
Analyzer: TypeAlias = Any  # spikeinterface.core.SortingAnalyzer
H5: TypeAlias = Any  # an h5py File, Group or Dataset
Motion: TypeAlias = Any  # spikeinterface.core.Motion
NWB: TypeAlias = Any  # a pynwb object (NWBHDF5IO, NWBFile, ElectricalSeries, Subject...): no type information either
Metrics: TypeAlias = Any  # the quality metrics, a pandas.DataFrame (pandas ships no type information)
