"""Deployment: the wheel carries the workflow; `sortcanary init`/`run` from an install outside the
repository; the rules' conda environment resolves from a clone and from the wheel; the workflow used
as another workflow's module with no profile; one version; the container-engine preflight. Two real
workflow runs share one healthy and one silent recording. What they test is how the workflow is
deployed, not the sorter, so they sort with the RefusesSilence test backend (registered by import
path, as a lab registers its own). The README's install, in a clean virtual environment with nothing
borrowed, sorts with real Kilosort4 in the Python API's run (conftest.readme_install,
test_python_api.py): a Kilosort4 run of its own here cost minutes of the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

import sortcanary as package
from conftest import BIN, REPO, SORT_ONLY, TESTS, build_wheel, job_env, read_json, read_summary, sortcanary
from sortcanary.config import ConfigError, load_config, validate_config
from sortcanary.deploy import DeployError, profile_args, workflow_files

KEEP_GOING_REFUSAL = "no --keep-going"
SORTER = "backends:RefusesSilence"


# -- one version, the packaged files ----------------------------------------------------------------


def test_version_is_written_once():
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and '\nversion = "' not in pyproject
    assert sortcanary("--version").stdout.strip() == f"sortcanary {package.__version__}"
    # Nothing else names it: the rules' conda environment installs whatever install runs the workflow
    assert "sortcanary==" not in "".join(p.read_text() for p in (REPO / "workflow").rglob("*") if p.is_file())


def test_workflow_files_are_the_repository_files_in_a_clone():
    files = workflow_files()
    assert files.snakefile == REPO / "workflow" / "Snakefile"
    assert files.config == REPO / "config" / "config.yaml"
    assert {p.name for p in files.profiles.iterdir()} >= {"default", "slurm", "slurm-grouped"}


def test_without_a_config_in_the_working_directory_the_workflow_uses_its_own(demo_dir, tmp_path):
    """Run from elsewhere with no config/ there: the default config beside the workflow, not an error."""
    result = subprocess.run([str(BIN / "snakemake"), "-s", str(workflow_files().snakefile), "--directory",
                             str(tmp_path), "--workflow-profile", "none", "--cores", "1", "-n",
                             "--config", f"recordings_dir={demo_dir}"],
                            cwd=tmp_path, env=job_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Config file(s): ['{workflow_files().config}']" in result.stdout + result.stderr


# -- sortcanary init, profiles -----------------------------------------------------------------------


def test_init_writes_an_editable_config_and_a_slurm_profile_to_adapt(tmp_path):
    result = sortcanary("init", str(tmp_path / "work"), "--recordings", str(tmp_path / "my recordings"))
    assert result.returncode == 0, result.stderr
    config = tmp_path / "work" / "config" / "config.yaml"
    cfg = load_config(config)  # valid as written, defaults filled from the schema
    assert cfg["recordings_dir"] == str(tmp_path / "my recordings")
    assert "# docker_image:" in config.read_text() and "# threads:" in config.read_text()
    assert "ADAPT" in (tmp_path / "work" / "profiles" / "slurm" / "config.yaml").read_text()
    again = sortcanary("init", str(tmp_path / "work"))
    assert again.returncode == 2 and "--force" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert sortcanary("init", str(tmp_path / "work"), "--force").returncode == 0


def test_run_profiles_layer_like_a_clone_and_prefer_the_adapted_copy(tmp_path):
    shipped = workflow_files().profiles
    tail = ["--workflow-profile", str(shipped / "default")]
    assert profile_args("default", tmp_path) == tail
    assert profile_args("slurm-grouped", tmp_path) == [
        "--profile", str(shipped / "slurm"), "--profile", str(shipped / "slurm-grouped"), *tail]
    (tmp_path / "profiles" / "slurm").mkdir(parents=True)  # what `sortcanary init` writes, then adapted
    assert profile_args("slurm", tmp_path) == ["--profile", str(tmp_path / "profiles" / "slurm"), *tail]
    with pytest.raises(DeployError, match="slurmm"):
        profile_args("slurmm", tmp_path)


def test_run_without_a_recordings_folder_is_a_usage_error(tmp_path):
    result = sortcanary("run", str(tmp_path / "missing"), "--directory", str(tmp_path))
    assert result.returncode == 2 and "no such folder" in result.stderr
    assert not (tmp_path / ".snakemake").exists(), "snakemake must not have started"


# -- containers ----------------------------------------------------------------------------------


def test_both_container_images_are_refused_in_one_line():
    with pytest.raises(ConfigError, match="docker_image and singularity_image are both set"):
        validate_config({"recordings_dir": "r", "docker_image": True, "singularity_image": True})


@pytest.mark.skipif(bool(shutil.which("apptainer") or shutil.which("singularity")),
                    reason="an Apptainer client is installed here; the failure can't be reproduced")
def test_singularity_image_without_apptainer_is_container_runtime_missing(demo_dir, tmp_path):
    """Preflight names the missing client; without preflight, SpikeInterface's own error is classified."""
    cfg = tmp_path / "cfg.yaml"
    for preflight in (True, False):
        cfg.write_text(yaml.safe_dump({"recordings_dir": str(tmp_path), "singularity_image": True,
                                       "preflight": {"enabled": preflight}, "canary": {"window_s": 5}}))
        result = sortcanary("canary", str(demo_dir / "healthy_b.bin"), "--config", str(cfg))
        verdict = json.loads(result.stdout)
        assert result.returncode == 3, result.stderr[-2000:]
        assert (verdict["category"], verdict["error_class"]) == ("environment", "container_runtime_missing")
        assert "apptainer" in verdict["message"].lower() or "singularity" in verdict["message"].lower()
        assert verdict.get("stage") == ("preflight" if preflight else None)


