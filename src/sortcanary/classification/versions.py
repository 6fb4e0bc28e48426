"""An API that changed between two packages' versions, read from where the call failed.

Between two packages -- a wrapper and the sorter it drives, a library and the numpy it runs on -- an
API changed in one release shows up in the other's call: an unexpected keyword, a missing required
argument, a return value with more or fewer parts than the caller unpacks, a name a major release
removed. The remedy is installing versions that fit together, whichever side adapted later.

Inside one package's own code the same exceptions are a regression, a bug to report, so these rules
read where the exception was raised (the traceback's innermost frame): our own code is never blamed
on versions; a package asking its own module for a name it lacks is its own regression; an unpacking
that comes out wrong is a version mismatch only in a sorter's wrapper, whose whole job is calling the
sorter's API (elsewhere it is as often a bug). The sorter's version is blamed
(sorter_version_unsupported) when the sorter or its wrapper is on either side of the call, any other
pair of packages is dependency_version_mismatch.
"""

from __future__ import annotations

import re
import sys

from .packages import OURS, SORTER_PACKAGES, importer_of
from .parse import ParsedFailure, Raised
from .rules import Hit, RuleTest
from .vocabulary import SORTER_NAME

# A call whose arguments no longer fit the function's signature (a method missing 'self' is a call
# written wrong, not an API that changed).
SIGNATURE = re.compile(r"([\w.]+)\(\) (?:got an unexpected keyword argument|missing \d+ required (?:positional|"
                       r"keyword-only) arguments?:) '(?!self'|cls')(\w+)'")
# Cython's and C's own words for a call that does not fit (a compiled function's signature).
ARGUMENT_COUNT = re.compile(r"\w+\(\) takes (?:at least |at most |exactly )?\d+ (?:positional )?arguments? \(\d+ given\)|"
                            r"\w+\(\) got an unexpected keyword argument")
UNPACK = re.compile(r"(?:too many|not enough) values to unpack \(expected \d+")
# A positional count that no longer fits: a plain bug as often, so only where the sorter is a side of the call.
POSITIONAL = re.compile(r"([\w.]+)\(\) takes (?:from \d+ to )?\d+ positional arguments? but \d+ (?:was|were) given")
# SpikeInterface's (and the older spikesorters') modules that call each sorter's own API.
WRAPPER = re.compile(r"(?:^|[\\/])(?:spikeinterface[\\/]sorters[\\/]external|spikesorters)[\\/]")
MODULE_ATTRIBUTE = re.compile(r"(partially initialized )?module '([\w.]+)' has no attribute '(\w+)'")
SUGGESTED = re.compile(r"\bDid you mean:? '\w+'\?")  # Python's guess at a near name (3.10+)
REMOVED = re.compile(r"\bwas (?:a )?deprecated|\b(?:was|were|has been|have been) removed\b|\bremoved in (?:v(?:ersion)?"
                     r"\s*)?\d|\bno longer (?:exists|available|supported)\b", re.IGNORECASE)


def _package(where: str | None) -> str | None:
    return importer_of([where]) if where else None


def _sorter_side(where: str | None, *names: str) -> bool:
    """The sorter or its wrapper is a side of the call: the raising code is theirs, or a name in it is a sorter's."""
    return bool(where and (WRAPPER.search(where) or _package(where) in SORTER_PACKAGES)) or any(
        SORTER_NAME.search(name) or name.split(".")[0] in SORTER_PACKAGES for name in names)


def _raised_on(parsed: ParsedFailure, line: int) -> Raised | None:
    return next((r for r in parsed.raised if r.line == line), None)


def call_mismatch(in_sorter: bool) -> RuleTest:
    """A call whose signature (or, in a sorter's wrapper, whose returned tuple) does not fit what the
    installed version of the called package offers; ``in_sorter``: the sorter is a side of it."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for i, line in enumerate(parsed.lines):
            found = SIGNATURE.search(line) or UNPACK.search(line) or POSITIONAL.search(line)
            if not found:
                continue
            raised = _raised_on(parsed, i)
            where = raised.where if raised else None
            if _package(where) == OURS or (found.re is UNPACK and not (where and WRAPPER.search(where))):
                continue
            called = [found.group(1).replace("_", " ")] if found.groups() else []  # run_kilosort(): kilosort's
            sorter_side = _sorter_side(where, line, *called)
            if found.re is POSITIONAL and not sorter_side:
                continue
            if sorter_side == in_sorter:
                return Hit(i, {"message": f"A call between packages no longer fits the installed version ({found.group(0)}"
                                          "): another version is needed.", **({"raised_in": where} if where else {})})
        return None
    return test


def attribute_removed(in_sorter: bool) -> RuleTest:
    """A module of an installed package lacks a name its caller asks for (``module 'numpy' has no attribute
    'float'``), or the error says the name was removed or deprecated: another version is needed. A
    package asking its own module, a circular import and our own code are left alone, and so is a missing
    name where no frame shows who asked, nothing says it was removed, and either the module is the standard
    library's (``module 'os' has no attribute 'getuid'``: a call the platform lacks, Windows here) or Python
    guessed a typo (``Did you mean: 'run_sorter'?``: the caller's own code as often as another version)."""
    def test(parsed: ParsedFailure) -> Hit | None:
        for raised in parsed.raised:
            if not raised.is_a("AttributeError"):
                continue
            asker = _package(raised.where)
            said = "\n".join(parsed.lines[raised.line:raised.line + 4]) if raised.line is not None else raised.message
            module = MODULE_ATTRIBUTE.search(raised.message)
            if module:
                root = module.group(2).split(".")[0]
                if module.group(1) or OURS in (root, asker) or root == asker:
                    continue
                if raised.where is None and not REMOVED.search(said) and (root in sys.stdlib_module_names or
                                                                          SUGGESTED.search(said)):
                    continue  # the platform's module, or Python's guess at a typo, and no frame says who asked
                names: tuple[str, ...] = (root,)
            elif REMOVED.search(said) and asker != OURS:
                names = ()
            else:
                continue
            if _sorter_side(raised.where, *names) == in_sorter:
                return Hit(raised.line, {"message": f"The installed version lacks a name its caller uses ({raised.type}: "
                                                    f"{raised.message[:200]}): another version is needed."},
                           text=f"{raised.type}: {raised.message}"[:500])
        return None
    return test


def compiled_call_mismatch(parsed: ParsedFailure) -> Hit | None:
    """A call into a package's compiled part (a Cython ``.pyx`` frame raised it) whose arguments don't fit:
    the extension was built from another version of the package than its Python code (a stale build)."""
    for raised in parsed.raised:
        if raised.is_a("TypeError") and raised.where and raised.where.endswith(".pyx") and \
                ARGUMENT_COUNT.search(raised.message):
            return Hit(raised.line, {"message": f"A compiled extension does not fit its package's code ({raised.message[:200]}"
                                                f"): rebuild or reinstall it.", "raised_in": raised.where})
    return None
