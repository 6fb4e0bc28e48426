"""Deciding: the first rule that fires on the parsed failure gives the verdict.

Whatever the failure's shape -- an exception in the child (``classify_exception``), how a process
ended (``classify_exit``), a text (``classify_text``, ``classify``), or the child's parsed exception
with the sorter's logs after it (``classify(..., parsed=...)``, the job's view) -- it is parsed
into one ``ParsedFailure`` and the same ranked rules decide. Anything no rule recognises is
``unclassified``: the canary passes it through (it is a smoke test, not a gate) and the full sort
reports a plain failure. ``explain`` says which rule fired on which line, or why none did.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from ..taxonomy import SortFailure, Verdict, custom_verdict, unclassified, verdict_for
from .families import BUILT_IN
from .parse import ParsedFailure, parse_exception, parse_text
from .rules import Hit, Rule, ranked


@functools.lru_cache(maxsize=32)
def _order(lab: tuple[Rule, ...]) -> list[Rule]:
    return ranked((*lab, *BUILT_IN))


def firing(parsed: ParsedFailure, rules: tuple[Rule, ...] = ()) -> Iterator[tuple[Rule, Hit]]:
    """Every rule that fires on ``parsed`` with where it fired, in rank order (``rules``: a lab's)."""
    for rule in _order(tuple(rules)):
        hit = rule.test(parsed)
        if hit is not None:
            yield rule, hit


def _matched(parsed: ParsedFailure, hit: Hit) -> str:
    return (parsed.lines[hit.line].strip() if hit.line is not None else hit.text or "")[:500]


def verdict_of(rule: Rule, hit: Hit, parsed: ParsedFailure) -> Verdict:
    detail = {k: v for k, v in hit.detail.items() if v is not None}
    message = detail.pop("message", None)
    evidence = {"rule": rule.name, "matched": _matched(parsed, hit), **detail}
    if rule.source == "config":
        return custom_verdict(rule.category, rule.error_class, rule.message or evidence["matched"],
                              rule.remediation or "",  # a lab's rule always has one (the schema requires it)
                              **evidence)
    return verdict_for(rule.error_class, message=message, **evidence)


def decide(parsed: ParsedFailure, rules: tuple[Rule, ...] = ()) -> Verdict | None:
    """The verdict of the first rule that fires, or None."""
    for rule, hit in firing(parsed, rules):
        return verdict_of(rule, hit, parsed)
    return None


def read(text: str, *, exit_code: int | None = None, parsed: ParsedFailure | None = None) -> ParsedFailure:
    """``text`` parsed, after the facts already ``parsed`` (a child's exception), with how the process ended."""
    mine = parse_text(text)
    return (parsed.extended(mine) if parsed is not None else mine).with_exit(exit_code)


def classify_text(text: str, rules: tuple[Rule, ...] = ()) -> Verdict | None:
    """The verdict for an error text (traceback, sorter log, container output, .err file), or None."""
    return decide(read(text), rules)


def classify_exit(exit_code: int | None) -> Verdict | None:
    """The verdict how a process ended gives on its own (SIGKILL, a time limit), or None."""
    return decide(ParsedFailure().with_exit(exit_code)) if exit_code is not None else None


def classify_exception(exc: BaseException, rules: tuple[Rule, ...] = ()) -> Verdict | None:
    """The verdict of an exception in hand (a SortFailure carries its own), or None."""
    if isinstance(exc, SortFailure):  # our own code already said what this is
        return exc.verdict
    return decide(parse_exception(exc), rules)


def classify(text: str, *, exit_code: int | None = None, rules: tuple[Rule, ...] = (),
             parsed: ParsedFailure | None = None, **evidence: Any) -> Verdict:
    """Classify a failure from its text, exit status and already ``parsed`` facts; never returns None
    (unrecognised -> unclassified, with the last line said as the message)."""
    failure = read(text, exit_code=exit_code, parsed=parsed)
    verdict = decide(failure, rules)
    if verdict is None:
        last = next((ln.strip() for ln in reversed(failure.lines) if ln.strip()), "no error text")
        verdict = unclassified(last[:500])
    verdict.evidence.update({k: v for k, v in evidence.items() if v is not None})
    if exit_code is not None:
        verdict.evidence.setdefault("exit_code", exit_code)
    return verdict


def explain(text: str, *, exit_code: int | None = None, rules: tuple[Rule, ...] = ()) -> str:
    """Which rule decided on ``text`` and on which line, the rules it outranked, and what was read;
    or, when none fired, what was read and that no rule knows it."""
    failure = read(text, exit_code=exit_code)
    fired = list(firing(failure, rules))
    facts = failure.describe()
    read_lines = ["read:"] + [f"  {fact}" for fact in facts] if facts else [
        "read: no exception type, errno, missing module, exit status, signal, scheduler state or sorter log marker"]
    tried = f"{len(BUILT_IN)} built-in rules" + (f" and {len(rules)} from the config" if rules else "")
    if not fired:
        why = f"tried: {tried}; none recognises this text (unclassified is the answer where the text says nothing a rule knows)"
        return "\n".join(["verdict: unclassified -- no rule fired", why, *read_lines])
    rule, hit = fired[0]
    verdict = verdict_of(rule, hit, failure)
    where = f"line {hit.line + 1}" if hit.line is not None else "the exit status"
    out = [f"verdict: {verdict.category} / {verdict.error_class} (policy {verdict.policy})", f"  {verdict.message}",
           f"rule: {rule.name} ({rule.source}): {rule.mechanism}", f"fired on {where}: {_matched(failure, hit)}"]
    out += [f"also fired, outranked: {r.name} ({r.category}/{r.error_class}) on "
            f"{f'line {h.line + 1}' if h.line is not None else 'the exit status'}" for r, h in fired[1:]]
    return "\n".join([*out, *read_lines])
