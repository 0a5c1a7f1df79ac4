"""Files written whole or not at all: the data goes to a hidden `.NAME.part` beside the file, is flushed to
disk, and is renamed over the file. A crash or a full disk leaves the old file (and no part file) behind.

One convention for every file Miwake writes in place: settings, model bundles, reports, run state, the images
and sidecars the generator makes. The part file is hidden so a folder scan never picks it up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


def part_path(dest: str | os.PathLike[str]) -> Path:
    d = Path(dest)
    return d.with_name(f".{d.name}.part")


@contextmanager
def atomic_open(dest: str | os.PathLike[str], mode: str = "w", **open_kw: Any) -> Iterator[IO[Any]]:
    """`open(part, mode)`; on leaving the block, flush, fsync and rename over `dest` (on an error: remove it)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files (mode 'w' or 'wb'), not {mode!r}")
    tmp = part_path(dest)
    try:
        with open(tmp, mode, **open_kw) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(dest: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(dest, "wb") as fh:
        fh.write(data)


def write_text(dest: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    with atomic_open(dest, "w", encoding=encoding) as fh:
        fh.write(text)
