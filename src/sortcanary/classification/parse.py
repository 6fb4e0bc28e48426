"""The parsed failure: what a failure says about itself, read once, from an exception or a text.

A failure reaches the classifier in two shapes. In the sorter's child process it is an exception
still in hand: its types (and their bases), errno, the module an import missed and the frames that
imported it. Everywhere else it is text: a pasted traceback, the sorter's log, a container's
output, a SLURM ``.err`` file, a workflow engine's job block. Both shapes say the same things --
the exception types along the chain with their messages, an errno, an exit status or a signal, the
scheduler's verdict on the job, the sorter and its stage, the sorter's own log markers -- so both
are reduced to one ``ParsedFailure`` here, and one rule set (sortcanary.classification.rules)
decides on it. This module only reads; it never judges.

Every fact keeps the line it was read from (``Fact.line``, an index into ``lines``; None for a fact
read from the exception object itself), so a verdict can show the line a person recognises and
``sortcanary classify --explain`` can say which line made a rule fire.
"""

from __future__ import annotations

import errno as errno_names
import json
import re
import signal as signals
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar

from ..boundary import JSONDict
from .packages import importer_of
from .vocabulary import (
    ERRNO,
    ERRNO_NAME,
    EXIT,
    FRAME,
    MARKERS,
    NO_DISTRIBUTION,
    NO_MODULE,
    RAISED,
    SCHEDULER,
    SHELL_SIGNALS,
    SIGNAL,
    SORTER_NAME,
    STAGE,
    STRERROR,
)

ERRNO_NAMES = frozenset(errno_names.errorcode.values())
SCALARS = ("exit_code", "signal", "scheduler", "sorter", "stage")  # one value each


V = TypeVar("V")


@dataclass(frozen=True)
class Fact(Generic[V]):
    value: V
    line: int | None = None  # index into ParsedFailure.lines; None: read from the exception object


@dataclass(frozen=True)
class Raised:
    """One exception of the chain: its type as written (``torch.OutOfMemoryError``) and message."""

    type: str
    message: str = ""
    line: int | None = None
    kinds: tuple[str, ...] = ()  # the names of its bases, for an exception in hand (a MemoryError subclass)
    function: str | None = None  # the function it was raised in (its traceback's innermost frame)
    where: str | None = None  # that frame's file (a module's __getattr__ skipped: the code that asked for the name)

    def is_a(self, *names: str) -> bool:
        return self.type.rpartition(".")[2].lstrip("_") in names or any(k in names for k in self.kinds)


@dataclass(frozen=True)
class Missing:
    """A module an import did not find, and the package whose code imported it (None: unknown)."""

    module: str
    importer: str | None = None
    line: int | None = None


class _Located(Protocol):
    """A fact, an exception or a missing module: each knows its line (None: not from the text)."""

    @property
    def line(self) -> int | None: ...


_Moved = TypeVar("_Moved", Fact[Any], Raised, Missing)


