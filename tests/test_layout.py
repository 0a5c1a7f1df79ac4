"""A checkout works without symlinks (issue #27): git holds none, Python imports the namespace from the top-level
folders, and `python -m miwake.layout` makes the links that file-tree tools read, replacing a Windows clone's
text stand-ins."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from miwake.layout import PARTS, checkout_root, link_parts

ROOT = Path(__file__).resolve().parent.parent


def test_git_holds_no_symlinks() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    staged = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    links = [line.split("\t", 1)[1] for line in staged.splitlines() if line.startswith("120000 ")]
    assert links == [], f"symlinks in git (a Windows clone gets text files): {links}"


def _linkless_copy(dest: Path) -> Path:
    """The package code of this checkout as a clone made with `core.symlinks=false` has it: no miwake/core etc.
    (resources left out but for what the CLI's start needs)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "models", "samples", "sd", "i18n", "icons")
    (dest / "miwake").mkdir(parents=True)
    for f in (ROOT / "miwake").iterdir():
        if f.is_file() and f.suffix == ".py":
            shutil.copy2(f, dest / "miwake" / f.name)
    for part in ("core", "gui", "training", "resources"):
        shutil.copytree(ROOT / part, dest / part, ignore=ignore)
    for f in ("pyproject.toml", "setup.py"):
        shutil.copy2(ROOT / f, dest / f)
    for part in PARTS:  # what git checks out for a committed symlink where it may not make one
        (dest / "miwake" / part).write_text(f"../{part}", encoding="utf-8")
    return dest


def test_python_imports_the_namespace_from_a_clone_without_links(tmp_path: Path) -> None:
    clone = _linkless_copy(tmp_path / "clone")
    for part in PARTS:
        (clone / "miwake" / part).unlink()  # a clone of today's main: no stand-ins either
    code = (
        "import miwake.core.scanner, miwake.training.metrics, miwake.core.paths as p; "
        "print(miwake.core.scanner.__file__); print(p.resources_dir())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("MIWAKE_RESOURCES")}
    r = subprocess.run([sys.executable, "-c", code], cwd=clone, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    scanner_file, resources = r.stdout.split()
    assert Path(scanner_file).resolve() == (clone / "core" / "scanner.py").resolve()
    assert Path(resources).resolve() == (clone / "resources").resolve()
    r = subprocess.run(
        [sys.executable, "-m", "miwake", "--version"], cwd=clone, capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0 and r.stdout.strip(), r.stderr[-2000:]


@pytest.mark.skipif(sys.platform == "win32", reason="junctions are made on Windows; the link test is POSIX")
def test_layout_links_replace_text_stand_ins_and_are_idempotent(tmp_path: Path) -> None:
    clone = _linkless_copy(tmp_path / "clone")
    assert checkout_root(clone / "miwake") == clone.resolve()
    assert sorted(link_parts(clone)) == sorted(PARTS)
    for part in PARTS:
        link = clone / "miwake" / part
        assert link.is_symlink() and link.resolve() == (clone / part).resolve()
    assert (clone / "miwake" / "core" / "scanner.py").is_file()
    assert link_parts(clone) == []  # already linked: nothing changes
    (clone / "miwake" / "gui").unlink()
    (clone / "miwake" / "gui").mkdir()  # a real folder would hide the top-level one: refused, not deleted
    with pytest.raises(FileExistsError):
        link_parts(clone)


def test_an_installed_package_is_no_checkout(tmp_path: Path) -> None:
    (tmp_path / "miwake").mkdir()
    (tmp_path / "core").mkdir()  # site-packages may hold another project's `core`
    assert checkout_root(tmp_path / "miwake") is None
