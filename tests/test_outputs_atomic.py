"""Atomic writes, the strict scratch wipe, deterministic markers, result publication: the success
paths, the failure paths, and the on-disk state a crash in the middle of a publication leaves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sortcanary import atomic
from sortcanary.atomic import (
    dumps,
    exchange,
    publish_dir,
    recover_interrupted,
    replaced_dir_for,
    staging_dir_for,
    wipe_dir,
    write_json_atomic,
    write_text_atomic,
)


def test_wipe_is_strict_and_empties_the_folder(tmp_path):
    scratch = tmp_path / "scratch"
    (scratch / "old").mkdir(parents=True)
    (scratch / "old" / "leftover.dat").write_bytes(b"x")
    assert list(wipe_dir(scratch).iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0 and not os.path.exists("/usr/bin/chattr"), reason="needs chattr as root")
def test_wipe_failure_raises(tmp_path):
    """A scratch folder that can't be emptied must stop the job, not be sorted on top of."""
    import subprocess

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    stuck = scratch / "stuck"
    stuck.write_bytes(b"x")
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(stuck)], check=True)  # immutable: even root can't delete it
    else:
        scratch.chmod(0o500)
    try:
        with pytest.raises(OSError):
            wipe_dir(scratch)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(stuck)], check=True)
        scratch.chmod(0o700)


def test_json_is_deterministic():
    assert dumps({"b": 1, "a": {"d": 2, "c": 3}}) == dumps({"a": {"c": 3, "d": 2}, "b": 1})


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "m.json"
    write_json_atomic(target, {"status": "pass"})
    write_json_atomic(target, {"status": "pass"})
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_publish_never_overwrites_a_finished_result(tmp_path):
    final = tmp_path / "sorted" / "rec"
    first = staging_dir_for(final)
    (first / "sort.json").write_text("{}")
    publish_dir(first, final)
    second = staging_dir_for(final)
    (second / "sort.json").write_text('{"new": 1}')
    with pytest.raises(FileExistsError):
        publish_dir(second, final)
    assert (final / "sort.json").read_text() == "{}"
    publish_dir(second, final, replace=True)
    assert (final / "sort.json").read_text() == '{"new": 1}'
    assert sorted(p.name for p in final.parent.iterdir()) == ["rec"]


def finished(final: Path, text: str) -> Path:
    """A published result holding sort.json = ``text``."""
    staging = staging_dir_for(final)
    (staging / "sort.json").write_text(text)
    return publish_dir(staging, final)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from_a").write_text("a")
    (tmp_path / "b").mkdir()
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this filesystem offers no atomic exchange (renameat2 RENAME_EXCHANGE)")
    assert listing(tmp_path / "b") == ["from_a"] and listing(tmp_path / "a") == []
    with pytest.raises(FileNotFoundError):  # a real failure is raised, never taken for "not offered"
        exchange(tmp_path / "a", tmp_path / "missing")


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "m.json"
    write_text_atomic(target, "old")

    def fails(tmp):
        Path(tmp).write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic.write_atomic(target, fails)
    assert target.read_text() == "old" and listing(tmp_path) == ["m.json"]


def test_a_failed_replacement_keeps_the_finished_result(tmp_path):
    """The swap's failure paths: the new folder is gone (or never was) -- with the one-step
    exchange and with the two renames -- and the finished result stays where it was, whole."""
    final = finished(tmp_path / "sorted" / "rec", "old")
    for replace in (lambda staging: publish_dir(staging, final, replace=True),
                    lambda staging: atomic._replace_by_renames(staging, final)):
        with pytest.raises(FileNotFoundError):
            replace(tmp_path / "sorted" / ".rec.partial-gone")
        assert (final / "sort.json").read_text() == "old"
        assert listing(final.parent) == ["rec"]


def test_the_two_renames_replace_a_result_and_leave_nothing_beside_it(tmp_path):
    """Where the filesystem offers no exchange: set aside, rename, remove the old one."""
    final = finished(tmp_path / "sorted" / "rec", "old")
    staging = staging_dir_for(final)
    (staging / "sort.json").write_text("new")
    atomic._replace_by_renames(staging, final)
    assert (final / "sort.json").read_text() == "new" and listing(final.parent) == ["rec"]


def test_a_crash_between_the_two_renames_is_recovered_at_the_next_start(tmp_path):
    """The state a crash between the renames leaves, built on disk by the same renames: the old
    result set aside, no final folder, the complete new one still in staging. The next start
    restores the old one (the only published result) and removes the staging."""
    final = finished(tmp_path / "sorted" / "rec", "old")
    inode = (final / "sort.json").stat().st_ino
    staging = staging_dir_for(final)
    (staging / "sort.json").write_text("new")
    os.rename(final, replaced_dir_for(final))  # the first rename happened; the second never did
    assert not final.exists()

    done = recover_interrupted(final)
    assert (final / "sort.json").read_text() == "old" and (final / "sort.json").stat().st_ino == inode
    assert listing(final.parent) == ["rec"]
    assert any("restored" in line for line in done) and any("removed" in line for line in done)


def test_a_crash_after_the_swap_is_recovered_at_the_next_start(tmp_path):
    """Both renames happened, the set-aside result was not removed yet: the new one is kept."""
    final = finished(tmp_path / "sorted" / "rec", "new")
    aside = replaced_dir_for(final)
    aside.mkdir()
    (aside / "sort.json").write_text("old")
    recover_interrupted(final)
    assert (final / "sort.json").read_text() == "new" and listing(final.parent) == ["rec"]
    assert recover_interrupted(final) == [], "nothing left to do"


def test_report_figures_are_gathered_as_links_and_follow_the_sorted_folders(tmp_path):
    """results/report/figures/ holds every sorted recording's figures (what `snakemake --report`
    reads), as hard links, and is refreshed whole: a recording whose figures went is dropped."""
    from sortcanary import layout
    from sortcanary.views.report_figures import collect_report_figures

    def figures_of(name):
        folder = tmp_path / layout.SORTED.format(recording=name) / layout.IN_SORTED["figures"]
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    (figures_of("a") / "raster.png").write_bytes(b"png a")
    (figures_of("b") / "raster.png").write_bytes(b"png b")
    (figures_of("b") / "metrics.png").write_bytes(b"png b2")
    (figures_of("b") / "notes.txt").write_text("not a figure")
    final = tmp_path / layout.REPORT_FIGURES
    (final.parent / f".{final.name}.partial-killed").mkdir(parents=True)  # a killed run's staging

    collect_report_figures(["a", "b", "blocked"], root=str(tmp_path))
    found = sorted(str(p.relative_to(final)) for p in final.rglob("*") if p.is_file())
    assert found == ["a/raster.png", "b/metrics.png", "b/raster.png"]
    assert (final / "a" / "raster.png").stat().st_ino == (figures_of("a") / "raster.png").stat().st_ino
    assert sorted(p.name for p in final.parent.iterdir()) == ["figures"], "staging is cleaned"

    (figures_of("a") / "raster.png").unlink()
    collect_report_figures(["a", "b"], root=str(tmp_path))
    assert sorted(p.name for p in final.iterdir()) == ["b"]
