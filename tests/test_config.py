"""Config: schema defaults, one-line errors, the canary's derived copy, window and timeout rules."""

from __future__ import annotations

import copy
import math

import pytest

from sortcanary.config import (
    ConfigError,
    Window,
    canary_config,
    canary_inactivity_base_s,
    canary_window,
    inactivity_timeout_s,
    load_config,
    validate_config,
)


def test_defaults_come_from_the_schema():
    cfg = validate_config({"recordings_dir": "/data"})
    assert cfg["sorter"] == "kilosort4" and cfg["torch_device"] == "auto"
    assert cfg["canary"]["window_s"] == 30
    assert cfg["inactivity"] == {"base_s": 600, "per_min_s": 30, "max_s": 7200}


@pytest.mark.parametrize(
    "cfg, expected",
    [
        ({}, "recordings_dir"),
        ({"recordings_dir": "/d", "canary": {"window_s": -5}}, "canary.window_s"),
        ({"recordings_dir": "/d", "canary": {"windw_s": 5}}, "windw_s"),
        ({"recordings_dir": "/d", "torch_device": "gpu"}, "torch_device"),
        ({"recordings_dir": 3}, "recordings_dir"),
        ({"recordings_dir": "/d", "sorter_params": []}, "sorter_params"),
    ],
)
def test_bad_config_gives_one_line_naming_the_key(cfg, expected):
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_config_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("recordings_dir: [unclosed\n")
    with pytest.raises(ConfigError, match=str(bad)):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_canary_config_is_a_copy_with_overrides_and_the_live_config_is_untouched():
    live = validate_config({"recordings_dir": "/d", "sorter_params": {"batch_size": 30000}, "canary": {"window_s": 45}})
    snapshot = copy.deepcopy(live)
    derived = canary_config(live)
    assert live == snapshot, "the live config must never be mutated"
    assert derived["outputs"] == live["outputs"], "by default the canary exercises the full sort's outputs"
    assert derived["preflight"]["enabled"] is False
    assert derived["inactivity"]["base_s"] == 180  # min(300, max(120, 4 x 45))
    assert derived["sorter"] == live["sorter"] and derived["sorter_params"] == live["sorter_params"]
    derived["sorter_params"]["batch_size"] = 1
    assert live["sorter_params"]["batch_size"] == 30000, "the copy must be deep"


@pytest.mark.parametrize("window, base", [(10, 120), (30, 120), (45, 180), (75, 300), (600, 300)])
def test_canary_inactivity_base(window, base):
    assert canary_inactivity_base_s(window) == base


@pytest.mark.parametrize("window_s", [0, -1, math.nan, None])
def test_nan_or_non_positive_window_disables_the_canary(window_s):
    assert canary_window(window_s, 100.0) is None


def test_window_is_clamped_to_a_short_recording():
    assert canary_window(30, 3600.0) == Window(0.0, 30.0, clamped=False)
    assert canary_window(30, 12.5) == Window(0.0, 12.5, clamped=True)


def test_window_frames_never_run_past_the_recording():
    assert Window(0.0, 30.0).frames(30000.0, 10 * 30000) == (0, 300000)
    assert Window(0.0, 2.0).frames(30000.0, 10 * 30000) == (0, 60000)


def test_inactivity_timeout_grows_with_duration_up_to_the_cap():
    cfg = validate_config({"recordings_dir": "/d"})
    assert inactivity_timeout_s(cfg, 60) == 630
    assert inactivity_timeout_s(cfg, 3 * 3600) == 6000
    assert inactivity_timeout_s(cfg, 24 * 3600) == 7200


def test_confirmation_windows_spread_over_the_recording():
    from sortcanary.config import confirmation_windows

    assert confirmation_windows(30, 3600, 2) == [Window(1800.0, 30.0), Window(2700.0, 30.0)]
    assert confirmation_windows(30, 3600, 0) == []
    # too short for both: windows that would overlap the previous one are skipped
    assert confirmation_windows(10, 20, 2) == [Window(10.0, 10.0)]
    assert confirmation_windows(10, 12, 2) == []


def test_canary_judges_the_whole_window_where_the_sorter_allows_it():
    live = validate_config({"recordings_dir": "/d", "sorter_params": {"nskip": 25}})
    assert canary_config(live, {"nskip": 25, "batch_size": 60000})["sorter_params"]["nskip"] == 1
    assert live["sorter_params"]["nskip"] == 25, "the full sort keeps the user's setting"
    assert "nskip" not in canary_config(validate_config({"recordings_dir": "/d"}), {})["sorter_params"]


def test_canary_can_skip_the_outputs():
    live = validate_config({"recordings_dir": "/d", "canary": {"exercise_outputs": False}})
    off = canary_config(live)["outputs"]
    assert off["figures"] is False and off["report"] is False and off["curation"]["enabled"] is False
    assert not any(off["exporters"].values())
    assert live["outputs"]["figures"] is True
