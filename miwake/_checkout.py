"""Is this package running from a checkout, and where are its top-level folders (`miwake.layout` says why).
Kept out of `miwake.layout` so that `miwake/__init__` can use it without importing the module `python -m
miwake.layout` runs."""

from __future__ import annotations

import os
from pathlib import Path


def checkout_root(package_dir: str | os.PathLike[str]) -> Path | None:
    """The checkout `package_dir` (the `miwake` folder) sits in, or None where it is installed (a wheel, a
    PyInstaller bundle: no `pyproject.toml` and `core/` beside it)."""
    root = Path(package_dir).resolve().parent
    if (root / "pyproject.toml").is_file() and (root / "core" / "__init__.py").is_file():
        return root
    return None


def extend_from_checkout(package_path: list[str], package_dir: str) -> None:
    """Let `miwake.core` (etc.) import from the checkout's top-level folders where `miwake/core` is no folder: a
    clone before `python -m miwake.layout`, or one made without symlinks."""
    root = checkout_root(package_dir)
    if (
        root is not None
        and not (Path(package_dir) / "core" / "__init__.py").is_file()
        and str(root) not in package_path
    ):
        package_path.append(str(root))
