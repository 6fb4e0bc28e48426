"""A running job's progress as a tqdm bar, for notebooks and scripts (the Python API's sink).

The job keeps its latest progress in its ``progress.json`` (sortcanary.runner.progress, what
`sortcanary status` reads); this view polls that file from a thread in the calling process and
mirrors it into one tqdm bar: the stage as its description, the step's percent as its count and
the step's ETA beside it. Reading the file, not hooking the reporter, keeps the job's code path
the workflow's own. ``tqdm.auto`` draws a widget in Jupyter and a text bar elsewhere; without tqdm
(it comes with SpikeInterface, but is not required) there is no bar and the job's progress lines
on stderr remain.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

from ..atomic import read_json

POLL_S = 0.5


def tqdm_available() -> bool:
    try:
        import tqdm.auto  # noqa: F401 -- imported only to learn whether it can be
    except ImportError:
        return False
    return True


class TqdmProgress:
    """Mirror ``path`` (a job's progress.json) into a tqdm bar while the ``with`` block runs."""

    def __init__(self, path: Path, desc: str):
        self.path, self.desc = Path(path), desc
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Any = None  # a tqdm bar (tqdm ships no type information)
        self._stage: str | None = None

    def __enter__(self) -> TqdmProgress:
        if not tqdm_available():
            return self
        from tqdm.auto import tqdm

        self._bar = tqdm(total=100, desc=self.desc, unit="%", bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                         "[{elapsed}{postfix}]")
        self._thread = threading.Thread(target=self._run, name="sortcanary-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self._bar is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.refresh()
            self._bar.close()
        return False

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            self.refresh()

    def refresh(self) -> None:
        """Show what the job's progress file says now (nothing when it is not written yet)."""
        state = read_json(self.path)
        if not state or self._bar is None:
            return
        stage = state.get("stage") or "starting"
        if state.get("step") and state["step"] not in stage:
            stage += f" / {state['step']}"
        if stage != self._stage:
            self._stage = stage
            self._bar.set_description_str(f"{self.desc}: {stage}", refresh=False)
        percent = state.get("percent")
        self._bar.n = int(percent) if percent is not None else 0
        eta = state.get("eta_s")
        self._bar.set_postfix_str(f"step ETA {int(eta)} s" if eta is not None else "", refresh=False)
        self._bar.refresh()
