import atexit
import os
import sys
from pathlib import Path

from snakemake.common import get_function_params, overwrite_function_params
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

from sortcanary import layout
from sortcanary.plan import resources as job_resources
from sortcanary.plan.sorter_params import check_sorter_params
from sortcanary.classification import lab_rules
from sortcanary.config import ConfigError, describe_validation_error
from sortcanary.deploy import rule_environment
from sortcanary.plan.gpus import local_slots
from sortcanary.plan.overrides import overridden_recordings, skipped, unmatched
from sortcanary.plan.recipe_check import check_recipe
from sortcanary.plan.sortplan import sort_identity
from sortcanary.plan.join import join_runs
from sortcanary.plan.split import split_groups
from sortcanary.recordings import NAME_PATTERN, DiscoveryError, discover
from sortcanary.views.notify import notify_run_end
from sortcanary.views.status import write_manifest
from sortcanary.views.summary import write_summary

min_version("9.0")


# The user's config is config/config.yaml in the working directory (Snakemake's convention; what
# `sortcanary init` writes); without one, the default that ships beside this workflow. Everything
# else (schema, scripts, envs, report captions) is named relative to these rule files, so the
# workflow runs from a clone, an installed package or another workflow's `module`, in any directory.
# As a module given `config:`, Snakemake skips this directive and the schema fills the defaults.
# (workflow.current_basedir is this file's folder; workflow.basedir is the main Snakefile's, which is
# another workflow's when this one is a module. source_path() would name a copy in a cache.)
CONFIGFILE = "config/config.yaml"
if not os.path.exists(CONFIGFILE):
    CONFIGFILE = os.path.normpath(
        os.path.join(str(workflow.current_basedir), "..", "..", CONFIGFILE)
    )


configfile: CONFIGFILE


# Defaults come from the schema; a bad config stops here with one line naming the key, and so do
# sorter parameters the sorter doesn't know and preprocessing steps or parameters SpikeInterface
# doesn't know (with the nearest valid name), and a lab's failure rule whose pattern does not
# compile (classification.rules).
try:
    validate(config, schema="../schemas/config.schema.yaml")
    check_sorter_params(config["sorter"], config["sorter_params"])
    check_recipe(config)
    lab_rules(config["classification"]["rules"])
except WorkflowError as err:
    sys.exit(f"sortcanary: {describe_validation_error(err)}")
except ConfigError as err:
    sys.exit(f"sortcanary: {err}")

# Discovery reads metadata only (never traces); one bad recording is reported and skipped.
try:
    DISCOVERY = discover(config["recordings_dir"], config["formats"])
except DiscoveryError as err:
    sys.exit(f"sortcanary: {err}")
for problem in DISCOVERY.problems:
    print(f"sortcanary: skipping {problem.line()}", file=sys.stderr)

# Per-recording settings (config `recordings`): the recordings an override matches, each with its
# own config (sortcanary.plan.overrides; {} without overrides). A skipped one gets no job at all,
# nor does one whose override can't apply (a probe that doesn't fit, an unknown sorter parameter):
# that one is reported like a bad recording, and the others go on.
OVERRIDDEN, OVERRIDE_PROBLEMS = overridden_recordings(config, DISCOVERY.recordings)
for problem in OVERRIDE_PROBLEMS:
    print(f"sortcanary: skipping {problem.line()}", file=sys.stderr)
PROBLEMS = [*DISCOVERY.problems, *OVERRIDE_PROBLEMS]
if workflow.is_main_process:
    for pattern in unmatched(config, DISCOVERY.recordings):
        print(
            f"sortcanary: warning: recordings.{pattern} matches no discovered recording; check the name",
            file=sys.stderr,
        )
SKIPPED = skipped(OVERRIDDEN)
RECORDINGS = {
    name: entry
    for name, entry in DISCOVERY.recordings.items()
    if name not in SKIPPED and all(p.name != name for p in OVERRIDE_PROBLEMS)
}
# join: runs (sortcanary.plan.join): a recording's runs or segments become one recording again,
# joined end to end; a run that doesn't match the first is reported like a bad recording. Then
# split_by: group (sortcanary.plan.split): a recording split by probe group is replaced by its
# groups, <recording>__g<k>, each with its recording's overrides; one whose groups can't be read
# from its probe's metadata is reported like a bad recording, and the others go on.
RECORDINGS, OVERRIDDEN, JOIN_PROBLEMS = join_runs(config, RECORDINGS, OVERRIDDEN)
RECORDINGS, OVERRIDDEN, SPLIT_PROBLEMS = split_groups(config, RECORDINGS, OVERRIDDEN)
SPLIT_PROBLEMS = [*JOIN_PROBLEMS, *SPLIT_PROBLEMS]
for problem in SPLIT_PROBLEMS:
    print(f"sortcanary: skipping {problem.line()}", file=sys.stderr)