@dataclass
class ParsedFailure:
    lines: list[str] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    errnos: list[Fact[str]] = field(default_factory=list)  # errno names, "ENOSPC"
    missing: list[Missing] = field(default_factory=list)
    exit_code: Fact[int] | None = None
    signal: Fact[str] | None = None  # a signal name, "SIGKILL"
    scheduler: Fact[str] | None = None  # TIME_LIMIT, OUT_OF_MEMORY, PREEMPTED, NODE_FAIL
    sorter: Fact[str] | None = None
    stage: Fact[str] | None = None
    markers: dict[str, Fact[float]] = field(default_factory=dict)  # the sorter's own log markers (a flag: True)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line_at(self, offset: int) -> int:
        """The index of the line holding character ``offset`` of ``text``."""
        return self.text.count("\n", 0, max(offset, 0))

    def extended(self, other: ParsedFailure) -> ParsedFailure:
        """This failure with ``other``'s text and facts after it (a child's exception, then the sorter's log)."""
        shift = len(self.lines)

        def moved(item: _Moved) -> _Moved:
            return replace(item, line=None if item.line is None else item.line + shift)

        return ParsedFailure(
            lines=self.lines + other.lines, raised=self.raised + [moved(r) for r in other.raised],
            errnos=self.errnos + [moved(f) for f in other.errnos], missing=self.missing + [moved(m) for m in other.missing],
            **{name: getattr(self, name) or (getattr(other, name) and moved(getattr(other, name)))
               for name in SCALARS},
            markers={**{k: moved(f) for k, f in other.markers.items()}, **self.markers})

    def with_exit(self, exit_code: int | None) -> ParsedFailure:
        """The failure with how its process ended (the runner's view; it outranks what a text says)."""
        if exit_code is None:
            return self
        parsed = replace(self, exit_code=Fact(exit_code))
        signal_name = _signal_of(exit_code)
        return replace(parsed, signal=Fact(signal_name)) if signal_name else parsed

    def as_dict(self) -> JSONDict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: JSONDict) -> ParsedFailure:
        def fact(value: JSONDict | None) -> Fact[Any] | None:
            return Fact(**value) if value else None

        return cls(lines=list(data["lines"]), raised=[Raised(**{**r, "kinds": tuple(r["kinds"])}) for r in data["raised"]],
                   errnos=[Fact(**f) for f in data["errnos"]], missing=[Missing(**m) for m in data["missing"]],
                   markers={k: Fact(**f) for k, f in data["markers"].items()},
                   **{name: fact(data.get(name)) for name in SCALARS})

    def describe(self) -> list[str]:
        """What was read, one item per fact, with 1-based line numbers: why no rule fired."""
        def at(item: _Located) -> str:
            return "" if item.line is None else f" (line {item.line + 1})"

        found = [f"exception {r.type}{': ' + r.message[:120] if r.message else ''}{at(r)}" for r in self.raised]
        found += [f"errno {f.value}{at(f)}" for f in self.errnos]
        found += [f"missing module {m.module}{f' imported by {m.importer}' if m.importer else ''}{at(m)}"
                  for m in self.missing]
        for name in SCALARS:
            item = getattr(self, name)
            if item is not None:
                found.append(f"{name.replace('_', ' ')} {item.value}{at(item)}")
        found += [f"log marker {k} = {f.value}{at(f)}" for k, f in self.markers.items()]
        return found


def _signal_of(exit_code: int) -> str | None:
    """The signal an exit status reports: -N from Python's subprocess, 128+N from a shell."""
    number = -exit_code if exit_code < 0 else exit_code - 128 if 128 < exit_code < 160 else None
    try:
        return signals.Signals(number).name if number else None
    except ValueError:
        return None


JSON_LINE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)",?\s*$')  # a line that is one JSON string (a log's trace list)
QUOTE_MARKS = re.compile(r"^\s*(?:>+(?!=)\s*)+(?=\S)")  # a quoted reply's "> ", a REPL's ">>> "


def _unquoted(line: str) -> str:
    line = QUOTE_MARKS.sub("", line)
    quoted = JSON_LINE.match(line)
    if quoted:
        try:
            unquoted: str = json.loads(f'"{quoted.group(1)}"')  # a JSON string literal: a str
            return unquoted
        except ValueError:
            pass
    return line


def _normalised(text: str) -> list[str]:
    """The text's lines; a traceback printed as a bytes literal (``b'Traceback...\\n  File...'``,
    as SpikeInterface reports a container's error) is unfolded into its lines first; a reply's quote
    marks (``> ``) are dropped, and a trace kept as a list of JSON strings (``"  File \\"/x.py\\", line 3,
    in f",``, a JSON log's) is unquoted."""
    if ("\\n" in text and "\n" not in text.strip()) or "b'Traceback" in text or 'b"Traceback' in text:
        text = text.replace("\\n", "\n").replace("\\'", "'")
    return [_unquoted(line) for line in text.splitlines()]


