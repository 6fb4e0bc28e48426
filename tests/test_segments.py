"""A multi-segment SpikeInterface folder without ``join``: one recording per segment, found at
discovery, so that a multi-segment recording never reaches a canary (before, it failed inside the
canary and passed through as unclassified). The threshold test backend keeps the run to seconds:
it reads its recording's traces without a segment index, which a multi-segment recording refuses.
"""

from __future__ import annotations

from conftest import OUTPUTS_OFF, read_json, read_summary, run_snakemake, write_config
from sortcanary import layout

DURATIONS = (2.0, 3.0)


def test_a_multi_segment_folder_is_one_recording_per_segment_and_never_fails_inside_the_canary(tmp_path):
    from spikeinterface.core import generate_recording

    recordings = tmp_path / "recordings"
    generate_recording(num_channels=4, durations=list(DURATIONS), sampling_frequency=25_000.0, seed=0).save(
        folder=recordings / "multi")
    # the override names the folder: it applies to each of its segments
    write_config(tmp_path, recordings_dir=str(recordings), sorter="backends:ThresholdSorter", canary={"window_s": 1.0},
                 outputs=OUTPUTS_OFF, recordings={"multi": {"sorter_params": {"threshold": 6}}})
    result = run_snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "matches no discovered recording" not in result.stderr
    rows = read_summary(tmp_path)
    assert sorted(rows) == ["multi__seg0", "multi__seg1"]
    for k, duration in enumerate(DURATIONS):
        name = f"multi__seg{k}"
        assert read_json(tmp_path / layout.MARKER.format(recording=name))["status"] == "pass", rows[name]
        assert (rows[name]["sort"], rows[name]["parent"]) == ("done", "multi")
        sort = read_json(tmp_path / layout.SORT_JSON.format(recording=name))
        assert (sort["duration_s"], sort["sorter_params"]) == (duration, {"threshold": 6})
        sorter_log = tmp_path / layout.SORTED.format(recording=name) / "sorter" / "threshold.log"
        assert sorter_log.read_text() == f"sorting {duration:.1f} s\n"
