"""The classifier: real error texts, real exceptions, real exit statuses.

Texts are the ones users reported (more in tests/data/failure_corpus.yaml, scored by test_corpus.py);
exceptions are raised for real here -- a MemoryError from numpy, EMFILE under a lowered RLIMIT_NOFILE,
ENOSPC from /dev/full, a ModuleNotFoundError from a real import -- so the structural path is tested on
what Python actually raises, not on hand-made look-alikes.
"""

from __future__ import annotations

import errno
import json
import os
import runpy
import signal
import subprocess
import sys
import textwrap
import traceback

import numpy as np
import pytest

from conftest import sortcanary
from sortcanary.classification import classify, classify_exception, classify_exit, classify_text, lab_rules
from sortcanary.taxonomy import SortFailure, verdict_for

TRUNCATED_SVD = (
    "ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD."
)
ABSURD_SHAPE = (10**7, 10**7)  # 728 TiB of float64: beyond any machine, so numpy really raises


def wrapped(text: str) -> str:
    """How SpikeInterface reports a sorter's error: inside a SpikeSortingError."""
    return (
        "Traceback (most recent call last):\n  File \"runsorter.py\", line 200, in run_sorter\n"
        f"spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n{text}\n"
        "Spike sorting failed. You can inspect the runtime trace in /x/spikeinterface_log.json."
    )


def raised(make) -> BaseException:
    try:
        make()
    except BaseException as exc:  # noqa: BLE001 -- the point is to catch what really comes out
        return exc
    raise AssertionError("nothing was raised")


@pytest.mark.parametrize(
    "text, category, error_class",
    [
        (TRUNCATED_SVD, "biological", "no_spikes_found"),
        ("ValueError: n_samples=5 should be >= n_clusters=6.", "biological", "no_spikes_found"),
        ("No spikes detected, cannot continue sorting.", "biological", "no_spikes_found"),
        (("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.61 GiB. GPU 0 has a total capacity of "
         "8.00 GiB of which 0 bytes is free"), "resource", "gpu_out_of_memory"),
        ("AssertionError: Torch not compiled with CUDA enabled", "environment", "device_unavailable"),
        ("RuntimeError: CUDA error: no kernel image is available for execution on the device", "environment",
         "cuda_kernels_not_compiled"),
        ("Exception: The sorter kilosort4 is not installed. Please install it with:\n pip install kilosort",
         "environment", "sorter_not_installed"),
        ("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
         "environment", "container_error"),
        (("RuntimeError: Singularity is not installed. Install singularity on this machine to run sorting with "
         "singularity."), "environment", "container_runtime_missing"),
        ("ValueError: Largest value of chanMap exceeds channel count of data, make sure chanMap is 0-indexed.",
         "environment", "probe_config_error"),
        ("OSError: [Errno 28] No space left on device", "resource", "disk_exhausted"),
        ("OSError: [Errno 24] Too many open files", "resource", "too_many_open_files"),
        ("slurmstepd: error: *** JOB 1449736 ON phoenix-07 CANCELLED AT 2023-12-03T12:47:09 DUE TO TIME LIMIT ***",
         "resource", "scheduler_time_limit"),
        ("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 112. GiB for an array with shape",
         "resource", "host_out_of_memory"),
        ("Kilosort 4 error: Unable to allocate 117. TiB for an array with shape (4002249, 4002249)",
         "environment", "allocation_implausible"),
    ],
)
def test_real_messages_plain_and_wrapped(text, category, error_class):
    for variant in (text, wrapped(text)):
        verdict = classify(variant)
        assert (verdict.category, verdict.error_class) == (category, error_class), variant
        assert verdict.remediation and verdict.evidence["matched"]


@pytest.mark.parametrize("text", [
    "Error: something failed", "ERROR error error", "Traceback (most recent call last):\nRuntimeError: boom",
    "Exception: kilosort2 returned a non-zero exit code", "Spike sorting failed. You can inspect the runtime trace",
    "ValueError: too many values to unpack (expected 16)", "The 'conda' command is not available in the shell",
    "PermissionError: [WinError 32] The process cannot access the file because it is being used by another process",
    "ValueError: this file format version is not supported",
])
def test_generic_failures_stay_unclassified(text):
    verdict = classify(text)
    assert verdict.category == "unclassified" and not verdict.classified and verdict.policy == "report"
    assert classify_text(text) is None


def test_policies_follow_what_a_retry_can_fix():
    """Resource failures are retried with less; an absurd allocation is not (a smaller batch won't
    fix a wrong parameter); a missing runtime stops the run, since every recording would fail alike."""
    assert classify("CUDA out of memory. Tried to allocate 2.00 GiB").policy == "retry_with_less"
    assert classify("DUE TO TIME LIMIT").policy == "retry_with_less"
    assert classify("Unable to allocate 117. TiB for an array with shape (4002249, 4002249)").policy == "block"
    assert classify("RuntimeError: Docker is not installed. Install docker").policy == "block_run"
    assert classify(TRUNCATED_SVD).policy == "block"


def test_container_errors_carry_their_reason():
    def reason(text):
        return classify(text).evidence["reason"]
    assert reason("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.") == "daemon_down"
    assert reason("permission denied while trying to connect to the Docker daemon socket") == "permission_denied"
    in_container = ("Spike sorting in docker failed with the following error:\n  File \"/x/in_container_sorter_script"
                    ".py\", line 4, in <module>\nModuleNotFoundError: No module named 'spikeinterface'")
    assert reason(in_container) == "image_setup"


def test_conflicting_texts_follow_the_priority_environment_resource_biological():
    oom_and_svd = "torch.OutOfMemoryError: CUDA out of memory.\n...\n" + TRUNCATED_SVD
    assert classify(oom_and_svd).category == "resource"
    config_and_svd = TRUNCATED_SVD + "\nLargest value of chanMap exceeds channel count of data"
    assert classify(config_and_svd).error_class == "probe_config_error", "a config problem is never 'silent'"


@pytest.mark.parametrize("code, error_class", [
    (-signal.SIGKILL, "host_out_of_memory"), (137, "host_out_of_memory"), (140, "scheduler_time_limit"),
    (-signal.SIGXCPU, "scheduler_time_limit"), (128 + signal.SIGXCPU, "scheduler_time_limit"),
])
def test_exit_status_without_text(code, error_class):
    assert classify("", exit_code=code).error_class == error_class


def test_ordinary_exit_statuses_say_nothing():
    assert classify_exit(1) is None and classify_exit(0) is None and classify_exit(None) is None
    assert classify("RuntimeError: boom", exit_code=1).category == "unclassified"


def test_sigkill_outranks_a_biological_text():
    """A process the kernel killed never got to finish; whatever 'silent' text it left is not the cause."""
    assert classify(TRUNCATED_SVD, exit_code=-signal.SIGKILL).error_class == "host_out_of_memory"


# -- structure: real exceptions ------------------------------------------------------------------------


def test_absurd_numpy_allocation_is_a_parameter_problem_not_memory():
    exc = raised(lambda: np.empty(ABSURD_SHAPE))
    assert isinstance(exc, MemoryError)
    for verdict in (classify_exception(exc), classify(f"{type(exc).__name__}: {exc}")):
        assert (verdict.category, verdict.error_class, verdict.policy) == ("environment", "allocation_implausible",
                                                                           "block"), str(exc)