def parse_text(text: str) -> ParsedFailure:
    """Read a failure's text."""
    lines = _normalised(text)
    parsed = ParsedFailure(lines=lines)
    frames: list[str] = []  # the current traceback's frames, outermost first
    function = where = None  # the function of its innermost frame so far, and the file of the code that raised
    for i, line in enumerate(lines):
        if "Traceback (most recent call last)" in line:
            frames, function, where = [], None, None
        frame = FRAME.search(line)
        if frame:
            frames.append(frame.group(1))
            if not frame.group(1).startswith("<frozen"):
                function = frame.group(2)
                where = where if function == "__getattr__" else frame.group(1)
        raised = RAISED.search(line)
        if raised:
            parsed.raised.append(Raised(raised.group(1), (raised.group(2) or "").strip(), i, function=function,
                                        where=where))
        module = NO_MODULE.search(line) or NO_DISTRIBUTION.search(line)
        if module:
            name = next(g for g in module.groups() if g).rstrip(".")
            parsed.missing.append(Missing(name, importer_of(frames), i))
        for match in ERRNO.finditer(line):
            number = int(next(g for g in match.groups() if g))
            name = "EACCES" if match.group(3) else errno_names.errorcode.get(number)
            if name:
                parsed.errnos.append(Fact(name, i))
        parsed.errnos += [Fact(m.group(1), i) for m in ERRNO_NAME.finditer(line) if m.group(1) in ERRNO_NAMES]
        lowered = line.lower()
        parsed.errnos += [Fact(name, i) for words, name in STRERROR.items() if words in lowered and
                          not any(f.line == i and f.value == name for f in parsed.errnos)]
        for match in SIGNAL.finditer(line):
            value = next(g for g in match.groups() if g) if any(match.groups()) else "Killed"
            name = _signal_of(128 + int(value)) if value.isdigit() else SHELL_SIGNALS.get(value.lower(), value)
            if name and parsed.signal is None:
                parsed.signal = Fact(name, i)
        stage = STAGE.search(line)
        if stage:
            parsed.stage = Fact(stage.group(1) or stage.group(2), i)
        if parsed.scheduler is None:
            for state, pattern in SCHEDULER:
                if pattern.search(line):
                    parsed.scheduler = Fact(state, i)
                    break
        for key, marker in MARKERS.items():
            found = re.search(marker, line)
            if found:  # the last value wins: the state the sorter was in when it failed
                value = next(g for g in found.groups() if g)
                parsed.markers[key] = Fact(True if key == "no_good_channels_left" else float(value), i)
    whole = "\n".join(lines)
    exits = list(EXIT.finditer(whole))
    if exits:
        last = exits[-1]
        parsed.exit_code = Fact(int(next(g for g in last.groups() if g)), parsed.line_at(last.start()))
        signal_name = _signal_of(parsed.exit_code.value)
        if parsed.signal is None and signal_name:
            parsed.signal = Fact(signal_name, parsed.exit_code.line)
    sorter = SORTER_NAME.search(whole)
    if sorter:
        parsed.sorter = Fact(re.sub(r"[ .]", "_", sorter.group(1).lower()).replace("kilosort_", "kilosort"),
                             parsed.line_at(sorter.start()))
    return parsed


def _qualified(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from or while handling, each once."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def parse_exception(exc: BaseException) -> ParsedFailure:
    """Read an exception in hand: its printed chain as text (for the text's facts and lines), with
    the exception objects' own types and bases in place of what the text says about them, and their
    errno and missing module before what their messages say."""
    parsed = parse_text("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    raised, errnos, missing = [], [], []
    for link in chain(exc):
        name = _qualified(link)
        line = next((i for i in range(len(parsed.lines) - 1, -1, -1)
                     if parsed.lines[i].startswith(name.rpartition(".")[2]) or parsed.lines[i].startswith(name)), None)
        kinds = tuple(base.__name__ for base in type(link).__mro__[1:] if base not in (BaseException, object))
        frames = traceback.extract_tb(link.__traceback__)
        asked = [f for f in frames if f.name != "__getattr__" and not f.filename.startswith("<frozen")]
        raised.append(Raised(name, str(link)[:2000], line, kinds, frames[-1].name if frames else None,
                             asked[-1].filename if asked else None))
        number = getattr(link, "errno", None) if isinstance(link, OSError) else None
        if isinstance(number, int) and number in errno_names.errorcode:
            errnos.append(Fact(errno_names.errorcode[number], line))
        if isinstance(link, ModuleNotFoundError) and link.name:
            missing.append(Missing(link.name, importer_of([frame.filename for frame in frames]), line))
    found = {m.module for m in missing}  # a message that names a missing module still says so
    return replace(parsed, raised=raised, errnos=errnos + parsed.errnos,
                   missing=missing + [m for m in parsed.missing if m.module not in found])
