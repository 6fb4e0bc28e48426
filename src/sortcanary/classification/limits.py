"""A machine limit, told apart from the same words a bug prints: memory, open files and threads.

An exception that says memory ran out is the machine's limit only where the text lets one judge it:
a bare ``MemoryError`` says neither what was asked nor whether it was plausible (an absurd
allocation from a bug or a wrong parameter ends the same way; sortcanary.classification.allocations
weighs the size where one is given), and CuPy's pool says "out of memory" alike for a batch too
large and for a leak in the code that holds its arrays. EMFILE raised while starting a process
(multiprocessing's pipe to its child) is as often a parent that starts processes and never joins
them as a limit set too low; EMFILE anywhere else is the limit. ENOMEM that ``os.fork()`` raised is a parent too
large to copy (``fork_refused``), and CuPy's own allocation failing says "out of memory" alike for a batch too
large, a leak and CuPy's regression (``CUPY_RUNTIME_OOM``, as its pool's OutOfMemoryError).
"""

from __future__ import annotations

import re

from .allocations import not_the_memory
from .parse import ParsedFailure, Raised
from .rules import Hit, Rule, RuleTest, text_rule

# A framework's own memory monitor that stops a worker as it nears its limit, before the kernel's OOM killer or the
# scheduler would (Dask's nanny at its ``terminate`` fraction, Ray's memory monitor at its usage threshold): the
# runner's memory guard's mechanism, in their words. A budget of 0 % is a configuration that kills every worker.
MEMORY_WATCHDOG: Rule = text_rule(
    "memory-watchdog", "host_memory_watchdog", r"\bWorker\b[^\n]{0,80}?\bexceeded (?!0+(\.0+)?%)\d+(\.\d+)?% memory "
    r"budget|\bkilled due to memory pressure \(OOM\)|\bTask was killed due to the node running low on memory\b",
    "a framework's memory monitor stopped a worker near its memory limit (Dask's nanny, Ray's memory monitor; not "
    "a budget of 0 %, which stops every worker)")
HOST_ENGINES = ("java.", "ray.")  # their OutOfMemoryError is the host's: a JVM's heap, a Ray node's memory
GPU_SIDE = re.compile(r"\b(torch|cupy|jax\w*|tensorflow|CUDA|GPU|HIP|MPS|device)\b", re.IGNORECASE)  # theirs: the GPU's
CUPY = re.compile(r"\bcupy\b", re.IGNORECASE)
SIZE_SAID = re.compile(r"\ballocat\w*\b[^\n]{0,40}\d|\d[\d,.]*\s*(?:[KMGTP]i?B|bytes)\b", re.IGNORECASE)


def _cupy_pool(raised: Raised, text: str) -> bool:
    """CuPy's memory pool raised it (its type, or a bare OutOfMemoryError in a CuPy traceback)."""
    return raised.type.rpartition(".")[2] == "OutOfMemoryError" and bool(
        CUPY.search(raised.type) or ("." not in raised.type and CUPY.search(text)))


def memory_exception(gpu: bool) -> RuleTest:
    """An exception whose type says memory ran out: torch's OutOfMemoryError on the GPU, MemoryError
    (numpy's _ArrayMemoryError among them), Java's OutOfMemoryError (a workflow engine's heap), Ray's
    (a node low on memory) and any other whose text names no GPU or GPU library (a batch service's
    "OutOfMemoryError: Container killed due to memory usage") on the host -- unless the array asked
    for was pairwise or broadcast or its size overflowed, a host's exception says nothing of what was
    asked, or CuPy's pool raised it (the module's docstring)."""
    def test(parsed: ParsedFailure) -> Hit | None:
        if not gpu and not_the_memory(parsed.text):
            return None  # a pairwise or broadcast array, or an overflowed size (allocations.not_the_memory)
        gpu_side = bool(GPU_SIDE.search(parsed.text))
        for raised in parsed.raised:
            if _cupy_pool(raised, parsed.text):
                continue
            on_gpu = raised.type.rpartition(".")[2] == "OutOfMemoryError" and not raised.type.startswith(HOST_ENGINES) \
                and gpu_side
            if on_gpu != gpu or not (on_gpu or raised.is_a("MemoryError", "ArrayMemoryError", "OutOfMemoryError")):
                continue
            if not on_gpu and not raised.message.strip() and not SIZE_SAID.search(parsed.text):
                continue  # a bare MemoryError: how much, and whether it was plausible, is not said
            return Hit(raised.line, {"exception": f"{raised.type}: {raised.message}"[:500]},
                       text=f"{raised.type}: {raised.message}"[:500])
        return None
    return test


