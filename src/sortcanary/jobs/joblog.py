"""Logging for workflow jobs: everything a job says goes to its rule's ``log:`` file."""

import logging


def log_to(path: str) -> None:
    """Send all logging (ours, SpikeInterface's, Kilosort's) to ``path``, appending."""
    handler = logging.FileHandler(path, mode="a")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