def test_a_memory_error_that_says_its_size_is_host_memory_under_a_lowered_address_space_limit():
    script = textwrap.dedent("""
        import json, resource
        import numpy as np
        from sortcanary.classification import classify_exception
        used = int(next(ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmSize:"))) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (used + 2**29, resource.getrlimit(resource.RLIMIT_AS)[1]))
        try:
            np.ones(2**28)  # 2 GiB of float64 against half a GiB to spare
        except MemoryError as exc:
            print(json.dumps({"message": str(exc), "verdict": classify_exception(exc).as_dict()}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    result = json.loads(out.stdout)
    assert "Unable to allocate 2.00 GiB" in result["message"]
    assert (result["verdict"]["category"], result["verdict"]["error_class"]) == ("resource", "host_out_of_memory")


def test_a_bare_memory_error_says_nothing_of_what_was_asked_and_is_left_alone():
    exc = raised(lambda: bytearray(2**60))  # an absurd request: Python says only "MemoryError"
    assert isinstance(exc, MemoryError) and str(exc) == ""
    assert classify_exception(exc) is None


def test_oserror_errno_decides(tmp_path):
    def fill_dev_full():
        with open("/dev/full", "w") as fh:
            fh.write("x")
    assert classify_exception(raised(fill_dev_full)).error_class == "disk_exhausted"
    assert classify_exception(raised(lambda: open(tmp_path / "missing.bin"))) is None  # noqa: SIM115 -- ENOENT: no file, no class


NOBODY = 65534  # the unprivileged user and group ("nobody") a test run as root writes as


def write_unprivileged(path) -> BaseException:
    """What writing ``path`` raises in a process without privileges: a forked child, which drops
    root's (root ignores file modes, and CI runs as root) and sends back the exception it got."""
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            os.write(write_end, pickle.dumps(raised(lambda: open(path, "w").close())))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as got:
        data = got.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def test_permission_denied_is_environment():
    """A results folder the user may read but not write (made under /tmp, which every user can
    reach, so that the write itself is what is refused)."""
    import tempfile

    locked = tempfile.mkdtemp(prefix="sortcanary-locked-")
    os.chmod(locked, 0o555)
    try:
        exc = write_unprivileged(os.path.join(locked, "x"))
    finally:
        os.chmod(locked, 0o700)
        os.rmdir(locked)
    assert isinstance(exc, PermissionError) and exc.errno == errno.EACCES, exc
    assert classify_exception(exc).error_class == "permission_denied"


def test_emfile_under_a_lowered_rlimit_in_a_subprocess():
    script = textwrap.dedent("""
        import json, resource, sys
        from sortcanary.classification import classify_exception
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        handles = []
        try:
            while True:
                handles.append(open(sys.executable, "rb"))
        except OSError as exc:
            for h in handles:
                h.close()
            verdict = classify_exception(exc)
            print(json.dumps({"errno": exc.errno, "verdict": verdict.as_dict(), "torch": "torch" in sys.modules}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["errno"] == errno.EMFILE
    assert (result["verdict"]["category"], result["verdict"]["error_class"]) == ("resource", "too_many_open_files")
    assert result["verdict"]["evidence"]["errno"] == "EMFILE"
    assert result["torch"] is False, "classify_exception must not import torch"


def test_missing_modules_are_placed_by_which_module(tmp_path):
    sorter = raised(lambda: __import__("mountainsort5"))
    assert isinstance(sorter, ModuleNotFoundError) and sorter.name == "mountainsort5"
    assert classify_exception(sorter).error_class == "sorter_not_installed"
    sorter_part = raised(lambda: __import__("kilosort.no_such_part"))  # kilosort is there, without that module
    assert classify_exception(sorter_part).error_class == "sorter_version_unsupported"
    assert classify_exception(sorter_part).message == ("The installed kilosort has no module kilosort.no_such_part: "
                                                       "another version is needed.")
    compiled_part = ModuleNotFoundError("No module named 'numpy._core._multiarray_umath'",
                                        name="numpy._core._multiarray_umath")
    assert classify_exception(compiled_part).error_class == "binary_import_broken"
    exporter = ModuleNotFoundError("No module named 'pynwb'", name="pynwb")
    assert classify_exception(exporter).error_class == "exporter_unavailable"
    sorter_dep = tmp_path / "kilosort" / "clustering_qr.py"  # a dependency the sorter's own code imports
    sorter_dep.parent.mkdir()
    sorter_dep.write_text("import faiss_not_installed_here\n")
    dependency = raised(lambda: runpy.run_path(str(sorter_dep)))
    assert classify_exception(dependency).error_class == "dependency_missing"
    assert "faiss_not_installed_here (imported by kilosort)" in classify_exception(dependency).message
    own_code = tmp_path / "sortcanary" / "plan" / "extra.py"  # sortcanary's own code importing what isn't there
    own_code.parent.mkdir(parents=True)
    own_code.write_text("import sortcanary_no_such_module\n")
    ours = raised(lambda: runpy.run_path(str(own_code)))
    assert classify_exception(ours) is None, "a module our own code imports is a bug to report, not an environment"
    assert classify("".join(traceback.format_exception(ours))).category == "unclassified"
    script = raised(lambda: __import__("pandas_not_installed_here"))  # a lab's script or backend: the environment
    assert classify_exception(script).error_class == "dependency_missing"


def test_a_readers_missing_dependency_names_the_module_and_its_importer(tmp_path):
    """The README's install without pandas: SpikeInterface's phy reader imports it, Kilosort4 itself is
    installed. The verdict names what is missing, and the same traceback pasted as text says the same."""
    reader = tmp_path / "site-packages" / "spikeinterface" / "extractors" / "phykilosortextractors.py"
    reader.parent.mkdir(parents=True)
    reader.write_text("def read():\n    import pandas_not_installed_here\n\nread()\n")
    exc = raised(lambda: runpy.run_path(str(reader)))
    text = "".join(traceback.format_exception(exc))
    for verdict in (classify_exception(exc), classify(text)):
        assert (verdict.error_class, verdict.policy) == ("dependency_missing", "block_run")
        assert verdict.message == "The module pandas_not_installed_here (imported by spikeinterface) is not installed."
        assert "`pip install <module>`" in verdict.remediation


def test_an_exception_and_its_printed_traceback_get_the_same_verdict(tmp_path):
    """One classifier, two inputs: what the child reads off the exception, a pasted traceback says too."""
    def full_disk():
        with open("/dev/full", "w") as fh:
            fh.write("x")

    def wrapped_absurd():
        try:
            np.empty(ABSURD_SHAPE)
        except MemoryError as exc:
            raise RuntimeError("sorter failed") from exc

    for make in (full_disk, wrapped_absurd, lambda: __import__("kilosort.no_such_part"), lambda: __import__("mountainsort5"),
                 lambda: __import__("spikeinterface.no_such_part")):
        exc = raised(make)
        structural, text = classify_exception(exc), classify("".join(traceback.format_exception(exc)))
        assert structural is not None and (structural.category, structural.error_class) == (
            text.category, text.error_class), exc


def test_chained_exceptions_are_walked():
    def wrapper():
        try:
            np.empty(ABSURD_SHAPE)
        except MemoryError as exc:
            raise RuntimeError("sorter failed") from exc
    assert classify_exception(raised(wrapper)).error_class == "allocation_implausible"

    def while_handling():
        try:
            with open("/dev/full", "w") as fh:
                fh.write("x")
        except OSError:
            raise ValueError("could not save the sorting")  # noqa: B904 -- the point: __context__, not __cause__
    assert classify_exception(raised(while_handling)).error_class == "disk_exhausted"
    assert classify_exception(raised(lambda: 1 / 0)) is None


def test_a_sort_failure_keeps_its_verdict():
    verdict = verdict_for("flat_signal")
    assert classify_exception(SortFailure(verdict)) is verdict


def test_torch_oom_is_gpu_memory_when_torch_is_loaded():
    torch = pytest.importorskip("torch")
    def gpu_oom():
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    exc = raised(gpu_oom)
    assert classify_exception(exc).error_class == "gpu_out_of_memory"


def test_the_child_reports_the_structural_verdict_and_the_parent_keeps_it(demo_dir, tmp_path):
    """A sorter that really runs out of file descriptors in the canary's child process."""
    import yaml

    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump({"recordings_dir": str(tmp_path), "sorter": "backends:OpenFilesLimit",
                                   "canary": {"window_s": 5}}))
    result = sortcanary("canary", str(demo_dir / "healthy_b.bin"), "--config", str(cfg))
    verdict = json.loads(result.stdout)
    assert (verdict["category"], verdict["error_class"]) == ("resource", "too_many_open_files"), result.stderr[-2000:]
    assert verdict["evidence"]["errno"] == "EMFILE", "the exception's errno, not a text match, decided"


def test_every_class_is_documented():
    from pathlib import Path

    from sortcanary.taxonomy import CLASSES

    page = (Path(__file__).resolve().parents[1] / "docs" / "verdicts.md").read_text()
    assert [name for name in CLASSES if f"`{name}`" not in page] == []


def test_classify_cli_reads_stdin_and_always_exits_0():
    result = sortcanary("classify", stdin=wrapped(TRUNCATED_SVD))
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert set(out) == {"category", "error_class", "message", "remediation"}
    assert (out["category"], out["error_class"]) == ("biological", "no_spikes_found")
    unknown = sortcanary("classify", stdin="weird")
    assert unknown.returncode == 0 and json.loads(unknown.stdout)["category"] == "unclassified"


# -- sortcanary classify --explain, and a lab's own rules ---------------------------------------------------

SLURM_ERR = """INFO sortcanary: sorting rec1 (full, 3600.0 s of 3600.0 s) with kilosort4 {'torch_device': 'cuda'}
/var/spool/slurmd/job8812/slurm_script: line 12: 41233 Killed                  python -m sortcanary.runner.child /w
slurmstepd: error: Detected 1 oom_kill event in StepId=8812.batch. Some of the step tasks have been OOM Killed.
"""


def test_explain_names_the_rule_and_the_line_of_a_slurm_err_file():
    out = sortcanary("classify", "--explain", stdin=SLURM_ERR)
    assert out.returncode == 0, out.stderr
    assert "verdict: resource / host_out_of_memory (policy retry_with_less)" in out.stdout
    assert "rule: scheduler-out-of-memory (built-in)" in out.stdout
    assert "fired on line 3: slurmstepd: error: Detected 1 oom_kill event" in out.stdout
    assert "also fired, outranked: killed (resource/host_out_of_memory) on line 2" in out.stdout
    assert "scheduler OUT_OF_MEMORY (line 3)" in out.stdout and "signal SIGKILL (line 2)" in out.stdout


def test_explain_names_the_rule_and_the_line_of_a_chained_traceback():
    torch = pytest.importorskip("torch")

    def sorter():
        try:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
                                         "capacity of 7.79 GiB of which 1.20 GiB is free.")
        except torch.OutOfMemoryError as exc:
            raise RuntimeError("Spike sorting failed. You can inspect the runtime trace.") from exc

    text = "".join(traceback.format_exception(raised(sorter)))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("torch.OutOfMemoryError"))
    out = sortcanary("classify", "--explain", stdin=text).stdout
    assert "verdict: resource / gpu_out_of_memory" in out
    assert f"rule: gpu-memory-exception (built-in): the GPU's allocator gave up\nfired on line {line}: " \
           "torch.OutOfMemoryError: CUDA out of memory" in out
    assert "exception RuntimeError: Spike sorting failed" in out


def test_explain_says_why_no_rule_fired():
    out = sortcanary("classify", "--explain", stdin="Traceback (most recent call last):\nRuntimeError: boom\n").stdout
    assert out.startswith("verdict: unclassified -- no rule fired")
    assert "exception RuntimeError: boom (line 2)" in out
    nothing = sortcanary("classify", "--explain", stdin="all quiet").stdout
    assert "read: no exception type, errno, missing module, exit status" in nothing


LAB_RULE = {"pattern": r"GPFS lease (expired|lost)", "category": "environment", "class": "gpfs_lease_expired",
            "remediation": "Ask the cluster admins to check the GPFS client on the node."}


def test_a_lab_rule_classifies_what_no_built_in_rule_knows_and_its_category_gives_the_policy():
    text = "RuntimeError: read failed: GPFS lease expired on /gpfs/lab"
    assert classify(text).category == "unclassified"
    verdict = classify(text, rules=lab_rules([LAB_RULE]))
    assert (verdict.category, verdict.error_class, verdict.policy) == ("environment", "gpfs_lease_expired", "block")
    assert verdict.remediation == LAB_RULE["remediation"] and verdict.message == text
    retry = classify(text, rules=lab_rules([{**LAB_RULE, "category": "resource", "message": "GPFS hiccup"}]))
    assert (retry.policy, retry.message) == ("retry_with_less", "GPFS hiccup")
    own = classify(text, rules=lab_rules([{**LAB_RULE, "class": "sorter_not_installed"}]))
    assert own.policy == "block_run", "a built-in class keeps its policy"


def test_lab_rules_rank_first_within_their_category_only():
    gpu = "CUDA out of memory\nGPFS lease lost"
    assert classify(gpu, rules=lab_rules([{**LAB_RULE, "category": "resource"}])).error_class == "gpfs_lease_expired"
    assert classify(gpu, rules=lab_rules([{**LAB_RULE, "category": "biological"}])).error_class == "gpu_out_of_memory"
    silent = TRUNCATED_SVD + "\nGPFS lease lost"
    assert classify(silent, rules=lab_rules([LAB_RULE])).error_class == "gpfs_lease_expired"


@pytest.mark.parametrize("rule, words", [
    ({**LAB_RULE, "pattern": "GPFS lease (expired"}, ["classification.rules[0].pattern", "not a valid regular"]),
    ({**LAB_RULE, "class": "host_out_of_memory"}, ["classification.rules[0]", "resource class", "category: resource"]),
])
def test_a_broken_lab_rule_is_one_line_naming_it(rule, words):
    from sortcanary.config import ConfigError

    with pytest.raises(ConfigError) as err:
        lab_rules([rule])
    assert "\n" not in str(err.value) and all(w in str(err.value) for w in words)


def test_classify_cli_uses_the_configs_rules(tmp_path):
    import yaml

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"recordings_dir": str(tmp_path), "classification": {"rules": [LAB_RULE]}}))
    text = "OSError: GPFS lease expired"
    assert json.loads(sortcanary("classify", stdin=text).stdout)["category"] == "unclassified"
    out = json.loads(sortcanary("classify", "--config", str(cfg), stdin=text).stdout)
    assert (out["category"], out["error_class"]) == ("environment", "gpfs_lease_expired")
    explained = sortcanary("classify", "--explain", "--config", str(cfg), stdin=text).stdout
    assert "rule: classification.rules[0] (gpfs_lease_expired) (config)" in explained and "line 1" in explained


# -- remediations name only what exists --------------------------------------------------------------------


def test_remediations_name_only_real_config_keys_and_readme_sections():
    """Every backticked config key a remediation names is in the schema (`a.b`, `key: value`; a bare word
    without them is a command, `dmesg`), and every README section it names ("Install") is a heading there."""
    import re
    from pathlib import Path

    from sortcanary.config import load_schema
    from sortcanary.taxonomy import CLASSES

    root = Path(__file__).resolve().parents[1]
    schema = load_schema()

    def in_schema(dotted: str) -> bool:
        node = schema
        for part in dotted.split("."):
            node = node.get("properties", {}).get(part)
            if node is None:
                return False
        return True

    bad = []
    for cls in CLASSES.values():
        for code in re.findall(r"`([^`]+)`", cls.remediation):
            key = re.fullmatch(r"([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)(?::\s.*)?", code)
            claims_a_key = key and ("_" in code or "." in code or ":" in code or in_schema(code))  # not `ls`, `df`
            if claims_a_key and not in_schema(key.group(1)):
                bad.append(f"{cls.name}: `{code}`")
        for doc, section in re.findall(r"((?:config/)?README\.md|docs/\w+\.md),? \"([^\"]+)\"", cls.remediation):
            headings = [h.strip() for h in re.findall(r"^#+ (.+)$", (root / doc).read_text(), re.MULTILINE)]
            if not any(h == section or h.startswith(section + " ") for h in headings):
                bad.append(f"{cls.name}: {doc} \"{section}\"")
        assert "results_dir" not in cls.remediation and "Installing on a GPU machine" not in cls.remediation
    assert bad == []


# -- mechanism families: each rule recognises a family of shapes, and stays quiet on its look-alikes -------

NEXTFLOW_BLOCK = """Error executing process > 'SORT (rec1)'

Caused by:
  Process `SORT (rec1)` terminated with an error exit status ({code})

Command executed:
  python -m sortcanary.runner.child work

Command exit status:
  {code}
"""
def frames(*paths: str) -> str:
    """A traceback's frames in ``paths`` (innermost last), as Python prints them."""
    return "Traceback (most recent call last):\n" + "".join(f'  File "/env/lib/{p}", line 9, in f\n    call()\n'
                                                          for p in paths)


def raised_at(path: str, function: str, exception: str) -> str:
    """A traceback raised in ``function`` of the installed ``path`` (a raise site), ending in ``exception``."""
    return (f'Traceback (most recent call last):\n  File "/env/lib/python3.11/site-packages/{path}", line 100, in '
            f"{function}\n    raise {exception.partition(':')[0]}(\n{exception}")


SACCT = """JobID           JobName  Partition    Account  AllocCPUS      State ExitCode
------------ ---------- ---------- ---------- ---------- ---------- --------
8812         sort           gpu        lab          8 OUT_OF_ME+    0:125
"""