PROBLEMS = [*PROBLEMS, *SPLIT_PROBLEMS]


wildcard_constraints:
    recording=NAME_PATTERN,


def per_job(func):
    """Mark an input, param or resource function that Snakemake calls for every job: its parameters
    are read once, here, instead of at every call.

    Snakemake 9.27.1 runs inspect.signature on such a function two or three times per call, to
    choose which of input, attempt, threads... to pass it: 11 inspections per recording for these
    functions, measurable over 10,000 recordings (bench/bench_dag_scale.py). overwrite_function_params
    is how Snakemake's own path helpers (snakemake.ioutils) give it a function's parameters; these
    are the function's own, so what each call receives is unchanged.
    """
    overwrite_function_params(func, get_function_params(func))
    return func


@per_job
def recording_entry(wildcards):
    """The discovered recording as a plain dict (the scripts rebuild a RecordingEntry from it)."""
    return RECORDINGS[wildcards.recording].as_dict()


@per_job
def recording_files(wildcards):
    """The recording's own files (canary input), so a changed recording is canaried and sorted
    again; with them the probe file a `recordings` override gives it (the job's plan reads it).
    """
    files = list(RECORDINGS[wildcards.recording].input_files)
    probe = OVERRIDDEN.get(wildcards.recording, {}).get("override", {}).get("probe")
    return [*files, probe] if probe else files


@per_job
def rule_env(wildcards):
    """The conda environment the rules run in, asked for only under --sdm conda. This same install
    of sortcanary with the tested versions, from a clone, a wheel or a release alike; written
    under .snakemake/ (sortcanary.deploy.rule_environment). Without --sdm conda, the rules run
    in the environment that runs snakemake.
    """
    return str(rule_environment(".snakemake/sortcanary"))


def require_keep_going(wildcards):
    """Preflight's input function: refuse a run without --keep-going over several recordings.

    Without it, the first blocked canary stops every other recording. Profiles set it, but Snakemake
    applies no profile to a workflow used as a module, and a Snakefile can't set it: while it is
    parsed, workflow.execution_settings is still None (Snakemake 9.27.1), so the check runs here,
    when the DAG is built. Jobs on cluster nodes, dry runs and --touch are not checked.
    """
    settings = workflow.execution_settings
    if (
        len(RECORDINGS) > 1
        and settings is not None
        and not settings.keep_going
        and workflow.is_main_process
        and not (workflow.dryrun or workflow.touch)
    ):
        sys.exit(
            f"sortcanary: {len(RECORDINGS)} recordings but no --keep-going: one blocked canary would stop "
            "the others; run snakemake with --keep-going (or a profile that sets keep-going: true)"
        )
    return []


def default_gpu_resource(wildcards):
    """Preflight's input function: a local run without a `gpu` resource of its own (--resources,
    a profile) gets one per GPU slot, at least one (one sorter at a time on a CPU-only machine).

    A profile is static YAML and knows neither the config's `gpus` nor the machine, so the
    workflow sets the default. Snakemake 9.27.1 constrains jobs by workflow.global_resources when
    its scheduler starts, after the DAG is built; register_resource is how Snakemake adds one
    itself (its mutexes). Cluster runs are left alone: there `gpu` would cap the jobs in the queue.
    """
    if (
        workflow.is_main_process
        and workflow.local_exec
        and "gpu" not in workflow.global_resources
    ):
        workflow.register_resource("gpu", max(1, GPU_SLOTS))
    return []


def hdf5_filters_needed(wildcards):
    """HDF5 filter ids the recordings need (MaxWell compression): preflight checks they load."""
    return sorted({f for e in RECORDINGS.values() for f in e.hdf5.get("filters", [])})


