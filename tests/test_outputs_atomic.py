"""Atomic writes, the strict scratch wipe, deterministic markers, result publication."""

from __future__ import annotations

import os

import pytest

from sortcanary.atomic import dumps, publish_dir, staging_dir_for, wipe_dir, write_json_atomic


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
