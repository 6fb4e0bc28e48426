"""The job plan: the second contract. Everything one sort needs, resolved once from the config.

A job (canary or full sort) builds its ``SortPlan`` here, from the raw config and the recording,
and from then on nothing reads the config again: the runner, the sorter's child process and the
post-sort step read the plan. Like SpikeInterface's ``spikeinterface_params.json``, the plan is
written once into the job's work folder (``plan.json``) and the child process reads exactly that.

What the plan resolves:
* the sorter's final parameters: the config's ``sorter_params``, the canary's overrides
  (``CANARY_SORTER_OVERRIDES``), the batch size of a retry after a resource failure, and the
  resolved torch device (``auto`` becomes ``cuda`` or ``cpu`` here, on the machine that sorts);
* the window sorted (the canary's leading window, its confirmation windows and its longer window
  for a recording too sparse for the leading one, cut by sortcanary.plan.windows); on runs joined
  end to end, the leading window straddles the first join;
* the watchdog bounds (inactivity timeout, free-space floor, the memory and I/O-stall bounds with
  the job's scheduler memory request) and the progress line's interval;
* the post-sort outputs wanted, and the sort identity a finished sort must match to be reused;
* the recording's own overrides (the config's ``recordings`` section, sortcanary.plan.overrides),
  merged in first, and the GPU ids the sorter child may be pinned to (sortcanary.plan.gpus);
* the recipe (sortcanary.plan.recipe): the preprocessing chain and the motion mode the child
  applies before the sorter, canary and full sort alike, with what it switches off in the sorter.
* the lab's own failure rules (``classification.rules``), checked here and carried as given, so the
  runner classifies the sorter's failure with them (sortcanary.runner.failure).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from ..boundary import JSONDict
from ..classification import lab_rules
from ..recordings import RecordingEntry, Window
from .gpus import resolve_gpu_ids
from .join import first_join_s
from .overrides import recording_config, with_probe
from .recipe import Recipe, drift_bin_um, plan_recipe, recipe_identity, sorter_switches
from .sorters import resolve_backend
from .windows import canary_enabled, canary_window, confirmation_windows, min_window_s, sparse_window

# Sorter parameters the canary changes so that the sorter judges the *whole* window. Kilosort4
# extracts templates from every nskip-th batch (25 by default, a batch being 2 s at 30 kHz): a
# 30 s canary would be judged on its first batch alone. The full sort keeps the user's settings.
CANARY_SORTER_OVERRIDES = {"nskip": 1}

# Canary inactivity base: long enough for KS4's start-up on a slow node, short enough that a hung
# canary is noticed in minutes: min(300, max(120, 4 x window)).
CANARY_INACTIVITY_FLOOR_S = 120.0
CANARY_INACTIVITY_CEILING_S = 300.0


@dataclass(frozen=True)
class GuardBounds:
    """The memory and I/O-stall watchdogs' bounds (sortcanary.runner.guards): the config's
    ``memory`` and ``io_stall`` sections and the job's scheduler memory request. The limit itself
    is resolved by the runner when it starts the sorter, from the host and cgroup it runs in."""

    host_fraction: float
    limit_bytes: int | None  # memory.limit_gb
    mem_mb: int | None  # the job's mem_mb resource, when the job was given one
    warn_fraction: float
    abort_fraction: float
    io_stall_s: float  # 0 = off


def guard_bounds(cfg: JSONDict, mem_mb: int | None) -> GuardBounds:
    memory = cfg["memory"]
    return GuardBounds(host_fraction=float(memory["host_fraction"]),
                       limit_bytes=int(memory["limit_gb"] * 1e9) if memory["limit_gb"] else None,
                       mem_mb=int(mem_mb) if mem_mb else None, warn_fraction=float(memory["warn_fraction"]),
                       abort_fraction=float(memory["abort_fraction"]), io_stall_s=float(cfg["io_stall"]["timeout_s"]))


@dataclass(frozen=True)
class SortPlan:
    job: str  # "canary" or "sort"
    recording: RecordingEntry
    sorter: str
    sorter_params: JSONDict  # exactly what the sorter receives
    container: JSONDict  # the run_sorter container option the config sets (docker_image or singularity_image), or {}
    torch_device: str | None  # resolved; None for sorters without a torch device
    window: Window | None  # the part sorted; None = all of it
    inactivity_timeout_s: float
    abort_free_bytes: int
    outputs: JSONDict  # the outputs section the post-sort step builds (everything off = none)
    job_kwargs: JSONDict
    identity: JSONDict  # sorter and parameters a finished sort must match (the job adds the files)
    progress_interval_s: float  # seconds between two progress lines on the console
    attempt: int = 1
    resort_on_change: bool = False  # full sort: replace a finished sort made with another identity
    confirm_windows: tuple[Window, ...] = ()  # canary: further windows for a biological verdict
    confirm_asked: int = 0  # canary.confirm_windows, to say when fewer windows fit
    sparse_window: Window | None = None  # canary: the longer window sorted before a too-few-spikes block
    sparse_timeout_s: float | None = None  # its inactivity timeout
    gpu_ids: tuple[str, ...] = ()  # devices the sorter child may be pinned to; () = environment untouched
    guards: GuardBounds | None = None  # None: no memory or I/O-stall watchdog
    recipe: Recipe = field(default_factory=Recipe)  # what is done to the traces before the sorter
    classification_rules: tuple[JSONDict, ...] = ()  # the config's classification.rules (classification.lab_rules)
    # The working directory the job's records, GPU locks and kept sorter defaults are under
    # (sortcanary.layout): the workflow's, "."; the Python API's folder, wherever the caller runs.
    root: str = "."

    @property
    def duration_s(self) -> float:
        return self.window.duration_s if self.window else self.recording.duration_s

    def on(self, window: Window, inactivity_timeout_s: float | None = None) -> SortPlan:
        """The same plan on another window (a canary's confirmation or sparse window)."""
        return replace(self, window=window, inactivity_timeout_s=inactivity_timeout_s or self.inactivity_timeout_s)

    def as_dict(self) -> JSONDict:
        data = asdict(self)
        data["recording"] = self.recording.as_dict()
        data["recipe"] = self.recipe.as_dict()
        return data

    @classmethod
    def from_dict(cls, data: JSONDict) -> SortPlan:
        data = dict(data)
        data["recording"] = RecordingEntry.from_dict(data["recording"])
        data["window"] = Window(**data["window"]) if data.get("window") else None
        data["confirm_windows"] = tuple(Window(**w) for w in data.get("confirm_windows", ()))
        data["sparse_window"] = Window(**data["sparse_window"]) if data.get("sparse_window") else None
        data["gpu_ids"] = tuple(data.get("gpu_ids", ()))
        data["guards"] = GuardBounds(**data["guards"]) if data.get("guards") else None
        data["recipe"] = Recipe.from_dict(data.get("recipe"))
        data["classification_rules"] = tuple(data.get("classification_rules", ()))
        return cls(**data)


CONTAINER_KEYS = ("docker_image", "singularity_image")


def container_options(cfg: JSONDict) -> JSONDict:
    """The run_sorter container option the config sets, or none: only a set option is passed on,
    so backends that know no containers keep working."""
    return {key: cfg[key] for key in CONTAINER_KEYS if cfg.get(key)}


def sort_identity(cfg: JSONDict) -> JSONDict:
    """What a finished sort must match to be reused (the full sort adds the recording's files).
    The workflow passes the same value as a rule param, so a change re-runs the jobs. ``cfg`` is
    the global config, or one recording's (``recording_config``); a probe override joins it, and
    the recipe, ``split_by`` and ``join`` when they are not the default (sortcanary.plan.recipe.recipe_identity)."""
    identity = {"sorter": cfg["sorter"], "sorter_params": cfg["sorter_params"], **recipe_identity(cfg)}
    for key in ("split_by", "join"):  # their defaults leave a finished sort's identity as it was
        if cfg.get(key, "none") != "none":
            identity[key] = cfg[key]
    probe = (cfg.get("override") or {}).get("probe")
    return {**identity, "probe": probe} if probe else identity


def outputs_switched_off(outputs: JSONDict) -> JSONDict:
    """A copy of an ``outputs`` section with every output off and its settings kept."""
    off = copy.deepcopy(outputs)
    off.setdefault("curation", {})["enabled"] = False
    off["exporters"] = dict.fromkeys(off.get("exporters", {}), False)
    off["figures"] = False
    off["report"] = False
    return off


DeviceOf = Callable[[str], str]  # a torch_device setting ("auto") -> the device this machine sorts on


def _timeout_s(rule: JSONDict, base_s: float, duration_s: float) -> float:
    timeout_s: float = min(rule["max_s"], base_s + rule["per_min_s"] * duration_s / 60.0)
    return timeout_s


def _canary_timeout_s(rule: JSONDict, window_s: float, duration_s: float) -> float:
    base_s = min(CANARY_INACTIVITY_CEILING_S, max(CANARY_INACTIVITY_FLOOR_S, 4.0 * window_s))
    return _timeout_s(rule, base_s, duration_s)


def _sorter_params(cfg: JSONDict, defaults: JSONDict, device_of: DeviceOf) -> tuple[JSONDict, str | None]:
    """The config's sorter_params plus the device, for sorters that take one. ``auto`` is resolved
    here, on the machine that sorts; an explicit ``cuda`` or ``cpu`` goes to the sorter as asked,
    so the canary meets exactly the failure the full sort would."""
    params = copy.deepcopy(cfg["sorter_params"])
    if "torch_device" not in defaults:
        return params, None
    requested = params.get("torch_device", cfg["torch_device"])
    params["torch_device"] = device_of(requested) if requested == "auto" else requested
    return params, params["torch_device"]


def _common(cfg: JSONDict, entry: RecordingEntry, job: str, device_of: DeviceOf, mem_mb: int | None,
            root: str) -> tuple[JSONDict, JSONDict]:
    backend = resolve_backend(cfg["sorter"], root)
    defaults = backend.default_params()
    params, device = _sorter_params(cfg, defaults, device_of)
    rules = tuple(cfg["classification"]["rules"])
    lab_rules(rules)  # a pattern that does not compile is a one-line ConfigError now, not at the failure
    recipe = plan_recipe(cfg)
    switches, notes = sorter_switches(recipe, defaults, cfg["sorter_params"])
    params.update(switches)
    recipe = replace(recipe, notes=notes, drift_bin_um=drift_bin_um(defaults, params))
    return {"job": job, "recipe": recipe, "recording": with_probe(entry, cfg["override"]), "sorter": cfg["sorter"],
            "sorter_params": params, "container": container_options(cfg), "torch_device": device,
            "gpu_ids": resolve_gpu_ids(cfg["gpus"], device),
            "abort_free_bytes": int(cfg["disk"]["abort_free_gb"] * 1e9), "job_kwargs": dict(cfg["job_kwargs"]),
            "identity": sort_identity(cfg), "progress_interval_s": float(cfg["progress"]["interval_s"]),
            "guards": guard_bounds(cfg, mem_mb), "classification_rules": rules, "root": root}, defaults


def _resolve_device(requested: str) -> str:
    from ..checks.device import resolve_torch_device

    return resolve_torch_device(requested)


@dataclass(frozen=True)
class CanaryDisabled:
    """What a canary job records when ``canary.window_s`` switches the canary off."""

    sorter: str
    reason: str


def plan_canary(cfg: JSONDict, entry: RecordingEntry, *, device_of: DeviceOf = _resolve_device,
                mem_mb: int | None = None, root: str = ".") -> SortPlan | CanaryDisabled:
    """The canary's plan, or CanaryDisabled when ``canary.window_s`` disables the canary.

    Same sorter, parameters, device *and post-sort outputs* as the full sort (an exporter that
    can't run must fail in minutes, not after hours of sorting), but the leading window, the
    canary's sorter overrides, and an inactivity timeout sized for a short window. With
    ``canary.exercise_outputs: false`` the post-sort outputs are switched off. ``mem_mb`` is the
    job's scheduler memory request, a bound of the memory watchdog; ``root`` the working directory
    (SortPlan.root). Raises SortFailure
    when the sorter or device can't be resolved (nothing to rehearse with).
    """
    cfg = recording_config(cfg, entry.config_name)
    canary = cfg["canary"]
    if not canary_enabled(canary["window_s"]):
        return CanaryDisabled(cfg["sorter"], f"canary.window_s={canary['window_s']}")
    fields, defaults = _common(cfg, entry, "canary", device_of, mem_mb, root)
    for name, value in CANARY_SORTER_OVERRIDES.items():
        if name in defaults:
            fields["sorter_params"][name] = value
    shortest = min_window_s(fields["sorter_params"], defaults, entry.sampling_frequency)
    window_s = max(float(canary["window_s"]), shortest)
    window = canary_window(window_s, entry.duration_s, first_join_s(entry))
    sparse = sparse_window(window_s, entry.duration_s)
    outputs = cfg["outputs"] if canary["exercise_outputs"] else outputs_switched_off(cfg["outputs"])
    return SortPlan(**fields, window=window,
                    inactivity_timeout_s=_canary_timeout_s(cfg["inactivity"], window_s, window.duration_s),
                    outputs=copy.deepcopy(outputs),
                    confirm_windows=confirmation_windows(window.duration_s, entry.duration_s, canary["confirm_windows"],
                                                         shortest),
                    confirm_asked=canary["confirm_windows"], sparse_window=sparse,
                    sparse_timeout_s=_canary_timeout_s(cfg["inactivity"], sparse.duration_s, sparse.duration_s)
                    if sparse else None)


def plan_full_sort(cfg: JSONDict, entry: RecordingEntry, attempt: int = 1, *, device_of: DeviceOf = _resolve_device,
                   mem_mb: int | None = None, root: str = ".") -> SortPlan:
    """The full sort's plan: the live settings, all of the recording; on a retry after a resource
    failure, ``sorter_params.batch_size`` divided by ``retry_batch_divisor`` per attempt. ``mem_mb``
    is the job's scheduler memory request (this attempt's), a bound of the memory watchdog."""
    cfg = recording_config(cfg, entry.config_name)
    fields, defaults = _common(cfg, entry, "sort", device_of, mem_mb, root)
    if attempt > 1 and "batch_size" in defaults:
        base = fields["sorter_params"].get("batch_size", defaults["batch_size"])
        fields["sorter_params"]["batch_size"] = max(1, int(base / cfg["retry_batch_divisor"] ** (attempt - 1)))
    rule = cfg["inactivity"]
    return SortPlan(**fields, window=None, inactivity_timeout_s=_timeout_s(rule, rule["base_s"], entry.duration_s),
                    outputs=copy.deepcopy(cfg["outputs"]), attempt=attempt, resort_on_change=cfg["resort_on_change"])
