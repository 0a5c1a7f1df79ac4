"""A cluster scan against a local one: the same folder, `miwake scan` as users run it, whole processes.

    python benchmarks/cluster_scan.py [--folder DIR] [--images 60] [--workers 1 2] [--repeat 1] [--model ID]

Runs, each with a fresh result library (nothing reused) and the user's warm cache (the model exported and its
CPU runtime measured once before, as on a machine that has scanned before):
  local          : `miwake scan FOLDER -q`
  cluster N      : `miwake scan FOLDER -q --cluster local --cluster-workers N` (a Ray cluster started on this
                   machine by the command, N workers sharing its cores)
each on the folder and on its first half, and prints, for each: the wall time of the whole process, the scan's
own time (the summary's: from the first file found to the last row, Ray's start-up included), images/s, and from
the two sizes the scan's fixed cost (Ray start-up, workers starting and loading the model) and its steady rate;
the last column is the cluster's overhead per file against the local scan.
Without `--folder` a folder of generated images is made (`scan_throughput.make_folder`); real photos and AI images
give figures that mean more (`--folder DIR --images N`, N files of it are used).
Prints a markdown table; a GPU node's estimate is in README, "Scanning on a cluster".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scan_throughput import make_folder  # noqa: E402


def run(folder: Path, extra: list[str], model: str | None) -> dict[str, float]:
    """One `miwake scan` process with a fresh library: wall seconds, the scan's own seconds, files scored."""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "MIWAKE_DATA_DIR": data}
        report = Path(data) / "r.json"
        cmd = [sys.executable, "-m", "miwake", "scan", str(folder), "-q", "--json", str(report), *extra]
        if model:
            cmd += ["--model", model]
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - t
        scan = json.loads(report.read_text(encoding="utf-8"))["scan"]
    return {"wall": wall, "scan": float(scan["elapsed_s"]), "files": float(scan["total"] - scan["reused"])}


def pick_files(src: Path, n: int, dest: Path) -> Path:
    """`n` image files of `src` (sorted, spread over it), linked into `dest`."""
    from miwake.core.discovery import discover

    files = list(discover([src]))
    step = max(1, len(files) // n)
    dest.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(files[::step][:n]):
        link = dest / f"{i:05d}{f.suffix}"
        try:
            link.symlink_to(f)
        except OSError:
            shutil.copy2(f, link)
    return dest


def subset(folder: Path, n: int, dest: Path) -> Path:
    """The first `n` files of `folder`, linked into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(folder.iterdir())[:n]:
        (dest / f.name).symlink_to(f.resolve())
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, help="images to scan (default: generated ones)")
    ap.add_argument("--images", type=int, default=60)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each, the median is printed")
    ap.add_argument("--model", help="model id (default: the active model)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.folder:
            full = pick_files(args.folder, args.images, Path(tmp) / "files")
        else:
            full = Path(tmp) / "gen"
            make_folder(full, args.images)
        half = subset(full, args.images // 2, Path(tmp) / "half")
        warm = subset(full, 2, Path(tmp) / "warm")
        kinds = [("local", [])] + [
            (f"cluster, {n} worker{'s' if n > 1 else ''}", ["--cluster", "local", "--cluster-workers", str(n)])
            for n in args.workers
        ]
        rows: list[tuple[str, dict[str, float]]] = []
        for name, extra in kinds:
            run(warm, extra, args.model)  # exported, and the runtime measured for this thread count: a warm cache
            r: dict[str, float] = {}
            for label, folder in (("half", half), ("full", full)):
                runs = [run(folder, extra, args.model) for _ in range(args.repeat)]
                for k in runs[0]:
                    r[f"{label}_{k}"] = statistics.median(x[k] for x in runs)
            # the scan's time grows by `per_file` with each file; what is left at 0 files is its fixed cost
            r["per_file"] = (r["full_scan"] - r["half_scan"]) / max(1.0, r["full_files"] - r["half_files"])
            r["fixed"] = r["full_scan"] - r["per_file"] * r["full_files"]
            rows.append((name, r))
            print(f"{name}: {r}", file=sys.stderr)
    local = rows[0][1]
    n = int(local["full_files"])
    print(f"\n{n} files ({n // 2} for the slope), {os.cpu_count()} CPUs, median of {args.repeat}\n")
    print("| run | wall s | scan s | images/s (wall) | fixed s | steady images/s | per file vs local, ms |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['full_wall']:.1f} | {r['full_scan']:.1f} | {r['full_files'] / r['full_wall']:.2f} | "
            f"{r['fixed']:.1f} | {1 / r['per_file']:.2f} | {1000 * (r['per_file'] - local['per_file']):+.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
