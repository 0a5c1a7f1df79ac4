"""Find image files under the paths a user gives: recursive, pattern-filtered, loop-proof.

Symlinked folders are followed once (each real folder is visited at most once, so symlink loops end);
unreadable folders are reported through `on_error` and skipped. Files given explicitly are always
scanned, whatever their extension (so that a mislabelled or broken file still gets its error result).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .imaging import IMAGE_EXTENSIONS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscoveryOptions:
    recursive: bool = True
    include: tuple[str, ...] = ()  # glob patterns on the file name or relative path; empty = known image extensions
    exclude: tuple[str, ...] = ()
    extensions: frozenset[str] = field(default_factory=lambda: IMAGE_EXTENSIONS)
    follow_symlinks: bool = True


def _matches(name: str, rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def _wanted(path: Path, rel: str, opts: DiscoveryOptions) -> bool:
    name = path.name
    if opts.exclude and _matches(name, rel, opts.exclude):
        return False
    if opts.include:
        return _matches(name, rel, opts.include)
    return path.suffix.lower() in opts.extensions


def discover(
    roots: Iterable[str | os.PathLike[str]],
    options: DiscoveryOptions | None = None,
    on_error: Callable[[str, str], None] | None = None,
) -> Iterator[Path]:
    """Yield image files under `roots` in a stable (sorted) order, each at most once."""
    opts = options or DiscoveryOptions()
    seen_files: set[str] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def report(path: str, msg: str) -> None:
        if on_error:  # the caller shows it (once); the log file keeps it
            log.info("%s: %s", path, msg)
            on_error(path, msg)
        else:
            log.warning("%s: %s", path, msg)

    def emit(p: Path) -> Iterator[Path]:
        key = os.path.abspath(p)
        if key not in seen_files:
            seen_files.add(key)
            yield Path(key)

    def walk(top: Path, root: Path) -> Iterator[Path]:
        try:
            st = top.stat()
        except OSError as e:
            report(str(top), f"cannot open folder ({e.strerror or e})")
            return
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            return  # symlink loop or the same folder reached twice
        seen_dirs.add(ident)
        try:
            with os.scandir(top) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            report(str(top), f"cannot list folder ({e.strerror or e})")
            return
        subdirs = []
        for entry in entries:
            try:
                is_link = entry.is_symlink()
                if entry.is_dir(follow_symlinks=opts.follow_symlinks):
                    if opts.recursive and (opts.follow_symlinks or not is_link):
                        subdirs.append(Path(entry.path))
                    continue
                if not entry.is_file(follow_symlinks=True):
                    continue
            except OSError as e:
                report(entry.path, f"cannot inspect ({e.strerror or e})")
                continue
            p = Path(entry.path)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            if _wanted(p, rel, opts):
                yield from emit(p)
        for d in subdirs:
            rel = os.path.relpath(d, root).replace(os.sep, "/")
            if opts.exclude and _matches(d.name, rel, opts.exclude):
                continue
            yield from walk(d, root)

    for r in roots:
        root = Path(r).expanduser()
        try:
            is_dir = stat.S_ISDIR(os.stat(root).st_mode)
        except FileNotFoundError:
            if os.path.lexists(root):  # a dangling symbolic link: its row says "not found"
                yield from emit(root)
            else:
                report(str(root), "no such file or folder")
            continue
        except OSError:  # a symlink loop, a path inside an unreadable folder: the file's row says why
            yield from emit(root)
            continue
        if is_dir:
            yield from walk(root, root)
        else:
            yield from emit(root)
