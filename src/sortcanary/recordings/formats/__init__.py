"""The format registry: one module per acquisition format, in detection order.

Each module owns everything sortcanary knows about its format, in the spirit of SpikeInterface's
sorter registry:

* ``FORMAT`` (its name in the config's ``formats.include``) and ``SUFFIXES`` (stripped from file
  names to name the session);
* ``detect(path, is_dir) -> bool``: is this directory entry of the format? From names only
  (suffixes, marker files; ``is_dir`` is stat'ed once by discovery for every format), so a corrupt
  file is still recognised as its format and reported as such;
* ``entries(path, ctx) -> [RecordingEntry | Problem]``: one entry per sortable stream, from headers
  and metadata only, never traces; an error that spoils the whole source raises EntryError;
* ``open_recording(entry)``: the lazy SpikeInterface recording, through its extractor.

Optionally, ``session_start(entry)``: the acquisition's own clock (sortcanary.recordings.session_start).

A new format is one module with these names and one line in ``REGISTRY``. Order matters
where two could claim an entry: a SpikeInterface folder before the acquisition folders, a loose
SpikeGLX ``.bin`` (with a ``.meta``) before the raw binary layout. ``si_object`` is the one
module that is never detected (so it has no ``entries``): it opens the recording objects the
Python API hands over.
"""

from __future__ import annotations

from . import binary, intan, maxwell, nwb, openephys, si_folder, si_object, spikeglx
from .context import FormatContext, session_name

REGISTRY = {module.FORMAT: module for module in (si_folder, openephys, spikeglx, nwb, maxwell, intan, binary,
                                                  si_object)}
FORMATS = tuple(REGISTRY)
ALL_SUFFIXES = tuple(suffix for module in REGISTRY.values() for suffix in module.SUFFIXES)

__all__ = ["ALL_SUFFIXES", "FORMATS", "REGISTRY", "FormatContext", "session_name"]
