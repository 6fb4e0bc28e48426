"""A rule: one mechanism of failure, recognised on a parsed failure, and the class it puts it in.

A rule names how a failure came about (the kernel killed the process; an import found no module; a
container runtime has no GPU hook), not one thread's sentence, and it reads the parsed failure's
structure first: exception types, errno, exit status and signal, the scheduler's state, the
sorter's log markers. Where only words can tell (a Docker registry's reply, a driver's complaint),
a text rule matches a family of phrasings. The built-in rules are sortcanary.classification.families;
a lab adds its own in config.yaml's ``classification.rules`` (``lab_rules``), which travel in the
job plan so that the sorter's child process and the job classify with the same set.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..boundary import JSONDict
from ..config import ConfigError
from ..taxonomy import CATEGORIES, CLASSES
from .lookalikes import heeded
from .parse import ParsedFailure

TEXT_FLAGS = re.IGNORECASE | re.DOTALL


@dataclass(frozen=True)
class Hit:
    """Where a rule fired: the line (an index into the parsed lines; None for a fact of the exception
    object), the text shown when there is no line, and evidence for the verdict (``message``, when
    present, replaces the class's generic line)."""

    line: int | None
    detail: JSONDict = field(default_factory=dict)
    text: str | None = None


RuleTest = Callable[[ParsedFailure], Hit | None]  # a rule's test: where it fired, or None


@dataclass(frozen=True)
class Rule:
    name: str
    error_class: str
    mechanism: str  # what it recognises, in a phrase (sortcanary classify --explain shows it)
    test: RuleTest
    category: str = ""  # a lab rule's own; a built-in rule's is its class's
    remediation: str | None = None  # a lab rule's own
    message: str | None = None
    source: str = "built-in"

    def __post_init__(self) -> None:
        if not self.category:
            object.__setattr__(self, "category", CLASSES[self.error_class].category)


WRAPPED = re.compile(r"(?<=[a-z,])\n(?=[a-z])")  # a sentence a terminal or a paste broke over two lines


@functools.lru_cache(maxsize=8)
def unwrapped(text: str) -> str:
    """``text`` with a sentence broken over lines joined again (``More\nprocessors requested``, MATLAB's
    ``integers or\nlogicals``): a newline between two lowercase words becomes a space, so offsets stay put.
    A text with no such break is returned itself, so a rule need not search it twice."""
    return WRAPPED.sub(" ", text) if WRAPPED.search(text) else text


def text_rule(name: str, error_class: str, pattern: str, mechanism: str, *, reason: str | None = None,
              applies: Callable[[str], object] | None = None, flags: int = TEXT_FLAGS) -> Rule:
    """A rule that fires where ``pattern`` matches the failure's text, or the text with its wrapped
    sentences joined (``unwrapped``) (and ``applies``, a further
    test on the whole text, returns a truthy value; a string it returns is the evidence's line). The text is
    read without the warnings a tool says it ignored, nor shm_open failures that give no cause (lookalikes.heeded)."""
    compiled = re.compile(pattern, flags)

    def test(parsed: ParsedFailure) -> Hit | None:
        text = heeded(parsed.text)
        joined = unwrapped(text)
        match = compiled.search(text) or (compiled.search(joined) if joined is not text else None)
        if not match:
            return None
        extra = applies(text) if applies else True
        if not extra:
            return None
        start = text.find(extra) if isinstance(extra, str) else match.start()
        return Hit(parsed.line_at(start), {"reason": reason} if reason else {})

    return Rule(name, error_class, mechanism, test)


def parsed_rule(name: str, error_class: str, test: RuleTest, mechanism: str) -> Rule:
    """A rule whose ``test`` reads the parsed failure (its exceptions and frames, errnos, exit, the
    sorter's log) where a text rule reads a pattern; written in text_rule's order, so the two read alike
    in a rule table."""
    return Rule(name, error_class, mechanism, test)


LAB_FLAGS = re.IGNORECASE | re.MULTILINE


def _lab_rule(index: int, entry: JSONDict) -> Rule:
    where = f"classification.rules[{index}]"
    try:
        compiled = re.compile(entry["pattern"], LAB_FLAGS)
    except re.error as exc:
        raise ConfigError(f"{where}.pattern {entry['pattern']!r} is not a valid regular expression ({exc}); fix it "
                          "in config/config.yaml") from None
    known = CLASSES.get(entry["class"])
    if known is not None and known.category != entry["category"]:
        raise ConfigError(f"{where}: class {entry['class']} is sortcanary's own {known.category} class; set "
                          f"category: {known.category}, or name a class of your own, in config/config.yaml")
    if entry["category"] not in CATEGORIES:
        raise ConfigError(f"{where}.category must be one of {', '.join(CATEGORIES)}")

    def test(parsed: ParsedFailure) -> Hit | None:
        match = compiled.search(parsed.text)
        return Hit(parsed.line_at(match.start())) if match else None

    return Rule(f"{where} ({entry['class']})", entry["class"], f"the lab's pattern {entry['pattern']!r}", test,
                category=entry["category"], remediation=entry["remediation"], message=entry.get("message"),
                source="config")


@functools.lru_cache(maxsize=32)
def _compiled(entries: tuple[tuple[tuple[str, object], ...], ...]) -> tuple[Rule, ...]:
    return tuple(_lab_rule(i, dict(entry)) for i, entry in enumerate(entries))


def lab_rules(entries: Iterable[Mapping[str, object]] | None) -> tuple[Rule, ...]:
    """The rules of a config's ``classification.rules`` (a list of dicts: pattern, category, class,
    remediation, optional message), compiled once per set. Raises ConfigError, one line naming the
    rule, for a pattern that does not compile or a built-in class given another category."""
    return _compiled(tuple(tuple(sorted(dict(entry).items())) for entry in entries or ()))


def ranked(rules: tuple[Rule, ...] | list[Rule]) -> list[Rule]:
    """The rules in the order they are tried: by category (environment > resource > biological: a
    configuration problem is never reported as a silent recording), a lab's before the built-in
    ones within a category, and otherwise in the order given."""
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    order = sorted(enumerate(rules), key=lambda ir: (rank[ir[1].category], ir[1].source != "config", ir[0]))
    return [rule for _, rule in order]
