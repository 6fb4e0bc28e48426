"""What an allocation that failed says by its size and its shape, before anyone calls it a memory problem.

An allocation far beyond the machine is a wrong parameter, not a memory problem: retrying with less
would loop (``implausible_allocation``). An array whose shape holds one large dimension twice --
``(30000, 30000, 384)`` -- is a pairwise or broadcast array: every sample or spike against every
other, which a batch made smaller does not shrink. It comes from a parameter or from a bug in the
code that built it (a vector broadcast against itself), and the text can't tell which, so it is not
called the machine's memory either (``squared_shape``). A size of 2**63 or more -- numpy's shape
``(18446744073709551615,)``, MATLAB's ``Requested 1x18446744071694492455 array`` -- is a negative
size read as unsigned: an integer overflow in the code that computed it, a bug whatever the machine
(``wrapped_size``), so no memory or parameter verdict is given.
"""

from __future__ import annotations

import re

import psutil

IMPLAUSIBLE_FACTOR = 4  # an allocation this many times the machine's memory (or a GPU's) is a wrong parameter...
HOST_FLOOR = 2 * 2**40  # ...if it is also beyond the largest common compute nodes' memory (1-2 TB)...
GPU_FLOOR = 256 * 2**30  # ...or, on a GPU, beyond any GPU's
SQUARED_DIMENSION = 10_000  # a dimension this long, twice in one shape: every sample/spike against every other
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60}
_SIZE = r"(\d+(?:\.\d*)?)\s*([KMGTPE]?)i?B\b"
WRAPPED = re.compile(r"(?:Requested|shape\s*\(|allocate)[^\n]*?(?<![\d.])(\d{19,})(?![\d.])", re.IGNORECASE)
SHAPE = re.compile(r"(?:Unable to allocate|Tried to allocate)[^\n]*?\bshape\s*\(([\d,\s]+)\)", re.IGNORECASE)


def _bytes(number: str, unit: str) -> float:
    return float(number) * _UNITS[unit.upper()]


def implausible_allocation(text: str) -> str | None:
    """The allocation in ``text`` ("Unable to allocate 117. TiB", "Tried to allocate 2.6 TiB", MATLAB's
    "Requested ... (119.4GB) array") when it is far beyond this machine -- or a GPU's stated capacity."""
    match = re.search(rf"(?:Unable to allocate|Tried to allocate|cannot allocate vector of size)\s+{_SIZE}|Requested "
                      rf"[^\n]*?\({_SIZE}\) array",
                      text, re.IGNORECASE)
    if not match or wrapped_size(text):
        return None
    number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    capacity = re.search(rf"total capacity of\s+{_SIZE}", text, re.IGNORECASE)
    reference = _bytes(*capacity.groups()) if capacity else psutil.virtual_memory().total
    size = _bytes(number, unit)
    floor = GPU_FLOOR if capacity else HOST_FLOOR
    return match.group(0) if size > max(IMPLAUSIBLE_FACTOR * reference, floor) else None


def squared_shape(text: str) -> str | None:
    """The shape of a failed allocation that repeats one long dimension (a pairwise or broadcast array)."""
    for match in SHAPE.finditer(text):
        sizes = [int(d) for d in re.findall(r"\d+", match.group(1))]
        long = [d for d in sizes if d >= SQUARED_DIMENSION]
        if len(long) != len(set(long)):
            return match.group(0)
    return None


def wrapped_size(text: str) -> str | None:
    """A failed allocation whose size or dimension is 2**63 or more: a negative size wrapped around."""
    for match in WRAPPED.finditer(text):
        if int(match.group(1)) >= 2**63:
            return match.group(0)
    return None


def not_the_memory(text: str) -> str | None:
    """What in ``text`` says a failed allocation is not the machine's memory running out, whatever its
    size: a pairwise or broadcast shape (``squared_shape``) or an overflowed size (``wrapped_size``)."""
    return squared_shape(text) or wrapped_size(text)
