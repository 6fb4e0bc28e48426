"""Discovery's shortcuts for large batches (bench/bench_dag_scale.py) must not change what it finds.

A shared probe file is parsed once per version of the file, folders are resolved once, and entries
are copied to dicts by hand; a changed probe, a symlinked recording or folder, and the entry's dict
must all come out exactly as without the shortcuts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

from sortcanary.recordings import RecordingEntry, discover

TINY = Path(__file__).resolve().parent / "data" / "tiny"


def _batch(folder: Path, n: int) -> Path:
    """n copies of the tiny raw recording sharing one probe file."""
    folder.mkdir()
    shutil.copy(TINY / "tiny.probe.json", folder / "probe.json")
    sidecar = json.loads((TINY / "tiny.json").read_text())
    sidecar["probe"] = "probe.json"
    for i in range(n):
        shutil.copy(TINY / "tiny.bin", folder / f"rec{i}.bin")
        (folder / f"rec{i}.json").write_text(json.dumps(sidecar))
    return folder


def test_an_edited_shared_probe_is_read_again(tmp_path):
    folder = _batch(tmp_path / "recs", 3)
    assert sorted(discover(folder).recordings) == ["rec0", "rec1", "rec2"]
    probe = json.loads((folder / "probe.json").read_text())
    for key in ("contact_positions", "contact_plane_axes", "contact_shapes", "contact_shape_params",
                "contact_ids", "shank_ids", "device_channel_indices"):
        if key in probe["probes"][0]:
            probe["probes"][0][key] = probe["probes"][0][key][:3]
    (folder / "probe.json").write_text(json.dumps(probe))
    found = discover(folder)
    assert not found.recordings
    assert len(found.problems) == 3
    assert all("has 3 contacts but sidecar" in p.message for p in found.problems)


def test_symlinked_folder_and_recording_resolve_to_their_targets(tmp_path):
    real = _batch(tmp_path / "real", 1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.replace(real / "rec0.bin", elsewhere / "rec0.bin")
    (real / "rec0.bin").symlink_to(elsewhere / "rec0.bin")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    entry = discover(tmp_path / "link").recordings["rec0"]
    assert entry.path == str((elsewhere / "rec0.bin").resolve())
    assert entry.input_files == (str((elsewhere / "rec0.bin").resolve()), str((real / "rec0.json").resolve()),
                                 str((real / "probe.json").resolve()))
    assert entry.binary["probe"] == str((real / "probe.json").resolve())


def test_entry_dict_is_the_dataclass_dict_and_a_copy(tmp_path):
    """The dataclass's fields, less those of a split or join left at their defaults (so that an
    unsplit recording's params, and its jobs, stay as they were before splits existed)."""
    from sortcanary.recordings.entry import UNSPLIT

    entry = discover(_batch(tmp_path / "recs", 1)).recordings["rec0"]
    data = entry.as_dict()
    assert data == {k: v for k, v in dataclasses.asdict(entry).items() if k not in UNSPLIT}
    assert RecordingEntry.from_dict(data) == entry
    data["binary"]["dtype"] = "changed"
    assert entry.binary["dtype"] != "changed"
