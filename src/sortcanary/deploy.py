"""The workflow as an installed program: where its files are, `sortcanary init` and `sortcanary run`.

The package carries the repository's ``workflow/``, ``config/`` and ``profiles/`` folders as package
data (``src/sortcanary/share/`` holds symlinks to them, which a wheel turns into copies), so a pip
install runs exactly the files a clone runs, and no clone is needed.

``sortcanary run`` is Snakemake's own command line in a child process, not a re-implementation:
it adds what a clone gets from ``profiles/default`` (which Snakemake only finds when run from the
repository root) and always ``--keep-going``, so one blocked recording never stops the others.
Its exit status comes from the summary the run writes (see RUN_EXIT_CODES).
"""

from __future__ import annotations

import csv
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import layout

SHARE = Path(__file__).with_name("share")

# Profiles that ship with the workflow, and the ones a name stands for: slurm-grouped is a layer
# on top of slurm (docs/slurm.md). The default profile is always applied as the workflow profile.
PROFILE_CHAINS = {"default": [], "slurm": ["slurm"], "slurm-grouped": ["slurm", "slurm-grouped"]}

EXIT_ALL_SORTED = 0
EXIT_NOT_ALL_SORTED = 1
EXIT_USAGE = 2
EXIT_WORKFLOW_ERROR = 4  # not 3: `sortcanary canary` uses 3 for "blocked"
RUN_EXIT_CODES = (
    "Exit status: 0 every recording sorted (or skipped by a `skip: true` override); 1 the run ended with a "
    "recording blocked or failed (the summary says why); 2 the run could not start (arguments); 4 Snakemake "
    "stopped before judging the recordings (invalid config, locked directory, ...: its message is above)"
)
# Sort states (views.summary.Row.sort) that leave nothing to act on: what `sortcanary status` agrees with.
SETTLED = ("done", "skipped")


class DeployError(ValueError):
    """A problem with `sortcanary init`/`run` arguments: one line naming the path or option and the fix."""


@dataclass(frozen=True)
class WorkflowFiles:
    """The packaged workflow. Paths are resolved, so in a clone or an editable install they are the
    repository's own files, and Snakemake records the same paths whichever way it was started."""

    snakefile: Path
    config: Path  # the default config, and the template `sortcanary init` copies
    config_readme: Path  # every config key, explained
    profiles: Path  # default/, slurm/, slurm-grouped/
    constraints: Path  # the tested versions (the repository's constraints.txt)

    def profile(self, name: str) -> Path:
        return self.profiles / name


def workflow_files() -> WorkflowFiles:
    files = WorkflowFiles(
        snakefile=(SHARE / "workflow" / "Snakefile").resolve(),
        config=(SHARE / "config" / "config.yaml").resolve(),
        config_readme=(SHARE / "config" / "README.md").resolve(),
        profiles=(SHARE / "profiles").resolve(),
        constraints=(SHARE / "constraints.txt").resolve(),
    )
    if not files.snakefile.is_file():
        raise DeployError(f"the packaged workflow is missing ({files.snakefile}); reinstall sortcanary")
    return files


# -- the rules' conda environment ------------------------------------------------------------------

RULE_ENV_PYTHON = "3.11"


def package_source() -> str:
    """What pip installs to get this very sortcanary: where this install came from, as pip recorded
    it (PEP 610 direct_url.json: a clone's folder, editable or not, or a wheel file), else this
    version from the package index (a release installed from PyPI or a lab's index)."""
    import importlib.metadata as md
    import json

    from . import __version__

    try:
        recorded = md.distribution("sortcanary").read_text("direct_url.json")
    except md.PackageNotFoundError:
        recorded = None
    url = json.loads(recorded).get("url", "") if recorded else ""
    return f"sortcanary @ {url}" if url.startswith("file://") else f"sortcanary=={__version__}"


def rule_environment(folder: str | Path) -> Path:
    """The conda environment file the workflow's rules run in under ``snakemake --sdm conda``,
    written into ``folder`` (once per content): Python, and pip installing this same sortcanary
    (package_source) with the tested versions (the packaged constraints.txt). So the rules' code
    is the code that runs snakemake, from a clone, a wheel or a release alike, and nothing has to
    be published first. Its name carries a hash of its content: a changed install is a new env."""
    import hashlib

    files = workflow_files()
    text = (f"# Written by sortcanary.deploy.rule_environment for snakemake --sdm conda; do not edit.\n"
            f"channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python={RULE_ENV_PYTHON}\n  - pip\n"
            f"  - pip:\n      - -c {files.constraints}\n      - {package_source()}\n")
    path = Path(folder) / f"sortcanary-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yaml"
    if not path.is_file():
        from .atomic import write_text_atomic

        write_text_atomic(path, text)
    return path.resolve()


# -- sortcanary init --------------------------------------------------------------------------------