CUPY_RUNTIME_OOM = re.compile(r"\bcupy\w*\.cuda[\w.]*\.CUDARuntimeError: cudaErrorMemoryAllocation\b", re.IGNORECASE)
FORK = re.compile(r"\bos\.fork\(\)[ \t]*\n([ \t]*[~^]+[ \t]*\n)?[^\n]*?(\[Errno 12\]|Cannot allocate memory)",
                  re.IGNORECASE)  # the frame's source line, Python 3.11's carets under the call, then the ENOMEM


def fork_refused(text: str) -> str | None:
    """ENOMEM raised by ``os.fork()`` itself (the traceback's innermost line): the kernel would not copy the
    parent's address space, a pool forked from a large process or in a loop as often as a machine short of
    memory, and no smaller batch helps (the corpus: pools the tools' authors fixed)."""
    match = FORK.search(text)
    return match.group(0) if match else None


def memory_refused(parsed: ParsedFailure) -> Hit | None:
    """ENOMEM, the kernel refusing memory, unless a fork was refused (``fork_refused``)."""
    fact = next((f for f in parsed.errnos if f.value == "ENOMEM"), None)
    if fact is None or fork_refused(parsed.text):
        return None
    return Hit(fact.line, {"errno": fact.value})


PROCESS_START = re.compile(r"multiprocessing[\\/](?:popen_\w+|process|context)\.py$")
TOO_MANY_OPEN_FILES = re.compile(r"Too many open files|\blimits? on the number of (open )?files\b[^\n]{0,40}\b(is|are) "
                                 r"too low\b", re.IGNORECASE)  # the errno's words, or a tool's own check of the limit


# A thread the C library could not start (pthread_create's EAGAIN, libgomp's "Thread creation failed" with it, or
# its code 11 where a library prints it): the per-user process limit (RLIMIT_NPROC, threads count against it) reached
# -- the open-files limit's sibling, raised or worked under the same way (fewer threads: OPENBLAS_NUM_THREADS, n_jobs).
# EAGAIN elsewhere (a socket, a fork, a loop device), or a thread refused for another errno, is not this.
THREAD_REFUSED = re.compile(r"(?:pthread_create(?: failed)?|\bThread creation failed):? [^\n]{0,40}?"
                            r"(?:Resource temporarily unavailable|\bEAGAIN\b|"
                            r"error code 11\b)", re.IGNORECASE)


def thread_limit(parsed: ParsedFailure) -> Hit | None:
    """A thread refused for the per-user process limit (THREAD_REFUSED)."""
    found = THREAD_REFUSED.search(parsed.text)
    return Hit(parsed.line_at(found.start()), {"message": "A thread could not be started: the per-user limit of "
                                               "processes and threads (ulimit -u, RLIMIT_NPROC) is reached; lower the "
                                               "threads (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, job_kwargs.n_jobs) or "
                                               "raise the limit."}) if found else None


def open_files_limit(parsed: ParsedFailure) -> Hit | None:
    """EMFILE/ENFILE (the errno, or the words), unless raised while starting a process (the module's docstring)."""
    if any(r.where and PROCESS_START.search(r.where) for r in parsed.raised if r.is_a("OSError", "IOError")):
        return None
    fact = next((f for f in parsed.errnos if f.value in ("EMFILE", "ENFILE")), None)
    if fact is not None:
        return Hit(fact.line, {"errno": fact.value})
    words = TOO_MANY_OPEN_FILES.search(parsed.text)
    return Hit(parsed.line_at(words.start())) if words else None
