"""Config: schema defaults and one-line errors (the plan built from it: test_plan.py)."""

from __future__ import annotations

import pytest

from sortcanary.config import ConfigError, load_config, validate_config


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
