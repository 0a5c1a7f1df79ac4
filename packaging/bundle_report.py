"""What is in the bundle and how big it is: `python packaging/bundle_report.py [dist/miwake] [--top N]`.

Prints the totals (bytes on disk, files), the share of each top-level package in `_internal/`, the biggest
folders (at any depth, without double counting parents) and the biggest files. Symbolic links count once.
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def walk(app: Path) -> list[tuple[Path, int]]:
    """(relative path, size) of every regular file; links are listed by PyInstaller on Linux/macOS, not copied."""
    out = []
    for dirpath, _dirnames, filenames in os.walk(app):
        for name in filenames:
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            out.append((p.relative_to(app), p.stat().st_size))
    return out


def group(files: list[tuple[Path, int]], depth: int) -> dict[str, tuple[int, int]]:
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel, size in files:
        parts = rel.parts
        if parts and parts[0] == "_internal":
            parts = parts[1:]
        key = "/".join(parts[:depth]) if len(parts) > depth else "/".join(parts)
        if len(parts) <= depth:
            key = "(files) " + ("/".join(parts[:-1]) or ".")
        sizes[key][0] += size
        sizes[key][1] += 1
    return {k: (v[0], v[1]) for k, v in sizes.items()}


def report(app: Path, top: int = 25) -> str:
    files = walk(app)
    total = sum(s for _, s in files)
    lines = [f"Bundle {app}", f"Total: {human(total)} in {len(files):,} files", ""]
    for depth, title in (
        (1, "By top-level package (_internal/...)"),
        (2, "Biggest folders, two levels deep"),
        (3, "Biggest folders, three levels deep"),
    ):
        rows = sorted(group(files, depth).items(), key=lambda kv: -kv[1][0])
        lines.append(f"{title}:")
        for key, (size, n) in rows[:top]:
            lines.append(f"  {human(size):>10}  {100 * size / max(total, 1):5.1f}%  {n:>6} files  {key}")
        lines.append("")
    lines.append("Biggest files:")
    for rel, size in sorted(files, key=lambda f: -f[1])[:top]:
        lines.append(f"  {human(size):>10}  {rel.as_posix()}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "app", nargs="?", type=Path, default=ROOT / "dist" / "miwake", help="the bundle folder (dist/miwake)"
    )
    ap.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    args = ap.parse_args(argv)
    if not args.app.is_dir():
        ap.error(f"{args.app} is not a folder; build it first with `make dist`")
    print(report(args.app, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