# -- keep-going cannot come from inside a module ---------------------------------------------------


def test_a_module_cannot_see_keep_going_while_it_is_parsed(tmp_path):
    """Why the workflow refuses instead of setting keep-going itself: while a Snakefile (a module's
    too) is parsed, Snakemake 9.27.1 has no execution settings yet, and no directive sets them."""
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "Snakefile").write_text(textwrap.dedent("""\
        with open("parse-time.txt", "w") as fh:
            fh.write(repr(workflow.execution_settings))

        rule a:
            output: "a.txt"
            shell: "touch {output}"
        """))
    (tmp_path / "Snakefile").write_text(textwrap.dedent("""\
        module m:
            snakefile: "mod/Snakefile"
            config: {}

        use rule * from m as m_*
        """))
    result = subprocess.run([str(BIN / "snakemake"), "--cores", "1", "--keep-going"], cwd=tmp_path,
                            capture_output=True, text=True, env=job_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "parse-time.txt").read_text() == "None"
    assert (tmp_path / "a.txt").exists()


# -- real runs: an installed wheel, and the workflow as a module --------------------------------------


@pytest.fixture(scope="module")
def pair(demo_dir, tmp_path_factory) -> Path:
    """One healthy and one silent recording (the demo's raw binaries), shared by both runs."""
    folder = tmp_path_factory.mktemp("pair")
    for stem in ("healthy_b", "silent"):
        for suffix in (".bin", ".json", ".probe.json"):
            os.link(demo_dir / f"{stem}{suffix}", folder / f"{stem}{suffix}")
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel installed into a fresh venv outside the repository. The venv sees this environment's
    site-packages through a .pth file (for the heavy dependencies), so nothing is downloaded. (The
    README's own install, into a clean venv with nothing borrowed, is conftest.readme_install.)"""
    root = tmp_path_factory.mktemp("install")
    wheel = build_wheel(root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    venv_site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", purelib],
                                    check=True, capture_output=True, text=True).stdout.strip())
    (venv_site / "heavy_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SNAKEMAKE_PROFILE")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(TESTS)  # the test backends only: sortcanary itself comes from the venv
    return wheel, venv, env


def test_the_wheel_carries_the_workflow_config_and_profiles(installed):
    wheel, venv, env = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ("workflow/Snakefile", "workflow/rules/common.smk", "workflow/scripts/canary.py",
                 "workflow/schemas/config.schema.yaml", "constraints.txt",
                 "workflow/report/workflow.rst", "config/config.yaml", "config/README.md",
                 "profiles/default/config.yaml", "profiles/slurm/config.yaml", "profiles/slurm-grouped/config.yaml"):
        assert f"sortcanary/share/{path}" in names, path
    assert wheel.name == f"sortcanary-{package.__version__}-py3-none-any.whl"
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from sortcanary.deploy import workflow_files; print(workflow_files().snakefile)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and REPO not in Path(where).parents


