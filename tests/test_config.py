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


def test_an_unknown_sorter_param_stops_a_dry_run_naming_the_nearest_valid_name(demo_dir, tmp_path):
    from conftest import run_snakemake, sortcanary, write_config

    write_config(tmp_path, recordings_dir=str(demo_dir), sorter_params={"batchsize": 30000})
    result = run_snakemake(tmp_path, "-n")
    assert result.returncode != 0
    line = next(ln for ln in result.stderr.splitlines() if ln.startswith("sortcanary:"))
    assert "'batchsize'" in line and "did you mean 'batch_size'?" in line and "config/config.yaml" in line
    cli = sortcanary("canary", str(demo_dir / "healthy_b.bin"), "--config", str(tmp_path / "config" / "config.yaml"))
    errors = [ln for ln in cli.stderr.splitlines() if ln.startswith("sortcanary:")]
    assert cli.returncode == 2 and len(errors) == 1 and "did you mean 'batch_size'?" in errors[0]
    write_config(tmp_path, recordings_dir=str(demo_dir), sorter_params={"batch_size": 30000})
    assert run_snakemake(tmp_path, "-n").returncode == 0, "a known parameter passes"


def test_a_lab_rule_that_does_not_compile_stops_a_dry_run_in_one_line(demo_dir, tmp_path):
    from conftest import run_snakemake, sortcanary, write_config

    rule = {"pattern": "GPFS lease (expired", "category": "environment", "class": "gpfs_lease_expired",
            "remediation": "Ask the cluster admins."}
    write_config(tmp_path, recordings_dir=str(demo_dir), classification={"rules": [rule]})
    result = run_snakemake(tmp_path, "-n")
    assert result.returncode != 0
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("sortcanary:")]
    assert len(errors) == 1 and "classification.rules[0].pattern" in errors[0] and "config/config.yaml" in errors[0]
    cli = sortcanary("canary", str(demo_dir / "healthy_b.bin"), "--config", str(tmp_path / "config" / "config.yaml"))
    errors = [ln for ln in cli.stderr.splitlines() if ln.startswith("sortcanary:")]
    assert cli.returncode == 2 and len(errors) == 1 and "classification.rules[0].pattern" in errors[0]
    write_config(tmp_path, recordings_dir=str(demo_dir), classification={"rules": [{**rule, "pattern": "GPFS"}]})
    assert run_snakemake(tmp_path, "-n").returncode == 0, "a pattern that compiles passes"