@pytest.mark.parametrize("text, expected", [
    (NEXTFLOW_BLOCK.format(code=137), "host_out_of_memory"),
    (NEXTFLOW_BLOCK.format(code=140), "scheduler_time_limit"),
    (NEXTFLOW_BLOCK.format(code=1), "unclassified"),
    (SACCT, "host_out_of_memory"),
    ("srun: error: node17: task 0: Killed\nsrun: Terminating StepId=8812.0", "host_out_of_memory"),
    (("TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated. The exit codes of "
     "the workers are {SIGKILL(-9)}"), "host_out_of_memory"),
    (("TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated. The exit codes of "
     "the workers are {SIGSEGV(-11)}"), "unclassified"),
    ("the runner sends SIGKILL to a child that ignores SIGTERM", "unclassified"),
    ("slurmstepd: error: Exceeded step memory limit at some point.", "unclassified"),  # a warning, also on success
    ("slurmstepd: error: Job 8812 exceeded memory limit (8400000 > 8192000), being killed", "host_out_of_memory"),
    (("include/shm.h:28 NCCL WARN Call to posix_fallocate failed: No space left on device\ninclude/shm.h:48 NCCL WARN "
     "Error while creating shared memory segment nccl-shm-recv-1 (size 9637888)"), "shared_memory_unavailable"),
    (("RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus error. It is possible that dataloader's "
     "workers are out of shared memory. Please try to raise your shared memory limit."), "shared_memory_unavailable"),
    ("OSError: Unable to open file (unable to lock file, errno = 37, error message = 'No locks available')",
     "hdf5_file_lock_refused"),
    (("OSError: Unable to open file (unable to lock file, errno = 11, error message = 'Resource temporarily "
     "unavailable')"), "unclassified"),  # another process holds the lock: the filesystem did not refuse it
    ('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
     "container_gpu_unavailable"),
    ("/var/spool/slurmd/job8812/slurm_script: line 4: module: command not found", "job_environment_incomplete"),
    ("nvcc fatal   : Unsupported gpu architecture 'compute_30'\nError using mex", "cuda_build_failed"),
    ("ImportError: cannot import name 'gaussian' from 'scipy.signal' (/venv/lib/scipy/signal/__init__.py)",
     "dependency_version_mismatch"),
    ("ImportError: cannot import name 'run_kilosort' from 'kilosort.run_kilosort'", "sorter_version_unsupported"),
    ("ImportError: cannot import name 'thing' from 'sortcanary.jobs'", "unclassified"),  # our own: a bug
    ("ModuleNotFoundError: No module named 'spikeinterface.sorters.external.kilosort5'", "dependency_version_mismatch"),
    ("ModuleNotFoundError: No module named 'hdbscan'", "dependency_missing"),
    ("ModuleNotFoundError: No module named 'sortcanary.plan.nope'", "unclassified"),  # our own package: a bug
    ("ImportError: /venv/lib/python3.11/site-packages/torchsort/isotonic_cpu.so: undefined symbol: _ZN3c105Error",
     "binary_import_broken"),
    ("ImportError: /home/me/build/_ext/my_lib.so: undefined symbol: state", "binary_import_broken"),  # whoever built it
    ("Time  26s. Loading raw data and applying filters...\n----------------------------------------Out of memory.",
     "host_out_of_memory"),
    (">> corr_edges = 0:1e-4:3600;\n>> Out of memory.", "unclassified"),  # MATLAB, but no sorter ran
    (("An unexpected error occurred trying to launch a kernel. The CUDA error was:\ninvalid configuration argument\n"
     "Error in learnTemplates (line 248)"), "no_spikes_found"),
    (("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 926. GiB for an array with shape (6794880, "
     "36601) and data type float32"), "host_out_of_memory"),  # a fat node has that much
    (("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.50 TiB for an array with shape (990000, 990000) "
     "and data type float32"), "allocation_implausible"),
    (("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 42.9 GiB for an array with shape (30000, 30000, "
      "32) and data type int16"), "unclassified"),  # a dimension twice: a broadcast or pairwise array, not the machine
    ("MemoryError: Unable to allocate 21.5 GiB for an array with shape (30000, 384, 250) and data type float64",
     "host_out_of_memory"),
    # a size of 2**63 or more: a negative size read as unsigned, an overflow in the code (allocations.wrapped_size)
    (("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 16.0 EiB for an array with shape "
      "(18446744073709551615,) and data type uint8"), "unclassified"),
    ("Requested 1x18446744073709551000 (16384.0PB) array exceeds maximum array size preference.", "unclassified"),
    ("Requested 1x9223372036854775900 (8192.0PB) array exceeds maximum array size preference.", "unclassified"),
    ("Requested 1x922337203685477500 (819.2PB) array exceeds maximum array size preference.",
     "allocation_implausible"),  # absurd, but no overflow: a parameter
    ("Error using zeros\nRequested 384x90000000 (257.5GB) array exceeds maximum array size preference.",
     "host_out_of_memory"),
    # C++'s bad_alloc says no size, as a bare MemoryError doesn't: a host out of memory and a bug read the same
    ("terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc", "unclassified"),
    ("terminate called after throwing an instance of 'std::bad_alloc'\n/var/spool/slurmd/job123/slurm_script: line "
     "9: 4242 Killed  ./sorter", "host_out_of_memory"),  # the kill says it
    ("OSError: [Errno 28] No space left on device: '/scratch/ks/temp_wh.dat'", "disk_exhausted"),
    ("OSError: [Errno 122] Disk quota exceeded", "unclassified"),  # charged to the files' owner: whose, unsaid
    ("java.io.IOException: Disk quota exceeded", "unclassified"),
    ("Warning: your disk quota exceeded on /home/me; writes will fail", "disk_exhausted"),  # the user's own
    ("AttributeError: Bad parameters: ['detect_threshold_uv']", "sorter_params_invalid"),
    (frames("site-packages/spyglass/spikesorting/v1/sorting.py", "site-packages/spikeinterface/sorters/basesorter.py")
     + "AttributeError: Bad parameters: ['tempdir']", "unclassified"),  # another pipeline built the parameters
    ("SpikeSorting.populate() raises AttributeError: Bad parameters: ['tempdir']", "unclassified"),
    ("Undefined function 'zscore' for input arguments of type 'gpuArray'.", "dependency_missing"),  # a toolbox's
    ("Undefined function 'mexThSpkPC' for input arguments of type 'gpuArray'.", "cuda_kernels_not_compiled"),
    ("OSError: [Errno 116] Stale file handle", "unclassified"),  # no built-in rule: the same text comes from bugs
    # -- an API changed between two packages' versions (sortcanary.classification.versions)
    ("AttributeError: module 'numpy' has no attribute 'float'.", "dependency_version_mismatch"),
    ("AttributeError: module 'scipy.signal' has no attribute 'gaussian'", "dependency_version_mismatch"),
    ("AttributeError: `np.NaN` was removed in the NumPy 2.0 release. Use `np.nan` instead.", "dependency_version_mismatch"),
    (frames("site-packages/kilosort/run_kilosort.py") + "AttributeError: module 'numpy' has no attribute 'int'",
     "sorter_version_unsupported"),  # the sorter's code asks numpy for a name numpy removed
    ("AttributeError: 'NoneType' object has no attribute 'shape'", "unclassified"),  # an object: a bug as often
    (("AttributeError: partially initialized module 'numpy' has no attribute 'array' (most likely due to a circular "
      "import)"), "unclassified"),
    (frames("site-packages/kilosort/run_kilosort.py") + "AttributeError: module 'kilosort.io' has no attribute 'x'",
     "unclassified"),  # a package asking its own module: its own regression
    (frames("site-packages/sortcanary/jobs/sort.py") + "AttributeError: module 'numpy' has no attribute 'float'",
     "unclassified"),  # our own code: a bug to report
    ("TypeError: __init__() got an unexpected keyword argument 'handle_unknown'", "dependency_version_mismatch"),
    (frames("site-packages/spikeinterface/sorters/external/kilosort4.py") + "TypeError: set_files() missing 1 "
     "required positional argument: 'shank_idx'", "sorter_version_unsupported"),
    ("KS4: initialize_ops() missing 1 required positional argument: 'save_preprocessed_copy'",
     "sorter_version_unsupported"),
    (frames("src/spikeinterface/sorters/external/kilosort4.py") + "ValueError: too many values to unpack (expected 14)",
     "sorter_version_unsupported"),  # a wrapper unpacking what its sorter returns
    (frames("site-packages/spiketoolkit/postprocessing/postprocessing_tools.py") + "ValueError: too many values to "
     "unpack (expected 1)", "unclassified"),  # inside one package: a bug as often
    ("TypeError: run() missing 1 required positional argument: 'self'", "unclassified"),  # a call written wrong
    (frames("site-packages/sortcanary/runner/child.py") + "TypeError: run_sorter() got an unexpected keyword argument "
     "'folder'", "unclassified"),  # our own call: a bug to report
    ("A module that was compiled using NumPy 1.x cannot be run in NumPy 2.0.0 as it may crash.",
     "dependency_version_mismatch"),
    (("ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 "
      "from PyObject"), "dependency_version_mismatch"),
    ("ImportError: Numba needs NumPy 2.0 or less. Got NumPy 2.1.", "dependency_version_mismatch"),
    ("ValueError: This sorter needs 4 or more channels", "unclassified"),
    ("ModuleNotFoundError: No module named 'PyQt5.QtWebEngineWidgets'", "dependency_missing"),  # its own distribution
    ("ModuleNotFoundError: No module named 'numpy._core'", "dependency_version_mismatch"),  # a file of numpy 2 on 1.x
    ("ModuleNotFoundError: No module named 'numpy.core._multiarray_umath'", "binary_import_broken"),  # a compiled part
    ("ImportError: Missing optional dependency 'tables'.  Use pip or conda to install tables.", "dependency_missing"),
    # -- binaries: the loader, the CPU, the driver's libraries
    ("Illegal instruction (core dumped)", "unclassified"),  # a bare signal: builds for newer CPUs and bugs alike
    (("The TensorFlow library was compiled to use AVX instructions, but these aren't available on your machine.\n"
      "Aborted (core dumped)"), "binary_import_broken"),  # the binary says which instructions the CPU lacks
    (("RuntimeError: NumPy was built with baseline optimizations: (SSE,SSE2,SSE3,SSSE3,SSE41,POPCNT,SSE42) but your "
      "machine doesn't support: (SSE41)."), "binary_import_broken"),
    ("Your CPU supports instructions that this TensorFlow binary was not compiled to use: AVX2 FMA", "unclassified"),
    ("RuntimeError: CUDA error: an illegal instruction was encountered", "unclassified"),  # a kernel's fault
    ("Segmentation fault (core dumped)", "unclassified"),
    ("ks2_5_compiled: error while loading shared libraries: /opt/mcr/sys/os/glnxa64/libstdc++.so.6: file too short",
     "binary_import_broken"),
    (("ImportError: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by "
      "/venv/lib/python3.11/site-packages/scipy/_lib/_uarray/_uarray.so)"), "binary_import_broken"),
    (('OSError: [WinError 126] The specified module could not be found. Error loading "C:\\venv\\Lib\\site-packages'
      '\\torch\\lib\\fbgemm.dll" or one of its dependencies.'), "binary_import_broken"),
    ('qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.', "dependency_missing"),
    (('This application failed to start because it could not find or load the Qt platform plugin "windows"\nin "".'),
     "dependency_missing"),  # the plugin is there; a system library it needs is not
    ("ImportError: libcuda.so.1: cannot open shared object file: No such file or directory", "gpu_driver_error"),
    ("Failed to initialize NVML: Driver/library version mismatch", "gpu_driver_error"),
    ("RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable", "device_unavailable"),
    # -- filesystems: a lock refused, a write refused
    ("H5FDsec2.c line 940 in H5FD_sec2_lock(): unable to lock file, errno = 524, error message = 'Unknown error 524'",
     "hdf5_file_lock_refused"),  # the kernel's ENOTSUPP: Lustre, Cray DVS
    ("OSError: [Errno 37] No locks available", "hdf5_file_lock_refused"),
    ("unable to lock file, errno = 35, error message = 'Resource temporarily unavailable'", "unclassified"),  # held
    ("NotWritableError: The current user does not have write permissions to a required path.", "permission_denied"),
    ("mkdir: cannot create directory '/scratch/lab': Permission denied", "permission_denied"),
    ("git@github.com: Permission denied (publickey).", "unclassified"),
    # -- containers, downloads, the job's shell, the scheduler
    ("docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "container_gpu_unavailable"),
    ("Error: unresolvable CDI devices nvidia.com/gpu=all", "container_gpu_unavailable"),
    ("docker: Error response from daemon: unknown or invalid runtime name: runsc.", "unclassified"),
    ("socket.gaierror: [Errno -3] Temporary failure in name resolution", "download_failed"),
    (("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='osf.io', port=443): Max retries exceeded with "
      "url: /x (Caused by NewConnectionError('Failed to establish a new connection: [Errno 101] Network is "
      "unreachable'))"), "download_failed"),
    ("Downloading data from https://example.org/w.h5\n" +
     frames("lib/python3.11/urllib/request.py", "lib/python3.11/http/client.py"), "download_failed"),  # cut short
    (frames("lib/python3.11/http/client.py", "site-packages/mylab/parse.py") + "KeyError: 'units'", "unclassified"),
    ("requests.exceptions.ConnectionError: UnixHTTPConnectionPool(host='localhost', port=None): Read timed out.",
     "unclassified"),  # the Docker socket, not a download
    ("CondaError: Run 'conda init' before 'conda activate'", "job_environment_incomplete"),
    ("Lmod Warning: MODULEPATH is undefined.", "job_environment_incomplete"),
    ("/bin/bash: module: command not found", "job_environment_incomplete"),
    (NEXTFLOW_BLOCK.format(code=127), "job_environment_incomplete"),  # the shell found no such command
    ("srun: error: Unable to allocate resources: Invalid account or account/partition combination specified",
     "scheduler_request_rejected"),
    ("srun: error: Unable to create step for job 8812: Memory required by task is not available", "unclassified"),
    ("Process `sort (1)` exceeded running time limit (1h)", "scheduler_time_limit"),
    ('"State": {"Status": "exited", "OOMKilled": true, "ExitCode": 137}', "host_out_of_memory"),
    ('"State": {"Status": "exited", "OOMKilled": false, "ExitCode": 1}', "unclassified"),
    # -- memory in other shapes
    ("OSError: [WinError 1455] The paging file is too small for this operation to complete", "host_out_of_memory"),
    ("OSError: [Errno 12] Cannot allocate memory", "host_out_of_memory"),
    ("Exception in thread main java.lang.OutOfMemoryError: Java heap space", "host_out_of_memory"),
    ("RuntimeError: cuFFT error: CUFFT_ALLOC_FAILED", "gpu_out_of_memory"),
    ("Requested 30000x384x3 (12.9GB) array exceeds maximum array size preference (8.0GB).", "host_out_of_memory"),
    # -- MATLAB's toolboxes and files, the sorter's own settings
    ("Undefined function 'gpuArray' for input arguments of type 'single'.", "dependency_missing"),
    ("Error using fread\nInvalid file identifier. Use fopen to generate a valid file identifier.", "input_invalid"),
    ("The probe file is not specified!", "probe_config_error"),
    ("ValueError: Digital filter critical frequencies must be 0 < Wn < fs/2 (fs=5.0 -> fs/2=2.5)",
     "sorter_params_invalid"),  # the sampling rate given does not fit the band
    (frames("site-packages/spikeinterface/preprocessing/filter.py", "site-packages/scipy/signal/_filter_design.py")
     + "ValueError: Digital filter critical frequencies must be 0 < Wn < 1", "sorter_params_invalid"),
    (frames("site-packages/mudpy/forward.py", "site-packages/scipy/signal/_filter_design.py")
     + "ValueError: Digital filter critical frequencies must be 0<Wn<1", "unclassified"),  # no rate, no sorter: a bug too
    # -- the data: a file the reader does not recognise, a path the command line can't find
    ("ValueError: Unable to read file: 'rec.nwb'. The file is not recognized as an HDF5 NWB file.", "input_invalid"),
    ("Error: Invalid value for 'DATA_PATH': Path 'session1/params.py' does not exist.", "input_invalid"),
    ("ValueError: 'recording.dat' is not a valid SpikeGLX file", "unclassified"),  # a reader too old for it, too
    ("OSError: Unable to open file (bad object header version number)", "input_invalid"),
    ("ValueError: not a valid parameter name: 'freq_min'", "unclassified"),
    # -- the OS refusing a file in its own words; nvcc refusing the host compiler; a stale compiled extension
    (("Invalid MEX-file 'C:\\KiloSort\\CUDA\\mexMPregMU.mexw64': Access is denied.\nError in fitTemplates (line "
      "211)"), "permission_denied"),  # not the kernels missing: Windows refused the file
    ("Invalid MEX-file '/opt/ks/CUDA/mexGetSpikes2.mexa64': libcudart.so.10.1: cannot open shared object file",
     "cuda_kernels_not_compiled"),
    (("Error using mex\nUnable to read '/opt/Kilosort2/CUDA/mexThSpkPC.mexa64'. Change file permission to readable.\n"
      "Error in mexcuda (line 166)"), "permission_denied"),
    (("/usr/local/cuda/include/crt/host_config.h:132:2: error: #error -- unsupported GNU version! gcc versions later "
      "than 11 are not supported! The nvcc flag '-allow-unsupported-compiler' can be used to override this version "
      "check"), "cuda_build_failed"),
    (('  File "herdingspikes/detect.pyx", line 35, in herdingspikes.detect.detectData\nTypeError: detectData() takes '
      "at least 5 positional arguments (1 given)"), "binary_import_broken"),  # the compiled part is another version's
    (frames("site-packages/mylab/analysis.py") + "TypeError: summarise() takes 2 positional arguments but 3 were "
     "given", "unclassified"),  # Python code's own call: a bug as often
    # -- the job's shell: conda's activate, the module system's unknown modules
    ("/bin/bash: activate: No such file or directory", "job_environment_incomplete"),
    ("sh: 1: conda: not found", "job_environment_incomplete"),
    ('Lmod has detected the following error:  The following module(s) are unknown: "matlab/R2021a"',
     "job_environment_incomplete"),
    ("bash: activate_this.py: No such file or directory", "unclassified"),
    # -- GPUs the installed software no longer supports, memory and time in other engines' words
    (("Found GPU0 Tesla K40c which is of cuda capability 3.5. PyTorch no longer supports this GPU because it is too "
      "old. The minimum cuda capability supported by this library is 3.7."), "gpu_driver_error"),
    (("ResourceExhaustedError: OOM when allocating tensor with shape[64,384,30000] and type float on "
      "/job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc"), "gpu_out_of_memory"),
    ("bash: fork: Cannot allocate memory", "host_out_of_memory"),
    (("Container [pid=4242,containerID=c_01] is running beyond physical memory limits. Current usage: 8.1 GB of 8 GB "
      "physical memory used. Killing container."), "host_out_of_memory"),
    ("=>> PBS: job killed: vmem 17179869184 exceeded limit 16106127360", "host_out_of_memory"),
    ("zsh: killed     python sort.py", "host_out_of_memory"),
    ("Warning: DeadlineExceeded: Job was active longer than specified deadline", "scheduler_time_limit"),
    ("qsub: submit error (Job exceeds queue and/or server resource limits)", "scheduler_request_rejected"),
    ("Bad resource requirement syntax. Job not submitted.", "scheduler_request_rejected"),
    ('Error: failed to resolve reference "docker.io/spikeinterface/kilosort4-base:nope": not found',
     "container_image_pull_failed"),
    (("docker: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container "
      "process caused: exec: \"python\": executable file not found in $PATH: unknown."), "container_error"),
    # -- the sorter's side of a call: its name in the function called, a positional count only there
    ("TypeError: run_kilosort() got an unexpected keyword argument 'file_object'", "sorter_version_unsupported"),
    (frames("site-packages/spikeinterface/sorters/external/kilosort4.py") + "TypeError: initialize_ops() takes from 6 "
     "to 7 positional arguments but 8 were given", "sorter_version_unsupported"),
    ("TypeError: get_traces() takes 1 positional argument but 2 were given", "unclassified"),  # no sorter: a bug too
    # -- the probe against the recording; a band beyond the rate; installers' conflicts; more engines' words
    ("ValueError: The recording has 384 channels but the probe has 385 contacts", "probe_config_error"),
    ('"AssertionError: chan_indices 32 != contact count 16"', "probe_config_error"),
    ("ValueError: freq_max 15000 Hz is above the Nyquist frequency of the recording", "sorter_params_invalid"),
    (("ERROR: Cannot install spikeinterface==0.101.0 and numpy==2.1 because these package versions have "
      "conflicting dependencies."), "dependency_version_mismatch"),
    ("ValueError: numpy.ndarray size changed, may indicate binary incompatibility. Expected 88 from C header, got 80",
     "dependency_version_mismatch"),
    (("RuntimeError: cuDNN version incompatibility: PyTorch was compiled  against (8, 9, 2) but found runtime "
      "version (8, 5, 0)."), "binary_import_broken"),
    ("Warning! ***HDF5 library version mismatched error***", "binary_import_broken"),
    ("ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.", "host_memory_watchdog"),
    ("W bfc_allocator.cc:457] Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.00GiB", "gpu_out_of_memory"),
    ("RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable", "device_unavailable"),
    ("job 8812 exceeded hard wallclock time - initiate terminate method", "scheduler_time_limit"),
    ('Unable to run job: Job was rejected because job requests unknown queue "gpu.q".', "scheduler_request_rejected"),
    ("RuntimeError: No spikes were found in the recording, nothing to cluster", "no_spikes_found"),
    # -- the parser: a trace kept as JSON strings (SpikeInterface's log), a quoted reply
    (('        "  File \\"/env/site-packages/spikeinterface/sorters/external/kilosort4.py\\", line 200, in '
      '_run_from_folder",\n        "  ValueError: too many values to unpack (expected 14)"'), "sorter_version_unsupported"),
    ("> $ python sort.py rec1\n> Killed", "host_out_of_memory"),  # a reply quoting the shell
    ("[1,0]<stderr>: Killed", "host_out_of_memory"),  # an MPI launcher's prefix before the shell's word
    ("the job was Killed by the user from the web portal", "unclassified"),
    # -- whose code asked: the folder after site-packages (a wrapper's folder bears its sorter's name)
    (frames("site-packages/spikeinterface/sorters/mountainsort4/mountainsort4.py") + "AttributeError: module "
     "'mountainsort4' has no attribute '__version__'", "sorter_version_unsupported"),
    (frames("site-packages/mountainsort4/mdaio.py") + "AttributeError: module 'mountainsort4' has no attribute 'x'",
     "unclassified"),  # a package asking its own module: its own regression
    # -- the sorter's own count of spikes extracted: none, then whatever raised (Kilosort 1's NTOT, 2's batches)
    ("Time 769.57, batch 601/656, NTOT 0\nIndex exceeds matrix dimensions.\nError in fullMPMU (line 205)",
     "no_spikes_found"),
    ("Time 120s. Final spike extraction: 601 batches, 0 spikes\nError using gpuArray/subsref", "no_spikes_found"),
    ("Time 769.57, batch 601/656, NTOT 84211\nIndex exceeds matrix dimensions.\nError in fullMPMU (line 205)",
     "unclassified"),  # spikes were counted: an index error is the sorter's
    # -- more engines' and tools' words for the same mechanisms
    ("RuntimeError: DataLoader worker (pid 1234) is killed by signal: Killed.", "host_out_of_memory"),
    ("RuntimeError: DataLoader worker (pid 1234) is killed by signal: Segmentation fault.", "unclassified"),
    ("OutOfMemoryError: Container killed due to memory usage", "host_out_of_memory"),  # a batch service: the host
    ("cupy\\cuda\\memory.pyx in cupy.cuda.memory._try_malloc()\n\nOutOfMemoryError: Out of memory allocating 478 bytes",
     "unclassified"),  # CuPy's pool: a batch too large and a leak read the same (limits' docstring)
    ('job 4242 exceeds job hard limit "h_vmem" of queue "all.q@node3" (16.00G > limit:16.00G)', "host_out_of_memory"),
    ("Job has gone over cgroup memory limit of 4096 megabytes. Peak usage: 5000 megabytes.", "host_out_of_memory"),
    ("qsub -l h_vmem=16G sort.sh\nsort.sh: exit status 1", "unclassified"),  # a request, not a kill
    ("The job exceeded allowed execute duration of 1+00:00:00", "scheduler_time_limit"),
    ("Error: EACCES: permission denied, mkdir '/data/out'", "permission_denied"),  # errnos by name
    ("/usr/lib/ruby/x.rb:12:in `write': No room (Errno::ENOSPC)", "disk_exhausted"),
    ("ERROR: sorting failed, see the log", "unclassified"),  # not an errno's name
    ("touch: cannot touch '/data/x': Permission denied", "permission_denied"),
    ("OSError: [Errno 101] Network is unreachable", "download_failed"),
    ("ConnectionRefusedError: [Errno 111] Connection refused", "unclassified"),  # a local service as often
    ("OSError: We couldn't connect to 'https://huggingface.co' to load this file", "download_failed"),
    ("Error: could not connect to http://localhost:8080/api", "unclassified"),
    ("importlib.metadata.PackageNotFoundError: No package metadata was found for hdbscan", "dependency_missing"),
    ("pkg_resources.DistributionNotFound: The 'kilosort>=4' distribution was not found and is required by the "
     "application", "sorter_not_installed"),
    ("importlib.metadata.PackageNotFoundError: No package metadata was found for sortcanary", "unclassified"),  # ours
    ("Exception: Kilosort4 is not installed. Please install it with pip install kilosort", "sorter_not_installed"),
    ("Error in library(Seurat) : there is no package called 'Seurat'", "dependency_missing"),
    ("'conda' is not recognized as an internal or external command,", "job_environment_incomplete"),
    ("'docker' is not recognized as an internal or external command,", "container_runtime_missing"),
    ("docker: invalid reference format: repository name must be lowercase.", "container_image_pull_failed"),
    ("RuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED", "binary_import_broken"),  # cuDNN against this CUDA
    ("RuntimeError: cuDNN error: CUDNN_STATUS_EXECUTION_FAILED", "unclassified"),  # a kernel's failure says nothing
    # -- whose storage refused: the path beside EROFS / EDQUOT (the errno, or strerror's words alone)
    ("OSError: [Errno 30] Read-only file system: '/scratch/lab/rec1/sorted'", "permission_denied"),
    ("mkdir: cannot create directory '/data/lab/out': Read-only file system", "permission_denied"),
    ("OSError: [Errno 30] Read-only file system: '/usr/lib/python3/site-packages/tool/data'", "unclassified"),
    ("OSError: [Errno 30] Read-only file system", "unclassified"),  # no path: whose storage is not said
    ("OSError: [Errno 122] Disk quota exceeded: '/home/alice/.cache/matplotlib/fontlist.json'", "disk_exhausted"),
    ("OSError: [Errno 122] Disk quota exceeded: '/labshare/group/out.bin'", "unclassified"),  # owner or group?
    ("java.io.IOException: Disk quota exceeded", "unclassified"),
    # -- a job's shell, a device, an image, a request: the same mechanisms in other tools' words
    ("-bash: snakemake: command not found", "job_environment_incomplete"),
    ("the manual says: the tool reports command not found when PATH is empty", "unclassified"),
    ('Lmod has detected the following error: These module(s) or extension(s) exist but cannot be loaded as '
     'requested: "cuda/12.1"', "job_environment_incomplete"),
    ("conda: error: argument COMMAND: invalid choice: 'activate' (choose from 'clean', 'config')",
     "job_environment_incomplete"),
    ("RuntimeError: CUDA error: invalid device ordinal", "device_unavailable"),
    ("FATAL:   could not open image /data/ks4.sif: failed to retrieve path for /data/ks4.sif: lstat /data/ks4.sif: "
     "no such file or directory", "container_image_pull_failed"),
    ("Process requirement exceeds available memory -- req: 64 GB; avail: 16 GB", "scheduler_request_rejected"),
    ("pyopencl._cl.MemoryError: clEnqueueNDRangeKernel failed: MEM_OBJECT_ALLOCATION_FAILURE", "gpu_out_of_memory"),
    ("ValueError: No peaks detected in the recording", "no_spikes_found"),
    ("RuntimeError: unable to write to file </torch_123_456_0>: No space left on device (28)",
     "shared_memory_unavailable"),  # torch's segment in /dev/shm, not the disk
    ("Error using mexcuda (line 166)\nnvcc error   : 'cicc' died due to signal 11 (Invalid memory reference)",
     "cuda_build_failed"),
    # -- a limit only where the text lets one judge it (classification.limits)
    ("MemoryError", "unclassified"),  # what was asked, and whether it was plausible, is not said
    ("MemoryError\nUnable to allocate 139. MiB for an array with shape (9131294, 2) and data type float64",
     "host_out_of_memory"),
    ("cupy.cuda.memory.OutOfMemoryError: out of memory to allocate 1073741824 bytes (total 12373894656 bytes)",
     "unclassified"),
    (frames("lib/python3.9/multiprocessing/process.py", "lib/python3.9/multiprocessing/popen_fork.py") +
     "OSError: [Errno 24] Too many open files", "unclassified"),  # a pipe per child started: a leak as often
    (frames("lib/python3.9/multiprocessing/reduction.py", "lib/python3.9/multiprocessing/resource_sharer.py") +
     "OSError: [Errno 24] Too many open files", "too_many_open_files"),
    (("error running kilosort! An unexpected error occurred trying to launch a kernel. The CUDA error was: invalid "
      "configuration argument"), "unclassified"),  # not where: an oversized grid reads the same
    # -- round 3's families, each with a look-alike
    ("Error using gpuArray/eig\nEIG did not converge at index = 557499.\nError running kilosort2",
     "sorter_version_unsupported"),  # MATLAB R2022+ against Kilosort 2's svdecon
    ("Number of spikes before applying cutoff: 36449620\nError using gpuArray/eig\nEIG did not converge at index = 8.",
     "unclassified"),  # tens of millions of events: a bug of its own
    ("numpy.linalg.LinAlgError: Eigenvalues did not converge", "unclassified"),  # no Kilosort, no gpuArray
    (("CUDA backend failed to initialize: Found cuDNN version 8600, but JAX was built against version 8906, which is "
      "newer."), "binary_import_broken"),
    ("Loaded runtime CuDNN library: 8.0.5 but source was compiled with: 8.1.0.", "binary_import_broken"),
    ("I tensorflow/core: Found cuDNN version 8600 at /usr/lib", "unclassified"),
    ("H5Fopen(): unable to lock file, errno = 30, error message = 'Read-only file system'", "hdf5_file_lock_refused"),
    ("RuntimeError: DataLoader worker (pid 13) is killed by signal: Bus error.", "shared_memory_unavailable"),
    (("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=11.0, please update your driver to a newer "
      "version, or use an earlier cuda container: unknown."), "gpu_driver_error"),
    (("Error: error creating libpod runtime: there might not be enough IDs available in the namespace (requested "
      "100000:100000 for /home/jon/.local/share/containers/storage/overlay/l)"), "container_error"),
    ("qsub: Job has no memory requested.\n Please specify the total amount of memory needed", "scheduler_request_rejected"),
    ("qsub: waiting for job 4242.pbs to start", "unclassified"),
    ("srun: error: Unable to create step for job 238051: More\nprocessors requested than permitted.",
     "scheduler_request_rejected"),  # a sentence wrapped over two lines (rules.unwrapped)
    ("docker: Error response from daemon: pull access\ndenied for spikeinterface/ks9, may require docker login",
     "container_image_pull_failed"),
    ("docker: Error response from daemon: pull access\nDenied.", "unclassified"),  # a new sentence is not joined
    (('Traceback (most recent call last):\n  File "C:\\env\\lib\\subprocess.py", line 1207, in _execute_child\n'
      '    startupinfo)\nFileNotFoundError: [WinError 2] The system cannot find the file specified'), "dependency_missing"),
    (frames("site-packages/tool/io.py") + "FileNotFoundError: [Errno 2] No such file or directory: '/data/rec1.bin'",
     "unclassified"),  # a file, not a program
    ("ImportError: cannot import name 'popargs_to_dict'", "dependency_version_mismatch"),  # Python < 3.7: no module
    (frames("site-packages/sortcanary/jobs/canary.py") + "ImportError: cannot import name 'thing'", "unclassified"),
    ("Error using wave_clus>load_data_button_Callback (line 221)\nLess than 15 spikes detected", "no_spikes_found"),
    ("ValueError: Extension 'qualitymetrics' is unknown maybe this is an external extension or a typo.",
     "sorter_params_invalid"),
    (("MissingOutputException in rule sort:\nJob 8 completed successfully, but some output files are missing.\nMissing "
      "files after 5 seconds:\nresults/rec1/sort.json\n(missing locally, parent dir contents: spikes.npy, sort.json)"),
     "io_stall"),  # written, and listed: the shared filesystem showed it late
    (("MissingOutputException in rule sort:\nJob 8 completed successfully, but some output files are missing.\nMissing "
      "files after 5 seconds:\nresults/rec1/sort.json\n(missing locally, parent dir contents: spikes.npy)"),
     "unclassified"),  # never written: the rule's own doing
    # -- other engines and orchestrators: podman, Kubernetes' evictions, a JVM that can't start
    ("bash: podman: command not found", "container_runtime_missing"),
    ("podman image ls shows the image", "unclassified"),
    ("Error: docker.io/spikeinterface/ks9: image not known", "container_image_pull_failed"),
    ("Reason: Evicted. Message: The node was low on resource: memory. Container sorter was using 30Gi.",
     "host_out_of_memory"),
    ("Reason: Evicted. Message: The node was low on resource: ephemeral-storage.", "disk_exhausted"),
    ("# There is insufficient memory for the Java Runtime Environment to continue.", "host_out_of_memory"),
    # -- round 4: each family's other shapes (other tools, layers, spellings), each with a look-alike
    ("A module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.0.1 as it may crash.",
     "dependency_version_mismatch"),  # NumPy wraps its own message
    ("compiled using NumPy 2.x, it can be run in NumPy 2.1", "unclassified"),
    ("code=222( cudaErrorUnsupportedPtxVersion ) cudaStreamCreateWithFlags(&stream)", "gpu_driver_error"),
    ("cuInit failed: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", "gpu_driver_error"),  # the driver API's spelling
    ("code=1( cudaErrorInvalidValue ) cudaMemcpy(dst, src, n)", "unclassified"),  # a call's own bad argument
    ("numba.cuda.cudadrv.error.CudaDriverError: driver missing function: cuInit.", "gpu_driver_error"),
    ("numba.cuda.cudadrv.error.CudaSupportError: CUDA driver library cannot be found.", "gpu_driver_error"),
    ("numba.cuda.cudadrv.error.NvvmSupportError: libNVVM cannot be found. Do `conda install cudatoolkit`:",
     "cuda_toolkit_missing"),
    ("numba: using libNVVM from /usr/local/cuda/nvvm/lib64", "unclassified"),
    ("RuntimeError: cudaErrorNoKernelImageForDevice", "cuda_kernels_not_compiled"),
    ("The HDF5 header files used to compile this application do not match\nthe version used by the HDF5 library to "
     "which this application is linked.\nHeaders are 1.10.4, library is 1.10.6", "binary_import_broken"),
    ("h5py 3.9 built against HDF5 library 1.12.2", "unclassified"),
    ("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4770354232 "
     "bytes.", "gpu_out_of_memory"),
    ("RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Read requests'", "unclassified"),
    ("An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.",
     "gpu_unused"),
    ("env: apptainer: No such file or directory", "container_runtime_missing"),
    ("Failed to pull singularity image\n  command: singularity pull --name x.img docker://x\n  status : 127\n  "
     "message:\n    bash: singularity: command not found", "container_runtime_missing"),  # no engine, so no pull
    ("Failed to pull singularity image\n  status : 255\n  message:\n    FATAL: manifest unknown",
     "container_image_pull_failed"),
    ("ERROR  : Failed to mount image in (read only): Invalid argument\nABORT  : Retval = 255", "container_error"),
    ("ERROR  : the sorter returned 1", "unclassified"),  # Singularity 2's ERROR line alone is anyone's
    ("PermissionError: [Errno 13] Permission denied: '/tmp/tool_cache.json'", "unclassified"),  # another user's name
    ("PermissionError: [Errno 13] Permission denied: '/tmp/run42/recording.bin'", "permission_denied"),
    ("PermissionError: [Errno 13] Permission denied: '/data/lab/recording.bin'", "permission_denied"),
    ("/bin/bash: /opt/wave_clus/cluster_linux64.exe: Permission denied", "permission_denied"),
    ("sh: 1: ./run_sorter.sh: Permission denied", "permission_denied"),
    ("git@github.com: Permission denied (publickey).", "unclassified"),
    ("AttributeError: module 'spikeinterface.full' has no attribute 'read_sorter'. Did you mean: 'run_sorter'?",
     "unclassified"),  # no frame says who asked: the caller's own typo as often
    (frames("site-packages/probeinterface/io.py") + "AttributeError: module 'scipy.signal' has no attribute 'gaussian'",
     "dependency_version_mismatch"),
    ("QObject::moveToThread: Current thread (0x1f0) is not the object's thread (0x2a0).\nqt.qpa.plugin: Could not load "
     "the Qt platform plugin \"xcb\" in \"\" even though it was found.", "binary_import_broken"),  # cv2's Qt beside PyQt's
    ("QObject::moveToThread: Current thread (0x1f0) is not the object's thread (0x2a0).", "unclassified"),
    ("RuntimeError: HIP out of memory. Tried to allocate 2.00 GiB", "gpu_out_of_memory"),
    ("Error using gpuArray\nAn unexpected error occurred trying to launch a kernel. The CUDA error was:\nout of memory",
     "gpu_out_of_memory"),  # MATLAB puts the CUDA error on a line of its own
    ("Error using gpuArray\nAn unexpected error occurred trying to launch a kernel. The CUDA error was:\ninvalid "
     "argument", "unclassified"),
    ("XlaRuntimeError: RESOURCE_EXHAUSTED: Failed to allocate request for 2.00GiB (2147483648B) on device ordinal 0",
     "gpu_out_of_memory"),
    # CUDA_ERROR_UNKNOWN says no cause (torch's "may be due to" is a guess): round 7 had it from a container whose
    # GPU stayed unusable with no fault found on the user's side, so it is left alone
    (("UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. "
      "changing env variable CUDA_VISIBLE_DEVICES after program start."), "unclassified"),
    ("CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://conda.anaconda.org/conda-forge/linux-64/repodata.json>",
     "download_failed"),
    ("ValueError: The probe has 384 channels and the recording has 385 channels", "probe_config_error"),
    ("Recording has 384 channels and 30000 samples per second", "unclassified"),
    ("FATAL:   could not open image /scratch/ks4.sif: image format not recognized", "container_image_pull_failed"),
    ("Container killed on request. Exit code is 137", "host_out_of_memory"),  # YARN's words for the exit status
    ("Job has been put on hold: memory usage exceeded request_memory", "host_out_of_memory"),  # HTCondor
    ("The job was killed because it exceeded the memory limit", "host_out_of_memory"),
    # SLURM's notice as it kills the step (jobacct_gather.c, job_mem_limit.c; the warning written on success too
    # always says "at some point": task/cgroup's failcnt, since 2013): test_classification_sources.py
    ("slurmstepd: error: Exceeded job memory limit", "host_out_of_memory"),
    ("slurmstepd: error: Exceeded job memory limit at some point.", "unclassified"),
    ("Error using gpuDevice\nUnable to find a supported GPU device. For more information on GPU support, see GPU "
     "Computing Requirements.", "device_unavailable"),
    ("The installed CUDA driver is not compatible with the version of MATLAB. You must update the driver.",
     "gpu_driver_error"),
    ("Error using gpuDevice (line 26)\nGraphics driver is out of date. Download and install the latest graphics driver",
     "gpu_driver_error"),
    ("Warning: The CUDA driver must recompile the GPU libraries because your device is more recent than the libraries.",
     "unclassified"),  # a warning about the libraries, not the driver's age
    ("Job was held: the job exceeded its allowed execute duration", "scheduler_time_limit"),  # HTCondor
    ("FileNotFoundError: [Errno 2] No such file or directory: 'mpiexec'", "unclassified"),  # or a folder 'mpiexec'
    ("RuntimeError: Numpy is not available", "dependency_version_mismatch"),  # torch built for NumPy 1 under NumPy 2
    ("ERROR: Package 'kilosort' requires a different Python: 3.8.10 not in '>=3.9'", "dependency_version_mismatch"),
    ("UserWarning: A NumPy version >=1.22.4 and <2.3.0 is required for this version of SciPy (detected version 2.3.1)",
     "unclassified"),  # a warning at import: SciPy goes on
    ("ImportError: To use the NWB exporter, pynwb must be installed: pip install pynwb", "dependency_missing"),
    ("ImportError: requires `huggingface_hub`: install it with `pip install huggingface_hub`", "dependency_missing"),
    ("docs: the exporter must be installed separately", "unclassified"),
    ("Unable to load any of {libcudnn_cnn.so.9.1.0, libcudnn_cnn.so.9.1, libcudnn_cnn.so.9, libcudnn_cnn.so}",
     "binary_import_broken"),
    ("Invalid handle. Cannot load symbol cudnnCreateTensorDescriptor", "binary_import_broken"),
    (("RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA major versions. PyTorch has "
      "CUDA Version=11.8 and torchvision has CUDA Version=12.1."), "binary_import_broken"),
    ("[4242.1] python invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0", "host_out_of_memory"),
    ("Process 12345 was killed by the OOM killer", "host_out_of_memory"),
    ("vm.oom_kill_allocating_task = 0 (the OOM killer picks the largest task)", "unclassified"),
    ("distributed.nanny - WARNING - Worker exceeded 95% memory budget. Restarting", "host_memory_watchdog"),  # Dask
    ("Error using gpuArray/zeros\nRequested 384x65600x8 (1.50GB) array exceeds the maximum allowed size on the device.",
     "gpu_out_of_memory"),
    ("Error: crun: creating `/proc`: mount `proc` to `proc`: Operation not permitted: OCI permission denied",
     "container_error"),
    (('Error response from daemon: Head "https://registry-1.docker.io/v2/x/manifests/latest": unauthorized: incorrect '
      'username or password'), "container_image_pull_failed"),
    # an image built for another architecture: the container's own set-up (round 5's threads), not a host's library
    ("standard_init_linux.go:228: exec user process caused: exec format error", "container_error"),
    ("OSError: [Errno 28] No space left on device: '/dev/shm/sortcanary_1234'", "shared_memory_unavailable"),
    ("OSError: [Errno 28] No space left on device: '/scratch/dev/shm_copy.bin'", "disk_exhausted"),  # not /dev/shm
    ("java.io.FileNotFoundException: /data/rec1.bin (Permission denied)", "permission_denied"),  # a JVM's words
    ("java.io.FileNotFoundException: /data/rec1.bin (No such file or directory)", "unclassified"),
    ("java.nio.file.AccessDeniedException: /data/rec1.bin", "permission_denied"),
    ("herdingspikes: Detected 0 spikes", "no_spikes_found"),
    ("Detected 10 spikes", "unclassified"),
    ("CudaSupportError: Error at driver init: Call to cuInit results in CUDA_ERROR_INSUFFICIENT_DRIVER (35)",
     "gpu_driver_error"),
    ("RuntimeError: jaxlib version 0.4.20 is newer than and incompatible with jax version 0.4.13.",
     "dependency_version_mismatch"),
    ("RuntimeError: Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices.",
     "device_unavailable"),
    ("No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)",
     "unclassified"),  # JAX says so on every machine without a GPU
    ("tensorflow.python.framework.errors_impl.NotFoundError: libdevice not found at ./libdevice.10.bc",
     "cuda_toolkit_missing"),
    ("cupy.cuda.compiler.CompileException: nvrtc: error: failed to open libnvrtc-builtins.so.11.1.",
     "binary_import_broken"),
    ("ncclUnhandledCudaError: Call to CUDA function failed.\nLast error:\nCuda failure 'out of memory'",
     "gpu_out_of_memory"),
    ('Cannot run program "singularity": error=2, No such file or directory', "container_runtime_missing"),  # a JVM's
    ('Cannot run program "singularity": error=13, Permission denied', "unclassified"),  # there, but not runnable
    ("error during connect: This error may indicate that the docker daemon is not running.", "container_error"),
    ("FATAL:   Failed to create user namespace: user namespace disabled", "container_error"),
    ('ERRO[0000] cannot find UID/GID for user lab: no subuid ranges found for user "lab" in /etc/subuid',
     "container_error"),
    ("Task exited with return code Negsignal.SIGKILL", "host_out_of_memory"),  # Airflow
    ("make: *** [Makefile:10: sort] Error 137", "host_out_of_memory"),
    ("make: *** [Makefile:10: sort] Error 2", "unclassified"),
    ("<Process name='sort' pid=4242 parent=1 stopped exitcode=-SIGKILL>", "host_out_of_memory"),
    ("JobId=4242 JobState=FAILED Reason=NonZeroExitCode ExitCode=137:0", "host_out_of_memory"),  # scontrol
    ("Warning: job 4242 exceeded memory limit and was killed", "host_out_of_memory"),
    ("qsub: job 4242.pbs killed: exceeded limit mem", "unclassified"),  # not a refused submission
    ("Error using mexcuda\nUnable to find nvcc. Make sure the CUDA toolkit is installed.", "cuda_toolkit_missing"),
    ("Error using gpuDevice (line 26)\nFailed to initialize graphics driver for computation.  The CUDA error was:\n"
     "CUDA_ERROR_UNKNOWN", "gpu_driver_error"),
    # -- the raise sites of the installed stack (SpikeInterface 0.105.3, Kilosort 4.1.7, probeinterface, neo,
    # torch, h5py, numpy): each message as the library raises it, placeholders filled; where the site says an
    # environment, resource or biological cause, that class; a bug's signal (an assertion, a shape) stays unclassified
    # spikeinterface/sorters/basesorter.py:101 initialize_folder
    (raised_at('spikeinterface/sorters/basesorter.py', 'initialize_folder',
               'Exception: The sorter kilosort4 is not installed. Please install it with:\n\npip '
               'install kilosort --upgrade\n\nMore information on Kilosort4 at:\n  '
               'https://github.com/MouseLand/Kilosort'),
     'sorter_not_installed'),
    # spikeinterface/sorters/basesorter.py:110 initialize_folder
    (raised_at('spikeinterface/sorters/basesorter.py', 'initialize_folder',
               'RuntimeError: Channel locations are required for this spike sorter. Locations can be '
               'added to the RecordingExtractor by loading a probe file (.prb or .csv) or by setting '
               'them manually.'),
     'probe_config_error'),
    # spikeinterface/sorters/basesorter.py:118 initialize_folder
    (raised_at('spikeinterface/sorters/basesorter.py', 'initialize_folder',
               'RuntimeError: Channel locations are not unique! Please ensure that each channel has a '
               'unique location before running spike sorting. Duplicate locations: [[0. 0.]]'),
     'probe_config_error'),
    # spikeinterface/sorters/basesorter.py:202 set_params_to_folder
    (raised_at('spikeinterface/sorters/basesorter.py', 'set_params_to_folder',
               "ValueError: Invalid parameters: ['batch_sise'] \nValid parameters are: "
               "dict_keys(['batch_size', 'nblocks'])"),
     'sorter_params_invalid'),
    # spikeinterface/sorters/runsorter.py:173 run_sorter
    (raised_at('spikeinterface/sorters/runsorter.py', 'run_sorter',
               'RuntimeError: Docker is not installed. Install docker on this machine to run sorting '
               'with docker.'),
     'container_runtime_missing'),
    # spikeinterface/sorters/runsorter.py:178 run_sorter
    (raised_at('spikeinterface/sorters/runsorter.py', 'run_sorter',
               'RuntimeError: The python `docker` package must be installed. Install with `pip '
               'install docker`'),
     'container_runtime_missing'),
    # spikeinterface/sorters/runsorter.py:189 run_sorter
    (raised_at('spikeinterface/sorters/runsorter.py', 'run_sorter',
               'RuntimeError: Singularity is not installed. Install singularity on this machine to '
               'run sorting with singularity.'),
     'container_runtime_missing'),
    # spikeinterface/sorters/runsorter.py:195 run_sorter
    (raised_at('spikeinterface/sorters/runsorter.py', 'run_sorter',
               'RuntimeError: The python `spython` package must be installed to run singularity. '
               'Install with `pip install spython`'),
     'container_runtime_missing'),
    # spikeinterface/sorters/runsorter.py:130 run_sorter
    (raised_at('spikeinterface/sorters/runsorter.py', 'run_sorter',
               'ValueError: The sorter klusta is archived and no longer supported. Please use a '
               'different sorter or an older version of SpikeInterface.'),
     'sorter_version_unsupported'),
    # spikeinterface/sorters/container_tools.py:116 __init__
    (raised_at('spikeinterface/sorters/container_tools.py', '__init__',
               'FileNotFoundError: Unable to locate container image '
               'spikeinterface/kilosort4-base:latest'),
     'container_image_pull_failed'),
    # spikeinterface/sorters/utils/misc.py:15 get_bash_path
    (raised_at('spikeinterface/sorters/utils/misc.py', 'get_bash_path',
               'Exception: Bash is not installed or accessible on your system.'),
     'dependency_missing'),
    # spikeinterface/sorters/utils/misc.py:68 has_nvidia
    (raised_at('spikeinterface/sorters/utils/misc.py', 'has_nvidia',
               "Exception: This sorter requires cuda, but the package 'cuda-python' is not installed. "
               'You can install it with:\npip install cuda-python'),
     'dependency_missing'),
    # spikeinterface/sorters/external/hdsort.py:252 write_hdsort_input_format
    (raised_at('spikeinterface/sorters/external/hdsort.py', 'write_hdsort_input_format',
               'Exception: To use HDSort, install h5py: pip install h5py'),
     'dependency_missing'),
    # spikeinterface/sorters/external/kilosort4.py:128 check_sorter_version
    (raised_at('spikeinterface/sorters/external/kilosort4.py', 'check_sorter_version',
               'Exception: SpikeInterface only supports kilosort versions 4.1.1 and above (which '
               'support numpy>=2).\n                You are running version 4.0.30. To install the '
               'latest version, run:\n                    >>> pip install kilosort --upgrade'),
     'sorter_version_unsupported'),
    # spikeinterface/sorters/external/kilosort4.py:184 _run_from_folder
    (raised_at('spikeinterface/sorters/external/kilosort4.py', '_run_from_folder',
               'RuntimeError: Kilosort versions before 4.0.16 are not supportedin SpikeInterface. '
               'Please upgrade Kilosort version.'),
     'sorter_version_unsupported'),
    # spikeinterface/sorters/external/kilosort4.py:481 _setup_json_probe_map
    (raised_at('spikeinterface/sorters/external/kilosort4.py', '_setup_json_probe_map',
               "RuntimeError: 3D 'location' are not supported. Set 2D locations instead."),
     'probe_config_error'),
    # spikeinterface/sorters/external/kilosortbase.py:215 _run_from_folder
    (raised_at('spikeinterface/sorters/external/kilosortbase.py', '_run_from_folder',
               'Exception: kilosort2_5 returned a non-zero exit code'),
     'unclassified'),
    # spikeinterface/sorters/external/waveclus.py:227 _run_from_folder
    (raised_at('spikeinterface/sorters/external/waveclus.py', '_run_from_folder',
               'Exception: Result file does not exist: /data/out/sorter_output/times_results.mat'),
     'unclassified'),
    # spikeinterface/sorters/external/mountainsort5.py:127 _run_from_folder
    (raised_at('spikeinterface/sorters/external/mountainsort5.py', '_run_from_folder',
               'TypeError: Unexpected: recording extracted from folder is not a BaseRecording, but is '
               "of type: <class 'NoneType'>"),
     'unclassified'),
    # spikeinterface/core/baserecordingsnippets.py:162 set_probegroup
    (raised_at('spikeinterface/core/baserecordingsnippets.py', 'set_probegroup',
               'ValueError: The probe/probegroup must have the same number of connected contacts as '
               'the number of channels as the recording, but the probe has 32 connected channels and '
               'the recording has 64 channels. Use `probe.set_device_channel_indices()` to set the '
               'device channel indices.'),
     'probe_config_error'),
    # spikeinterface/core/baserecordingsnippets.py:172 set_probegroup
    (raised_at('spikeinterface/core/baserecordingsnippets.py', 'set_probegroup',
               'ValueError: `device_channel_indices` is wrong! It should contain only values '
               '[0...n-1] after ordering, but they are: [ 1  2  3 32]'),
     'probe_config_error'),
    # spikeinterface/core/baserecordingsnippets.py:316 get_probegroup
    (raised_at('spikeinterface/core/baserecordingsnippets.py', 'get_probegroup',
               'ValueError: There is no Probe attached to this recording. Use set_probe(...) to '
               'attach one.'),
     'probe_config_error'),
    # spikeinterface/core/baserecordingsnippets.py:447 get_channel_locations
    (raised_at('spikeinterface/core/baserecordingsnippets.py', 'get_channel_locations',
               'ValueError: get_channel_locations(..) needs a probe to be attached to the recording'),
     'probe_config_error'),
    # kilosort/run_kilosort.py:806 detect_spikes
    (raised_at('kilosort/run_kilosort.py', 'detect_spikes',
               'ValueError: No spikes detected, cannot continue sorting.'),
     'no_spikes_found'),
    # kilosort/run_kilosort.py:252 _sort
    (raised_at('kilosort/run_kilosort.py', '_sort',
               'ValueError: Largest value of chanMap exceeds channel count of data, make sure chanMap '
               'is 0-indexed.'),
     'probe_config_error'),
    # kilosort/io.py:844 get_total_samples
    (raised_at('kilosort/io.py', 'get_total_samples',
               "ValueError: Bytes in binary file did not divide evenly, incorrect n_chan_bin ('number "
               "of channels' in GUI)."),
     'probe_config_error'),
    # kilosort/run_kilosort.py:530 initialize_ops
    (raised_at('kilosort/run_kilosort.py', 'initialize_ops',
               "ValueError: Unrecognized settings: ['batchsize']"),
     'sorter_params_invalid'),
    # kilosort/run_kilosort.py:489 initialize_ops
    (raised_at('kilosort/run_kilosort.py', 'initialize_ops',
               'ValueError: `nt` must be odd, but got nt=60'),
     'sorter_params_invalid'),
    # kilosort/run_kilosort.py:548 initialize_ops
    (raised_at('kilosort/run_kilosort.py', 'initialize_ops',
               'ValueError: If using pre-computed universal templates (templates_from_data=False), nt '
               'must be 61'),
     'sorter_params_invalid'),
    # kilosort/run_kilosort.py:174 run_kilosort
    (raised_at('kilosort/run_kilosort.py', 'run_kilosort',
               'ValueError: `n_chan_bin` is a required setting. This is the total number of channels '
               'in the binary file, which may or may not be equal to the number of channels specified '
               'by the probe.'),
     'sorter_params_invalid'),
    # kilosort/io.py:33 find_binary
    (raised_at('kilosort/io.py', 'find_binary',
               'FileNotFoundError: No binary file found in /data/rec1. Expected extensions '
               'are:\n*.bin, *.bat, *.dat, or *.raw.'),
     'input_invalid'),
    # kilosort/io.py:115 load_probe
    (raised_at('kilosort/io.py', 'load_probe',
               'ValueError: Unrecognized extension for probe: np1.txt\nRecognized extensions are '
               '.mat, .prb, or .json.'),
     'probe_config_error'),
    # kilosort/io.py:122 load_probe
    (raised_at('kilosort/io.py', 'load_probe',
               'ValueError: Missing required key: chanMap after loading probe.'),
     'probe_config_error'),
    # kilosort/io.py:131 load_probe
    (raised_at('kilosort/io.py', 'load_probe',
               'ValueError: All probe variables must have the same length.'),
     'probe_config_error'),
    # kilosort/io.py:239 select_shank
    (raised_at('kilosort/io.py', 'select_shank',
               "ValueError: Selected empty shank index: 3, can't sort."),
     'probe_config_error'),
    # kilosort/run_kilosort.py:431 set_files
    (raised_at('kilosort/run_kilosort.py', 'set_files',
               'ValueError: Array-valued probe entries should have 1 dim, but key: xc has ndim == 2.'),
     'probe_config_error'),
    # kilosort/io.py:210 remove_bad_channels
    (raised_at('kilosort/io.py', 'remove_bad_channels',
               "IndexError: Channel '70' was not in probe['chanMap']"),
     'probe_config_error'),
    # kilosort/clustering_qr.py:546 run
    (raised_at('kilosort/clustering_qr.py', 'run',
               'ValueError: `get_data_cpu` never found suitable channels in '
               '`clustering_qr.run`.\ndmin, dminx, and xcenter are: (20.0, 32.0, 27.0)'),
     'probe_config_error'),
    # kilosort/io.py:1272 spikeinterface_to_binary
    (raised_at('kilosort/io.py', 'spikeinterface_to_binary',
               'ModuleNotFoundError: Could not import `write_prb` from probeinterface when exporting '
               'probe, please run `pip install spikeinterface`.'),
     'dependency_missing'),
    # kilosort/io.py:707 __setitem__
    (raised_at('kilosort/io.py', '__setitem__',
               'ValueError: Binary file was loaded as read-only.'),
     'unclassified'),
    # torch/cuda/__init__.py:522 _lazy_init
    (raised_at('torch/cuda/__init__.py', '_lazy_init',
               'AssertionError: Torch not compiled with CUDA enabled'),
     'device_unavailable'),
    # torch/cuda/__init__.py:141 _exchange_device
    (raised_at('torch/cuda/__init__.py', '_exchange_device',
               'RuntimeError: PyTorch was compiled without CUDA support'),
     'device_unavailable'),
    # torch/cuda/__init__.py:517 _lazy_init
    (raised_at('torch/cuda/__init__.py', '_lazy_init',
               'RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with '
               "multiprocessing, you must use the 'spawn' start method"),
     'unclassified'),
    # torch/cuda/__init__.py:524 _lazy_init
    (raised_at('torch/cuda/__init__.py', '_lazy_init',
               'AssertionError: libcudart functions unavailable. It looks like you have a broken '
               'build?'),
     'binary_import_broken'),
    # torch/cuda/__init__.py:740 get_device_properties
    (raised_at('torch/cuda/__init__.py', 'get_device_properties',
               'AssertionError: Invalid device id'),
     'device_unavailable'),
    # torch/cuda/__init__.py:1141 _get_nvml_device_index
    (raised_at('torch/cuda/__init__.py', '_get_nvml_device_index',
               "RuntimeError: device 1 is not visible (CUDA_VISIBLE_DEVICES=['0'])"),
     'device_unavailable'),
    # torch (CUDA build, c10's caching allocator): torch.OutOfMemoryError
    ('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a '
     'total capacity of 11.76 GiB of which 1.21 GiB is free. Including non-PyTorch memory, '
     'this process has 10.54 GiB memory in use.',
     'gpu_out_of_memory'),
    # torch (libtorch, CUDA device count): No CUDA GPUs are available
    ('RuntimeError: No CUDA GPUs are available',
     'device_unavailable'),
    # torch (CUDA build, CUDA hooks): the driver too old
    ('RuntimeError: The NVIDIA driver on your system is too old (found version 11040). '
     'Please update your GPU driver by downloading and installing a new version from the '
     'URL: http://www.nvidia.com/Download/index.aspx',
     'gpu_driver_error'),
    # torch (CUDA build, CUDA hooks): no NVIDIA driver
    ('RuntimeError: Found no NVIDIA driver on your system. Please check that you have an '
     'NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx',
     'gpu_driver_error'),
    # torch (CUDA build): cudaErrorDevicesUnavailable as torch prints it
    ('RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable\nCUDA '
     'kernel errors might be asynchronously reported at some other API call',
     'device_unavailable'),
    # torch (libc10, DefaultCPUAllocator): can't allocate memory
    ("RuntimeError: [enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't "
     'allocate memory: you tried to allocate 21474836480 bytes. Error code 12 (Cannot '
     'allocate memory)',
     'host_out_of_memory'),
    # torch (CUDA build): cudaErrorIllegalAddress -- a bug, left alone
    ('RuntimeError: CUDA error: an illegal memory access was encountered\nCUDA kernel '
     'errors might be asynchronously reported at some other API call',
     'unclassified'),
    # torch (CUDA build): device-side assert -- a bug, left alone
    ('RuntimeError: CUDA error: device-side assert triggered',
     'unclassified'),
    # torch/_prims_common: tensor sizes that don't match -- a bug, left alone
    ('RuntimeError: The size of tensor a (64) must match the size of tensor b (32) at '
     'non-singleton dimension 1',
     'unclassified'),
    # torch/serialization.py:634 _validate_device: a CUDA storage on a machine without CUDA
    ('RuntimeError: Attempting to deserialize object on a CUDA device but '
     'torch.cuda.is_available() is False. If you are running on a CPU-only machine, please '
     "use torch.load with map_location=torch.device('cpu') to map your storages to the CPU.",
     'device_unavailable'),
    # torch/serialization.py:644 _validate_device
    (raised_at('torch/serialization.py', '_validate_device',
               'RuntimeError: Attempting to deserialize object on CUDA device 1 but '
               'torch.cuda.device_count() is 1. Please use torch.load with map_location to map your '
               'storages to an existing device.'),
     'device_unavailable'),
    # numpy/_core/_exceptions.py:161 _ArrayMemoryError: Unable to allocate
    ('numpy._core._exceptions._ArrayMemoryError: Unable to allocate 14.3 GiB for an array '
     'with shape (60000000, 64) and data type float32',
     'host_out_of_memory'),
    # h5py/HDF5 (H5Z): a filter plugin folder that can't be opened
    ("OSError: Can't read data (can't open directory: /usr/local/hdf5/lib/plugin)",
     'hdf5_plugin_missing'),
    # h5py/HDF5 (H5Z): a filter not registered (hdf5plugin not imported)
    ("OSError: Can't read data (required filter 'blosc' is not registered)",
     'hdf5_plugin_missing'),
    # h5py/_hl/filters.py:297: Unknown compression filter number
    ('ValueError: Unknown compression filter number: 32001',
     'hdf5_plugin_missing'),
    # h5py/HDF5 (H5F): truncated file
    ('OSError: Unable to synchronously open file (truncated file: eof = 1048576, '
     'sblock->base_addr = 0, stored_eof = 2097152)',
     'input_invalid'),
    # h5py/HDF5 (H5F): file signature not found
    ('OSError: Unable to synchronously open file (file signature not found)',
     'input_invalid'),
    # h5py/HDF5 (H5F): unable to lock file, errno 37
    ('OSError: [Errno 37] Unable to synchronously open file (unable to lock file, errno = '
     "37, error message = 'No locks available')",
     'hdf5_file_lock_refused'),
    # probeinterface/probe.py:41 _raise_non_unique_positions_error
    (raised_at('probeinterface/probe.py', '_raise_non_unique_positions_error',
               'ValueError: Contact positions must be unique within a probe. Found 1 duplicate(s): '
               'positions (0.0, 0.0) at indices [0, 1]'),
     'probe_config_error'),
    # probeinterface/probe.py:538 set_device_channel_indices
    (raised_at('probeinterface/probe.py', 'set_device_channel_indices',
               'ValueError: channel_indices 16 do not have the same size as contacts 32'),
     'probe_config_error'),
    # spikeinterface/extractors/combinatoextractors.py:37 __init__
    (raised_at('spikeinterface/extractors/combinatoextractors.py', '__init__',
               'ImportError: To use the CombinatoSortingExtractor install h5py: \n\n pip install '
               'h5py\n\n'),
     'dependency_missing'),
    # spikeinterface/extractors/alfsortingextractor.py:32 __init__
    (raised_at('spikeinterface/extractors/alfsortingextractor.py', '__init__',
               'ImportError: To use the ALF extractors, install ONE-api: \n\n pip install ONE-api\n\n'),
     'dependency_missing'),
    # neo/rawio/cedrawio.py:40 __init__
    (raised_at('neo/rawio/cedrawio.py', '__init__',
               'ImportError: sonpy is not installed. Install it with `pip install sonpy`.'),
     'dependency_missing'),
    # spikeinterface/preprocessing/interpolate_bad_channels.py:83 __init__
    (raised_at('spikeinterface/preprocessing/interpolate_bad_channels.py', '__init__',
               'ValueError: A probe must be attached to use bad channel interpolation. Use '
               'set_probe(...)'),
     'probe_config_error'),
    # neo/rawio/spikeglxrawio.py:390 scan_files
    (raised_at('neo/rawio/spikeglxrawio.py', 'scan_files',
               'FileNotFoundError: No appropriate combination of .meta and .bin files were detected '
               'in /data/rec1_g0'),
     'input_invalid'),
    # neo/rawio/openephysbinaryrawio.py:910 explore_folder
    (raised_at('neo/rawio/openephysbinaryrawio.py', 'explore_folder',
               "ValueError: /data/rec1 is not a valid Open Ephys binary folder. No 'structure.oebin' "
               'files were found in sub-folders.'),
     'input_invalid'),
    # neo/rawio/intanrawio.py:132 __init__
    (raised_at('neo/rawio/intanrawio.py', '__init__',
               'ValueError: /data/rec1.dat is not a valid Intan file. Expected .rhd or .rhs extension'),
     'input_invalid'),
    # spikeinterface/sortingcomponents/peak_detection/locally_exclusive.py:61 __init__
    (raised_at('spikeinterface/sortingcomponents/peak_detection/locally_exclusive.py', '__init__',
               'ModuleNotFoundError: "locally_exclusive" needs numba which is not installed'),
     'dependency_missing'),
    # spikeinterface/sortingcomponents/peak_detection/locally_exclusive.py:284 __init__
    (raised_at('spikeinterface/sortingcomponents/peak_detection/locally_exclusive.py', '__init__',
               'ModuleNotFoundError: "locally_exclusive_cl" needs pyopencl which is not installed'),
     'dependency_missing'),
    # probeinterface/io.py:438 read_prb
    (raised_at('probeinterface/io.py', 'read_prb',
               'ValueError: This file is not a standard PRB file'),
     'probe_config_error'),
    # docker/api/client.py:231 _retrieve_server_version
    (raised_at('docker/api/client.py', '_retrieve_server_version',
               "docker.errors.DockerException: Error while fetching server API version: ('Connection "
               "aborted.', FileNotFoundError(2, 'No such file or directory'))"),
     'container_error'),
    # docker/api/client.py:231 _retrieve_server_version
    (raised_at('docker/api/client.py', '_retrieve_server_version',
               "docker.errors.DockerException: Error while fetching server API version: ('Connection "
               "aborted.', PermissionError(13, 'Permission denied'))"),
     'container_error'),
    # docker/errors.py (create_api_error_from_http_exception): ImageNotFound, pull access denied
    ('docker.errors.ImageNotFound: 404 Client Error for '
     'http+docker://localhost/v1.43/images/create?tag=latest&fromImage=spikeinterface%2Fkilosort4-base: '
     'Not Found ("pull access denied for spikeinterface/kilosort4-base, repository does not '
     "exist or may require 'docker login': denied: requested access to the resource is "
     'denied")',
     'container_image_pull_failed'),
    # docker/errors.py (create_api_error_from_http_exception): APIError, no GPU device driver
    ('docker.errors.APIError: 500 Server Error for '
     'http+docker://localhost/v1.43/containers/3f2a/start: Internal Server Error ("could '
     'not select device driver "" with capabilities: [[gpu]]")',
     'container_gpu_unavailable'),
    # docker/errors.py (create_api_error_from_http_exception): NotFound, manifest unknown
    ('docker.errors.NotFound: 404 Client Error for '
     'http+docker://localhost/v1.43/images/create?tag=0.105&fromImage=spikeinterface%2Fkilosort4-base: '
     'Not Found ("manifest for spikeinterface/kilosort4-base:0.105 not found: manifest '
     'unknown: manifest unknown")',
     'container_image_pull_failed'),
    # kilosort/clustering_qr.py:256 kmeans_plus_plus and :531 run: their log lines above torch's OOM
    ('kilosort.clustering_qr: OOM in kmeans_plus_plus iter 3, nsp: 412330, Xg size: 96.64 '
     'MB.\nkilosort.clustering_qr: Error in clustering_qr.run on center 12\nTraceback (most '
     'recent call last):\n  File '
     '"/env/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 802, in '
     'detect_spikes\n    st0, tF, ops = spikedetect.run(\ntorch.OutOfMemoryError: CUDA out '
     'of memory. Tried to allocate 1.54 GiB. GPU 0 has a total capacity of 7.79 GiB of '
     'which 1.02 GiB is free.',
     'gpu_out_of_memory'),
    # kilosort/spikedetect.py:290 run: its log line above a bug (an IndexError) -- left alone
    ('kilosort.spikedetect: Error in spikedetect.run on batch 17\nTraceback (most recent '
     'call last):\n  File "/env/lib/python3.11/site-packages/kilosort/run_kilosort.py", '
     'line 802, in detect_spikes\n    st0, tF, ops = spikedetect.run(\nIndexError: index '
     '384 is out of bounds for dimension 0 with size 384',
     'unclassified'),
    # kilosort/utils.py:73 retry_download: 'Download failed, retrying', then the HTTPError
    ('Download failed, retrying... 0/4\nDownload failed, retrying... 4/4\nTraceback (most '
     'recent call last):\n  File "/env/lib/python3.11/site-packages/kilosort/utils.py", '
     'line 79, in retry\n    raise e\nurllib.error.HTTPError: HTTP Error 503: Service '
     'Unavailable',
     'download_failed'),
    # spikeinterface/sorters/basesorter.py:320 SpikeSortingError around Kilosort 4's 'No spikes detected'
    ('spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error '
     'trace:\nTraceback (most recent call last):\n  File '
     '"/env/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 802, in '
     'detect_spikes\n    st0, tF, ops = spikedetect.run(\nValueError: No spikes detected, '
     'cannot continue sorting.\n\nSpike sorting failed. You can inspect the runtime trace '
     'in /out/rec1/spikeinterface_log.json.',
     'no_spikes_found'),
    # spikeinterface/sorters/basesorter.py:320 SpikeSortingError around a shape mismatch -- a bug, left alone
    ('spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error '
     'trace:\nTraceback (most recent call last):\n  File '
     '"/env/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 802, in '
     'detect_spikes\n    st0, tF, ops = spikedetect.run(\nRuntimeError: The size of tensor '
     'a (64) must match the size of tensor b (32) at non-singleton dimension 1\n\nSpike '
     'sorting failed. You can inspect the runtime trace in '
     '/out/rec1/spikeinterface_log.json.',
     'unclassified'),
    # spikeinterface/sorters/runsorter.py:677 SpikeSortingError around the container's missing sorter
    ('spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting in docker failed '
     'with the following error:\nTraceback (most recent call last):\n  File '
     '"/home/lab/in_container_sorter_script.py", line 7, in <module>\n    from '
     'spikeinterface.sorters import run_sorter_local\n  File '
     '"/usr/local/lib/python3.11/site-packages/spikeinterface/sorters/external/kilosort4.py", '
     'line 112, in _dynamic_params\n    import kilosort as ks\nModuleNotFoundError: No '
     "module named 'kilosort'",
     'sorter_not_installed'),
    # spikeinterface/sorters/basesorter.py:334 get_result_from_folder
    (raised_at('spikeinterface/sorters/basesorter.py', 'get_result_from_folder',
               'spikeinterface.sorters.utils.misc.SpikeSortingError: Get result error: the folder '
               'does not contain the `spikeinterface_log.json` file'),
     'unclassified'),
    # numpy/_core (compiled): a size past the largest intp, an overflowed size -- left alone as 2**63 is
    ('ValueError: array is too big; `arr.size * arr.dtype.itemsize` is larger than the '
     'maximum possible size.',
     'unclassified'),
    # numpy/_core (compiled): Maximum allowed size exceeded -- an overflowed size, left alone
    ('ValueError: Maximum allowed size exceeded',
     'unclassified'),
    # numpy/_core/_exceptions.py:161 _ArrayMemoryError: a size no machine has (allocation_implausible)
    ('numpy._core._exceptions._ArrayMemoryError: Unable to allocate 117. TiB for an array '
     'with shape (30000000000, 1024) and data type float32',
     'allocation_implausible'),
    # torch (c10 Device parsing): a device string torch doesn't know (torch_device: 'cudaa')
    ('RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, '
     'hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device '
     'type at start of device string: cudaa',
     'sorter_params_invalid'),
    # kilosort/run_kilosort.py:503 initialize_ops: a warning it corrects itself -- left alone
    ('UserWarning: \n            Parameter `nearest_chans` must be less than or equal to '
     'the number \n            of data channels being sorted.\n\n            Changing from '
     '10 to 4.\n',
     'unclassified'),
    # spikeinterface/sorters/external/kilosort4.py:112 _dynamic_params: its warning that Kilosort 4 is missing
    ('UserWarning: Kilosort4 is not installed. Please install kilosort4 to get the '
     'parameters.',
     'sorter_not_installed'),

    # -- their look-alikes: the same words where the raise site's cause is not what they say
    # a TypeError where the probe meets the recording is a caller's bug, not the probe given
    (raised_at('spikeinterface/core/baserecordingsnippets.py', 'set_probegroup',
               "TypeError: 'NoneType' object is not subscriptable"),
     'unclassified'),
    # the probe check's words raised outside the probe's code (a bug reading its own arrays)
    (raised_at('spikeinterface/core/baserecording.py', 'get_traces',
               'ValueError: channel_indices 16 do not have the same size as contacts 32'),
     'unclassified'),
    # an install that failed is not a package saying which one to install
    ('ERROR: failed to install h5py: pip install exited with status 1', 'unclassified'),
    ('Could not import matplotlib; plots are skipped', 'unclassified'),  # no install asked
    ('ValueError: Expected 2D array, got 1D array instead', 'unclassified'),  # a shape, not a file's extension
    ('No config files found in /home/lab/.config/tool', 'unclassified'),  # not the recording's data
    ('RuntimeError: PyTorch was compiled with CUDA support but no GPU was used', 'unclassified'),
    ('RuntimeError: this step needs a GPU which is not installed', 'unclassified'),  # hardware, not a package
])
def test_a_rule_recognises_its_mechanism_in_its_shapes_and_not_its_look_alikes(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
