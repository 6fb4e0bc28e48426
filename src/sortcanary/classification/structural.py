"""The structural rules' tests: what the parsed failure's facts say, without reading its words.

Which module is missing and who imported it, what the exception's type is, which errno the
filesystem gave, how the process ended and what the scheduler said, what the sorter's own log
shows of the recording.
"""

from __future__ import annotations

import re

from .packages import (
    BARE_PRIVATE,
    CONTAINER_MODULES,
    EXPORTER_MODULES,
    OURS,
    RENAMED_PRIVATE,
    SEPARATE_PARTS,
    SORTER_PACKAGES,
    SORTER_STACK,
    importer_of,
)
from .parse import ParsedFailure
from .rules import Hit, RuleTest
from .vocabulary import FRAME, SORTER_NAME

# -- structural rules --------------------------------------------------------------------------------


VERSIONED = ("version", "sorter_version", "broken")  # a package installed without the module asked for


def missing(kind: str) -> RuleTest:
    """A rule test: the first missing module of ``kind`` (_missing_kind)."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for gone in parsed.missing:
            if _missing_kind(gone.module, gone.importer) != kind:
                continue
            root = BARE_PRIVATE.get(gone.module, gone.module.split(".")[0])
            via = f" (imported by {gone.importer})" if gone.importer and gone.importer != root else ""
            message = (f"The module {gone.module}{via} is not installed." if kind not in VERSIONED else
                       f"The installed {root} has no module {gone.module}{via}: another version is needed.")
            return Hit(gone.line, {"module": gone.module, "message": message,
                                   **({"importer": gone.importer} if via else {})}, text=f"No module named '{gone.module}'")
        return None
    return test


def _missing_kind(module: str, importer: str | None) -> str | None:
    """What a missing module means. Python names the first part of a dotted name it could not find, so
    "No module named 'a.b'" says ``a`` is installed without ``b``: another version of ``a`` (or, for a
    compiled part such as ``a._core``, a broken build of it)."""
    root, _, rest = module.partition(".")
    if module in BARE_PRIVATE:
        return "version"
    if root in CONTAINER_MODULES:
        return "container"
    if root in EXPORTER_MODULES:
        return "exporter"
    if root == OURS or (importer == OURS and root not in SORTER_STACK):
        return None  # our own code, or a module it imports: a bug to report, not an environment to blame
    if rest and not any(module == part or module.startswith(part + ".") for part in SEPARATE_PARTS):
        return "broken" if rest.rpartition(".")[2].startswith("_") and module not in RENAMED_PRIVATE else (
            "sorter_version" if root in SORTER_PACKAGES else "version")
    return "sorter" if root in SORTER_PACKAGES else "dependency"


def errno_is(*names: str) -> RuleTest:
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = next((f for f in parsed.errnos if f.value in names), None)
        return Hit(fact.line, {"errno": fact.value}) if fact else None
    return test


def scheduler_state(state: str) -> RuleTest:
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = parsed.scheduler
        return Hit(fact.line, {"scheduler_state": state}) if fact and fact.value == state else None
    return test


def exit_is(code: int) -> RuleTest:
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = parsed.exit_code
        return Hit(fact.line, {"exit_code": code}, text=f"exit status {code}") if fact and fact.value == code else None
    return test


def signal_is(name: str) -> RuleTest:
    def test(parsed: ParsedFailure) -> Hit | None:
        fact = parsed.signal
        return Hit(fact.line, {"signal": name}, text=name) if fact and fact.value == name else None
    return test


TIME_LIMIT_EXITS = {140}  # LSF/SGE run limits


def killed(parsed: ParsedFailure) -> Hit | None:
    """SIGKILL (exit -9 or 137, a shell's "Killed"), unless the scheduler says it was for time."""
    fact = parsed.signal
    if fact is None or fact.value != "SIGKILL" or (parsed.scheduler and parsed.scheduler.value == "TIME_LIMIT"):
        return None
    exit_code = parsed.exit_code.value if parsed.exit_code else None
    return Hit(fact.line, {"message": "The sorter process was killed with SIGKILL (the kernel's out-of-memory "
                           "killer, most likely).", **({"exit_code": exit_code} if exit_code is not None else {})},
               text=f"exit status {exit_code}" if exit_code is not None else "SIGKILL")


def cpu_time(parsed: ParsedFailure) -> Hit | None:
    """SIGXCPU (RLIMIT_CPU) or a batch system's run-limit exit status."""
    exit_code = parsed.exit_code.value if parsed.exit_code else None
    if (parsed.signal and parsed.signal.value == "SIGXCPU") or exit_code in TIME_LIMIT_EXITS:
        line = parsed.exit_code.line if parsed.exit_code else parsed.signal.line if parsed.signal else None
        return Hit(line, {"message": f"The sorter process ended with status {exit_code}: a scheduler's time (or CPU "
                          "time) limit.", "exit_code": exit_code}, text=f"exit status {exit_code}")
    return None


UNDEFINED_SYMBOL = re.compile(r"(\S*\.(?:so|pyd|dylib)[\w.]*): undefined symbol: (\S+)")


def undefined_symbol(parsed: ParsedFailure) -> Hit | None:
    """A compiled library needs a symbol the libraries loaded beside it lack: builds that don't match,
    whoever built them (an installed package, the system's CUDA, one's own extension against another torch)."""
    match = UNDEFINED_SYMBOL.search(parsed.text)
    return Hit(parsed.line_at(match.start()), {"library": match.group(1).rsplit("/", 1)[-1]}) if match else None


PROBE_LOADERS = re.compile(r"^(load_probe|read_prb|read_probeinterface|read_spikeglx_probe|_?load_probe_file)$")
# Where the probe meets the recording: SpikeInterface's set_probe(group), probeinterface's checks of a
# probe's contacts and wiring, Kilosort 4's shank and bad-channel selection, SpikeInterface's Kilosort
# channel map. What they raise as a ValueError/IndexError is their check of the probe the user gave.
PROBE_CHECKS = re.compile(r"^(set_probes?|set_probegroup|set_device_channel_indices|set_contacts|set_shank_ids|"
                          r"_raise_non_unique_positions_error|select_shank|remove_bad_channels|_setup_json_probe_map)$")


def probe_loader_failed(parsed: ParsedFailure) -> Hit | None:
    """The sorter's (or probeinterface's) probe reader raised: the probe file is not what it reads; or
    a check of the probe against the recording refused it (a ValueError or IndexError, not a bug's
    TypeError or assertion)."""
    raised = next((r for r in parsed.raised if r.function and (PROBE_LOADERS.match(r.function) or (
        PROBE_CHECKS.match(r.function) and r.is_a("ValueError", "IndexError")))), None)
    return Hit(raised.line, {"raised_in": raised.function}) if raised else None


# Python 3.7+ quotes the name and the module; Python 2 quotes neither and names no module. A name from a partially
# initialised module is a circular import: the caller's own code, not another version; one from a module of "unknown
# location" is a folder left without its __init__ (a package half removed): a broken install (installers).
CANNOT_IMPORT = re.compile(r"cannot import name ['\"]?(\w+)\b['\"]?(?: from ['\"]([\w.]+)['\"])?")
NOT_ANOTHER_VERSION = re.compile(r"\s*(from partially initiali[sz]ed module|\(unknown location\))")


def _imported_from(text: str, name: str) -> str | None:
    """The module a traceback's source line imported ``name`` from (``from a.b import c, name``)."""
    found = re.search(rf"^[\s>]*from ([\w.]+) import [^\n]*\b{name}\b", text, re.MULTILINE)  # a quoted paste's >
    return found.group(1) if found else None


def missing_symbol(in_sorter: bool) -> RuleTest:
    """An import found the module but not a name in it: the installed version of that module is
    older or newer than its caller (of the sorter itself when ``in_sorter``). Our own modules are ours."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for match in CANNOT_IMPORT.finditer(parsed.text):
            name, module = match.groups()  # Python before 3.7 names no module: whose import it was, the frames say
            if NOT_ANOTHER_VERSION.match(parsed.text, match.end()):
                continue
            module = module or _imported_from(parsed.text, name) or importer_of(
                [f.group(1) for f in FRAME.finditer(parsed.text)]) or "an installed package"
            root = module.split(".")[0]
            if root != OURS and (root in SORTER_PACKAGES) == in_sorter:
                return Hit(parsed.line_at(match.start()), {"module": module, "message": f"The installed {root} has no "
                                                           f"{name} in {module}: another version is needed."})
        return None
    return test


PROGRAM_START = ("_execute_child", "CreateProcess")  # where subprocess finds the program it was asked to run


def program_missing(parsed: ParsedFailure) -> Hit | None:
    """A subprocess could not start: the program a tool runs (mpiexec, a converter) is not installed,
    or not on the PATH (FileNotFoundError raised where subprocess starts its child)."""
    raised = next((r for r in parsed.raised if r.is_a("FileNotFoundError") and r.function in PROGRAM_START), None)
    if raised is None:
        return None
    return Hit(raised.line, {"message": "A program the tool runs is not installed or not on the PATH "
                             f"({raised.message[:200]})."})


NETWORK_LAYER = re.compile(r"File \"[^\"]*[\\/](?:urllib[\\/]request|http[\\/]client|socket|ssl|urllib3[\\/]\w+|"
                           r"requests[\\/]adapters)\.py\"")
FRAME_LINE = re.compile(r"^\s*File \"[^\"]+\", line \d+")
READ_TIMED_OUT = re.compile(r"\bRead ?Timeout(Error)?\b|\bRead timed out\b", re.IGNORECASE)


def network_layer_failed(parsed: ParsedFailure) -> Hit | None:
    """A traceback that ends in the network layer (urllib, http.client, socket, ssl, urllib3, requests'
    adapters): a download failed, even where the paste stops before the exception's own line -- unless a read
    timed out: the server accepted the connection and was slow to answer (its load; a client that does not retry)."""
    frames = [i for i, line in enumerate(parsed.lines) if FRAME_LINE.match(line)]
    if frames and NETWORK_LAYER.search(parsed.lines[frames[-1]]) and not READ_TIMED_OUT.search(parsed.text):
        return Hit(frames[-1], {"message": "A download failed in the network layer (no route, DNS or proxy)."})
    return None


NAMED_CALL = re.compile(r"\b([\w.]+)\(\) (?:raises|raised|throws|threw|fails|failed)\b")
SORTER_API = re.compile(r"^(run_sorters?|run_sorter_\w+|set_params\w*|\w*Sorter\w*)$")


def params_from_the_user(text: str) -> bool:
    """The parameters a sorter rejected were the user's: no other pipeline's code is seen calling the
    sorter (a frame of another installed package before SpikeInterface's, or a call other than the
    sorter's API named as what raised). A pipeline that adds keys of its own to every sorter's
    parameters meets the same rejection with the user's settings untouched."""
    for frame in FRAME.finditer(text):
        package = importer_of([frame.group(1)])
        if package in SORTER_STACK or package == OURS:
            break  # the sorter's own code: whoever called it is above
        if package:
            return False
    return all(SORTER_API.match(call.group(1).rpartition(".")[2]) for call in NAMED_CALL.finditer(text))


RATE = re.compile(r"\bfs\s*=\s*\d|sampling[ _](rate|frequency)|Nyquist", re.IGNORECASE)


def says_the_rate_or_the_sorter(text: str) -> bool:
    """The text shows the sampling rate a filter was given, or that a sorter ran it: the band and the rate
    come from the recording and the user's settings. Alone, SciPy's complaint is as often a tool's own bug."""
    return bool(RATE.search(text) or SORTER_NAME.search(text) or "spikeinterface" in text.lower())
