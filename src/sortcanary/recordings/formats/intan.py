"""Intan RHD2000 / RHS2000 files (``.rhd`` / ``.rhs``, header and data in one file).

Only the header is read, with neo's own header parser (``read_rhd`` / ``read_rhs``, the functions
``spikeinterface.extractors.read_intan`` uses); it gives the amplifier channels, the sampling rate
and the layout of one 128-sample (60 before RHD 2.0) data block. Duration is the data size over
the block size. neo's full ``parse_header`` also checks timestamp continuity, which reads every
block, so discovery does not call it; the job does when it opens the file.

The amplifier stream (neo stream ``0``) is the one sorted; Intan files carry no electrode geometry,
so ``formats.probe.intan`` is required. The headerless "one file per signal/channel" layouts
(``info.rhd`` + ``.dat`` files) are not handled.

Session start: the RHD/RHS header holds **no date or time**. Intan's acquisition software appends
``_YYMMDD_HHMMSS`` (local time) to the base name of every file it writes, so that stamp is read
from the file name when present; a renamed file has none (the file's mtime is used then).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np

from ...boundary import JSONDict, Recording
from ..entry import EntryError, RecordingEntry, slugify
from .context import FormatContext, session_name

FORMAT = "intan"
SUFFIXES = (".rhd", ".rhs")
MAGIC = {".rhd": 0xC6912702, ".rhs": 0xD69127AC}
AMPLIFIER_SIGNAL_TYPE = 0  # neo stream "0": RHD2000/RHS2000 amplifier channel


def read_header(path: Path) -> tuple[JSONDict, list[JSONDict], int, int, int]:
    """(global info, amplifier channels, header bytes, bytes per data block, samples per block)."""
    from neo.rawio.intanrawio import read_rhd, read_rhs

    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(4)
    if len(head) < 4 or int.from_bytes(head, "little") != MAGIC[suffix]:
        raise EntryError(f"{path.name} does not start with the Intan {suffix} magic number; it is not an Intan "
                         "file, or its header is corrupt")
    try:
        info, channels, block_dtype, header_size, block_samples, _ = (read_rhd if suffix == ".rhd" else read_rhs)(
            path, "header-attached")
        block_bytes = np.dtype(block_dtype).itemsize
    except Exception as exc:  # noqa: BLE001 -- a corrupt header can fail anywhere in the parser
        detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:200]
        raise EntryError(f"{path.name}: the Intan header cannot be read ({detail}); the file is truncated or "
                         "corrupt") from None
    amplifier = [c for c in channels if int(c.get("signal_type", -1)) == AMPLIFIER_SIGNAL_TYPE]
    return info, amplifier, int(header_size), int(block_bytes), int(block_samples)


def detect(path: Path, is_dir: bool) -> bool:
    return not is_dir and path.suffix.lower() in SUFFIXES


def entries(path: Path, ctx: FormatContext) -> list[RecordingEntry]:
    info, amplifier, header_size, block_bytes, block_samples = read_header(path)
    if not amplifier:
        raise EntryError(f"{path.name} has no enabled amplifier channels; nothing to sort")
    fs = float(info["sampling_rate"])
    if not fs > 0:
        raise EntryError(f"{path.name}: the header's sampling rate is {fs}; the header is corrupt")
    data_bytes = path.stat().st_size - header_size
    if data_bytes <= 0:
        raise EntryError(f"{path.name} holds a header but no data; nothing to sort")
    if data_bytes % block_bytes:
        raise EntryError(f"{path.name} has {data_bytes} data bytes, not a whole number of {block_bytes}-byte data "
                         "blocks: truncated or corrupt; copy it again")
    probe = ctx.require_probe(FORMAT, len(amplifier), f"{path.name} is an Intan file, which carries no electrode "
                                                      "geometry")
    return [RecordingEntry(
        name=slugify(session_name(path, SUFFIXES)),
        source=path.name,
        path=str(path.resolve()),
        format=FORMAT,
        sampling_frequency=fs,
        num_channels=len(amplifier),
        dtype="<u2",
        duration_s=data_bytes // block_bytes * block_samples / fs,
        input_files=(str(path.resolve()), probe),
        reader={"stream_id": str(AMPLIFIER_SIGNAL_TYPE)},
        probe=probe,
    )]


def open_recording(entry: RecordingEntry) -> Recording:
    from spikeinterface.extractors import read_intan

    return read_intan(entry.path, **entry.reader)


NAME_STAMP = re.compile(r"_(\d{6}_\d{6})$")  # <base>_YYMMDD_HHMMSS.rhd


def session_start(entry: RecordingEntry) -> tuple[datetime, str] | None:
    """The ``_YYMMDD_HHMMSS`` stamp of Intan's file name (naive local time), or None."""
    name = Path(entry.path).name
    found = NAME_STAMP.search(Path(name).stem)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%y%m%d_%H%M%S"), f"Intan file-name stamp of {name}"