def init_workdir(directory: str | Path, *, recordings_dir: str | None = None, force: bool = False) -> list[Path]:
    """Write an editable config/config.yaml (+ its README) and a SLURM profile to adapt into ``directory``.

    ``sortcanary run --directory DIR`` and plain ``snakemake`` in DIR read DIR/config/config.yaml; a
    profile named on ``run --profile`` is taken from DIR/profiles/ when there is one (the adapted copy).
    """
    files = workflow_files()
    directory = Path(directory)
    copies = {
        directory / "config" / "config.yaml": files.config,
        directory / "config" / "README.md": files.config_readme,
        directory / "profiles" / "slurm" / "config.yaml": files.profile("slurm") / "config.yaml",
    }
    existing = [str(dest) for dest in copies if dest.exists()]
    if existing and not force:
        raise DeployError(f"{existing[0]} already exists; edit it, or pass --force to overwrite it")
    for dest, source in copies.items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    if recordings_dir is not None:
        config = directory / "config" / "config.yaml"
        line = f"recordings_dir: {_yaml_string(str(Path(recordings_dir).resolve()))}"
        config.write_text(re.sub(r"(?m)^recordings_dir:.*$", lambda _: line, config.read_text(), count=1))
    return list(copies)


def _yaml_string(text: str) -> str:
    import yaml

    return yaml.safe_dump(text, default_style='"').strip()


# -- sortcanary run ---------------------------------------------------------------------------------


def profile_args(profile: str, workdir: Path) -> list[str]:
    """Snakemake's profile options for ``--profile``: a shipped profile's name, or a profile folder.

    A shipped name is taken from ``workdir/profiles/<name>`` when `sortcanary init` put an adapted
    copy there, else from the package. The default profile comes last as the workflow profile, as
    when snakemake runs in a clone's root.
    """
    files = workflow_files()
    if profile in PROFILE_CHAINS:
        folders = [workdir / "profiles" / name if (workdir / "profiles" / name).is_dir() else files.profile(name)
                   for name in PROFILE_CHAINS[profile]]
    elif Path(profile).is_dir():
        folders = [Path(profile).resolve()]
    else:
        raise DeployError(f"--profile {profile}: not a shipped profile ({', '.join(PROFILE_CHAINS)}) nor a folder")
    args = [arg for folder in folders for arg in ("--profile", str(folder))]
    return args + ["--workflow-profile", str(files.profile("default"))]


def snakemake_command(recordings_dir: str | Path, *, workdir: Path, cores: str | None = None,
                      profile: str = "default", config: Sequence[str] = (), snakemake_args: Sequence[str] = ()) -> list[str]:
    """The snakemake command line `sortcanary run` runs (with this interpreter, so this install's workflow)."""
    recordings = Path(recordings_dir).resolve()
    if not recordings.is_dir():
        raise DeployError(f"RECORDINGS_DIR {recordings_dir}: no such folder")
    for pair in config:
        if "=" not in pair:
            raise DeployError(f"--config {pair}: expected KEY=VALUE (e.g. torch_device=cpu)")
    if cores is None and profile == "default":
        cores = "all"  # local runs only: a cluster executor's --cores would become every job's CPU request
    # --config takes several values: it goes first, so a target in snakemake_args is never taken as one.
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(workflow_files().snakefile),
           "--directory", str(workdir), "--config", f"recordings_dir={recordings}", *config,
           "--keep-going", *profile_args(profile, workdir)]
    if cores is not None:
        cmd += ["--cores", str(cores)]
    return cmd + list(snakemake_args)


def run_snakemake(cmd: list[str]) -> int:
    """Run snakemake to its end. Ctrl-C reaches it directly (same process group) and SIGTERM is passed
    on, so it stops its jobs and their sorters itself; this process only waits for it."""
    child = subprocess.Popen(cmd)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def summary_sorts(workdir: Path, since: float) -> dict[str, str] | None:
    """Each recording's sort state from the summary this run wrote, or None if it wrote none."""
    path = workdir / layout.SUMMARY_TSV
    if not path.is_file() or path.stat().st_mtime < since:
        return None
    with open(path, newline="") as fh:
        return {row["recording"]: row["sort"] for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}


def run_exit_code(returncode: int, sorts: dict[str, str] | None) -> int:
    if sorts is None:  # nothing was judged: a dry run, nothing to do, or Snakemake stopped first
        return EXIT_ALL_SORTED if returncode == 0 else EXIT_WORKFLOW_ERROR
    if returncode != 0 or any(state not in SETTLED for state in sorts.values()):
        return EXIT_NOT_ALL_SORTED
    return EXIT_ALL_SORTED


def run_workflow(recordings_dir: str | Path, *, workdir: str | Path = ".", cores: str | None = None,
                 profile: str = "default", config: Sequence[str] = (), snakemake_args: Sequence[str] = ()) -> int:
    """`sortcanary run`: the packaged workflow on RECORDINGS_DIR in ``workdir``; returns the exit status."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = snakemake_command(recordings_dir, workdir=workdir, cores=cores, profile=profile, config=config,
                            snakemake_args=snakemake_args)
    started = time.time() - 1  # mtimes can be coarser than the clock
    returncode = run_snakemake(cmd)
    sorts = summary_sorts(workdir, started)
    code = run_exit_code(returncode, sorts)
    if sorts is not None:
        pending = sorted(name for name, state in sorts.items() if state not in SETTLED)
        skipped = sorted(name for name, state in sorts.items() if state == "skipped")
        print(f"sortcanary run: {len(sorts) - len(pending) - len(skipped)} of {len(sorts)} recordings sorted"
              + (f"; skipped: {', '.join(skipped)}" if skipped else "")
              + (f"; not sorted: {', '.join(pending)} (see {workdir / layout.SUMMARY_TSV})" if pending else ""),
              file=sys.stderr)
    elif code == EXIT_WORKFLOW_ERROR:
        print(f"sortcanary run: snakemake stopped (exit {returncode}) before judging the recordings; see above",
              file=sys.stderr)
    return code