def test_installed_init_and_run_sort_the_healthy_and_block_the_silent(installed, pair, tmp_path):
    _, venv, env = installed
    work = tmp_path / "work"
    init = subprocess.run([str(venv / "bin" / "sortcanary"), "init", str(work), "--recordings", str(pair)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    config = work / "config" / "config.yaml"  # edited as a maintainer would
    canary = "".join(f"  {key}: {json.dumps(value)}\n" for key, value in SORT_ONLY["canary"].items())
    config.write_text(config.read_text().replace("sorter: kilosort4", f"sorter: {SORTER}")
                      .replace("  window_s: 30\n", canary) + yaml.safe_dump({"outputs": SORT_ONLY["outputs"]}))
    cfg = load_config(config)
    assert (cfg["sorter"], cfg["canary"]) == (SORTER, {**cfg["canary"], **SORT_ONLY["canary"]})
    assert cfg["outputs"]["figures"] is False
    result = subprocess.run([str(venv / "bin" / "sortcanary"), "run", str(pair), "--directory", str(work),
                             "--cores", "2"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 1, result.stderr[-4000:]  # 1: the run ended with a recording blocked
    rows = read_summary(work)
    assert rows["healthy_b"]["sort"] == "done" and int(rows["healthy_b"]["units"]) >= 1
    assert (rows["silent"]["canary"], rows["silent"]["error_class"]) == ("blocked", "insufficient_activity")
    # Canaries run first (priority), so the healthy sort started after the silent canary had failed:
    # that is --keep-going at work.
    assert "1 of 2 recordings sorted; not sorted: silent" in result.stderr
    assert not (work / "logs" / "sort" / "silent.log").exists()


RULE_ENV = "import sys; from sortcanary.deploy import rule_environment; print(rule_environment(sys.argv[1]))"


def test_the_rule_environment_resolves_from_the_clone_and_from_the_wheel(installed, tmp_path):
    """The rules' conda environment names the install that runs the workflow: this clone (the
    editable install the suite runs from) or the wheel another environment was installed from.
    Its pip lines, as conda hands them to pip, resolve in a clean virtual environment, from another
    folder, to this version and the tested set; nothing is published first."""
    wheel, venv, env = installed
    clean = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clean)], check=True, timeout=300)
    for python, source, run_env in ((sys.executable, f"file://{REPO}", job_env()),
                                    (venv / "bin" / "python", wheel.as_uri(), env)):
        made = subprocess.run([str(python), "-c", RULE_ENV, str(tmp_path / "envs")], env=run_env, capture_output=True,
                              text=True, check=True).stdout.strip()
        lines = yaml.safe_load(Path(made).read_text())["dependencies"][-1]["pip"]
        assert lines[-1] == f"sortcanary @ {source}", lines
        constraints = Path(lines[0].removeprefix("-c "))
        assert constraints.read_text() == (REPO / "constraints.txt").read_text()
        requirements = tmp_path / "requirements.txt"
        requirements.write_text("\n".join(lines) + "\n")
        resolved = subprocess.run([sys.executable, "-m", "pip", "--python", str(clean / "bin" / "python"), "install",
                                   "--dry-run", "--quiet", "--report", "-", "-r", str(requirements)], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=600)
        assert resolved.returncode == 0, resolved.stderr[-3000:]
        versions = {item["metadata"]["name"].lower(): item["metadata"]["version"]
                    for item in json.loads(resolved.stdout)["install"]}
        assert versions["sortcanary"] == package.__version__
        assert (versions["kilosort"], versions["spikeinterface"]) == ("4.1.7", "0.105.3") and "pandas" in versions


LAB_SNAKEFILE = """\
from sortcanary.deploy import workflow_files


configfile: "config/lab.yaml"


module sortcanary:
    snakefile:
        str(workflow_files().snakefile)
    config:
        config["sortcanary"]


use rule * from sortcanary as sc_*


rule lab_all:
    default_target: True
    input:
        expand("lab/{recording}.units.txt", recording=sorted(sortcanary.RECORDINGS)),


rule lab_units:
    input:
        "results/sorted/{recording}.sort.json",
    output:
        "lab/{recording}.units.txt",
    run:
        import json

        with open(input[0]) as fh:
            units = json.load(fh)["units"]
        with open(output[0], "w") as fh:
            fh.write(str(units))


# Snakemake runs no onstart/onsuccess/onerror of a module: the lab's own hand them on.
onstart:
    sortcanary.start_run()


onsuccess:
    sortcanary.summarize()


onerror:
    sortcanary.summarize()
"""


def test_module_use_without_a_profile_needs_keep_going_then_feeds_a_downstream_rule(pair, tmp_path):
    lab = tmp_path / "lab"
    (lab / "config").mkdir(parents=True)
    (lab / "Snakefile").write_text(LAB_SNAKEFILE)
    (lab / "config" / "lab.yaml").write_text(yaml.safe_dump({"sortcanary": {
        "recordings_dir": str(pair), "sorter": SORTER, **SORT_ONLY}}))
    env = {k: v for k, v in job_env().items() if k != "SNAKEMAKE_PROFILE"}

    def snakemake(*args):
        return subprocess.run([str(BIN / "snakemake"), "--cores", "2", *args], cwd=lab, env=env,
                              capture_output=True, text=True, timeout=1500)

    refused = snakemake()  # no profile, no --keep-going: Snakemake applies none to a module
    assert refused.returncode != 0 and KEEP_GOING_REFUSAL in refused.stderr, refused.stderr[-3000:]
    assert not (lab / "logs").exists(), "nothing may run before the refusal"

    result = snakemake("--keep-going")
    assert result.returncode != 0  # the silent recording's canary is a failed job
    assert int((lab / "lab" / "healthy_b.units.txt").read_text()) >= 1, result.stderr[-4000:]
    assert not (lab / "lab" / "silent.units.txt").exists()
    verdict = read_json(lab / "logs" / "canary" / "silent.verdict.json")
    assert (verdict["category"], verdict["error_class"]) == ("biological", "insufficient_activity")
    rows = read_summary(lab)  # written by the lab's onerror, handed on to the module
    assert rows["healthy_b"]["sort"] == "done" and rows["silent"]["sort"] == "blocked"
