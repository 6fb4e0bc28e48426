"""Recordings: the first contract. Discovery finds them (metadata only), ``open_recording`` opens
one lazily, and ``RecordingEntry`` is the plain value every later stage reads."""

from .discovery import Discovery, discover, entry_for_path
from .entry import NAME_PATTERN, DiscoveryError, EntryError, Problem, RecordingEntry
from .open import open_recording
from .window import Window, window_of

__all__ = ["NAME_PATTERN", "Discovery", "DiscoveryError", "EntryError", "Problem", "RecordingEntry", "Window",
           "discover", "entry_for_path", "open_recording", "window_of"]