# What a finished sort must match to be reused: changing these re-sorts (see config/README.md).
# A plain value, not an input function: Snakemake calls and inspects every function once per job,
# which is measurable over 10,000 recordings (bench/bench_dag_scale.py). Only a config whose
# `recordings` overrides match a recording pays for a function, so that changing one recording's
# overrides re-runs that recording's jobs alone.
GLOBAL_IDENTITY = sort_identity(config)
RECORDING_IDENTITY = {name: sort_identity(cfg) for name, cfg in OVERRIDDEN.items()}


@per_job
def recording_identity(wildcards):
    return RECORDING_IDENTITY.get(wildcards.recording, GLOBAL_IDENTITY)


SORT_IDENTITY = recording_identity if RECORDING_IDENTITY else GLOBAL_IDENTITY

# The outputs section each full sort builds: a param, so a change re-runs the sort job, which then
# rebuilds only the outputs. A `recordings` override's nwb_metadata changes it for the recordings
# it matches, and only a config with such overrides pays for a function (as SORT_IDENTITY).
RECORDING_OUTPUTS = {
    name: cfg["outputs"]
    for name, cfg in OVERRIDDEN.items()
    if cfg["outputs"] != config["outputs"]
}


@per_job
def recording_outputs(wildcards):
    return RECORDING_OUTPUTS.get(wildcards.recording, config["outputs"])


SORT_OUTPUTS = recording_outputs if RECORDING_OUTPUTS else config["outputs"]

# The GPUs a local run pins its sorter jobs to (config `gpus`, sortcanary.plan.gpus).
GPU_SLOTS = local_slots(config["gpus"])


def sorter_threads():
    """Threads of a sorter job: config threads, else every core of this run shared by the sorters
    that run at once (one per GPU slot, else one). Snakemake pins OpenMP/BLAS to a job's threads:
    without this, Kilosort4 gets one core; with all of them, a second GPU would wait for cores.
    """
    if config["threads"]:
        return config["threads"]
    try:
        return max(1, workflow.cores // max(1, GPU_SLOTS))
    except WorkflowError:  # no --cores (cluster executors): the config must say
        return 1


SORTER_THREADS = sorter_threads()


@per_job
def attempt(wildcards, attempt):
    return attempt


def canary_record(recording):
    """The canary's verdict record, with what it measured (or {}: the formula applies).

    Snakemake evaluates resources when the job is ready (Snakemake 9.27.1 resets them then, and
    again for each retry), so the canary has written it by then; a dry run only misses a file.
    """
    return job_resources.read_record(
        layout.path(layout.CANARY_VERDICT, recording=recording)
    )


@per_job
def sort_runtime_min(wildcards, attempt):
    """The full sort's wall-time limit (minutes) for a cluster: the canary's rate x the length,
    or duration x channels without it. Only a scheduler reads it (runtime is never a local
    constraint); see sortcanary.plan.resources.
    """
    entry = RECORDINGS[wildcards.recording]
    return job_resources.sized_runtime_min(
        canary_record(entry.name), entry.duration_s, entry.num_channels, attempt
    )


@per_job
def sort_mem_mb(wildcards, attempt):
    """The full sort's host memory request (MB): the canary's peak plus what a longer recording
    adds, or duration x channels without it; see sortcanary.plan.resources."""
    entry = RECORDINGS[wildcards.recording]
    return job_resources.sized_mem_mb(
        canary_record(entry.name), entry.duration_s, entry.num_channels, attempt
    )


def start_run():
    """onstart: a new run starts without the previous run's environment-wide stop (see
    layout.HALT), and notes what it discovered (status and the summary list it). A run
    without keep-going over several recordings never gets here: require_keep_going refuses it.
    """
    Path(layout.HALT).unlink(missing_ok=True)
    write_manifest(RECORDINGS, PROBLEMS, SKIPPED)


def summarize(succeeded=True):
    """Write the run's views (results/summary.{tsv,png,html}, results/report/figures/) from the
    recordings' rows, send the end-of-run message, and print the table; runs after every run,
    successful or not. Snakemake prints its own closing lines (log file,
    elapsed time, error) after onerror, so the table is printed at exit: it is the last thing
    on the console.
    """
    rows, table = write_summary(RECORDINGS, problems=PROBLEMS, skipped=SKIPPED)
    notify_run_end(config["notify"], rows, succeeded)
    text = f"\nsortcanary summary ({layout.SUMMARY_TSV}):\n{table}\n"
    atexit.register(print, text, file=sys.stderr, flush=True)
