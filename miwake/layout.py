"""The checkout's layout: the design's top-level `core/`, `gui/`, `training/` and `resources/` are the packages
`miwake.core`, `miwake.gui`, `miwake.training` and the folder `miwake/resources`.

Three ways make that true, one per kind of user, and none needs symlinks in git (which a Windows clone checks out
as small text files unless `core.symlinks=true`):
- the wheel and `pip install -e .`: `setup.py` maps each folder into the namespace (`package_dir`);
- Python run from a checkout (`python -m miwake`, pytest): `miwake/__init__.py` adds the checkout's root to the
  package's `__path__` when `miwake/core` is missing (`extend_from_checkout`);
- tools that read the file tree instead of importing (mypy, import-linter, PyInstaller): `link_parts` makes
  `miwake/core` etc. links to the top-level folders: symlinks, or directory junctions on Windows (which need no
  privileges). `make install` runs it (`python -m miwake.layout`); the links are ignored by git.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ._checkout import checkout_root

PARTS = ("core", "gui", "training", "resources")
__all__ = ["PARTS", "checkout_root", "link_parts"]


def _points_at(link: Path, target: Path) -> bool:
    try:
        return link.is_dir() and link.resolve() == target.resolve()
    except OSError:
        return False


def _make_link(link: Path, target: Path) -> None:
    if sys.platform == "win32":
        try:
            import _winapi

            _winapi.CreateJunction(str(target), str(link))  # type: ignore[attr-defined]
            return
        except (ImportError, AttributeError, OSError):
            subprocess.run(["cmd", "/c", "mklink", "/J", str(link), str(target)], check=True, capture_output=True)
            return
    link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)


def link_parts(root: Path) -> list[str]:
    """Make `root/miwake/<part>` a link to `root/<part>` for every part; what it changed. A stand-in left by an
    older clone (a text file holding the link's target) or a broken link is replaced; a real folder is an error
    (it would hide the top-level one)."""
    changed = []
    for part in PARTS:
        link, target = root / "miwake" / part, root / part
        if _points_at(link, target):
            continue
        if link.is_dir() and not link.is_symlink() and not _is_junction(link):
            raise FileExistsError(f"{link} is a folder of its own; the code lives in {target}: remove it")
        if link.is_symlink() or link.is_file() or _is_junction(link):
            _remove_link(link)
        _make_link(link, target)
        changed.append(part)
    return changed


def _is_junction(path: Path) -> bool:
    return bool(getattr(path, "is_junction", lambda: False)())


def _remove_link(link: Path) -> None:
    if _is_junction(link):
        os.rmdir(link)  # removes the junction, not what it points to
    else:
        link.unlink()


def main() -> int:
    root = checkout_root(Path(__file__).parent)
    if root is None:
        print("Not a Miwake checkout: nothing to link.", file=sys.stderr)
        return 1
    changed = link_parts(root)
    print(
        f"Linked miwake/{', miwake/'.join(changed)} to the top-level folders." if changed else "Layout already linked."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
