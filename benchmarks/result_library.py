"""The result library under a user's habits: one big folder, many rescans, many single-file scans.

    python benchmarks/result_library.py [--images 10000] [--rescans 100] [--singles 50] [--model efficientnetv2-b0]
                                       [--million]

Makes `--images` small, all different PNGs, scans them once (fresh data folder, in-process `ScanJob`, evidence
on), then rescans the unchanged folder `--rescans` times and scans `--singles` single files one by one (a user
dropping images into the app), then rescans the folder again. Prints the first scan's time, the rescan times
(first and last), how many files the last rescan reused, the store's size on disk and its open time, before and
after. Targets (issue #25): the last rescan reuses every file and is >= 50x faster than the first scan; the store
does not grow with the number of rescans. `--million` also fills a copy of the store to 1,000,000 result rows
(synthetic copies of one row) and times opening it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_images(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        p = folder / f"img_{i:05d}.png"
        Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(p)
        out.append(p)
    return out


def scan(paths: list[str], model: str) -> tuple[float, int, int]:
    from miwake.core import paths as data_paths
    from miwake.core.scan_setup import prepare_scan
    from miwake.core.settings import Settings
    from miwake.core.store import ResultStore

    t0 = time.perf_counter()
    with ResultStore(data_paths.store_path()) as store:
        fin = prepare_scan(paths, model=model, device="cpu", settings=Settings(), store=store).run()
    return time.perf_counter() - t0, fin.scored, fin.reused


def store_facts() -> tuple[float, float]:
    """(size on disk in MB, open time in s) of the user's store."""
    from miwake.core import paths as data_paths
    from miwake.core.store import ResultStore

    p = data_paths.store_path()
    size = sum(f.stat().st_size for f in p.parent.glob(p.name + "*")) / 1e6
    t0 = time.perf_counter()
    ResultStore(p).close()
    return size, time.perf_counter() - t0


def million(src: Path, work: Path) -> None:
    from miwake.core.store import ResultStore

    dest = work / "million.sqlite3"
    shutil.copy(src, dest)
    db = sqlite3.connect(str(dest))
    n = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    cols = [r[1] for r in db.execute("PRAGMA table_info(results)") if r[1] not in ("id", "path")]
    db.execute(
        f"INSERT INTO results (path, {', '.join(cols)}) WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
        f"WHERE i < {1_000_000 - n}) SELECT '/synthetic/' || i || '.png', {', '.join(cols)} FROM k, "
        "(SELECT * FROM results LIMIT 1)"
    )
    db.commit()
    db.close()
    size = dest.stat().st_size / 1e6
    for label in ("first open", "second open"):
        t0 = time.perf_counter()
        ResultStore(dest).close()
        print(f"1,000,000 results ({size:.0f} MB): {label} {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    (work / "million.sqlite3.suspect").touch()
    ResultStore(dest).close()
    print(f"1,000,000 results: open with the full check (damage suspected) {time.perf_counter() - t0:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=10_000)
    ap.add_argument("--rescans", type=int, default=100)
    ap.add_argument("--singles", type=int, default=50)
    ap.add_argument("--model", default="efficientnetv2-b0")
    ap.add_argument("--million", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="miwake-library-"))
    os.environ["MIWAKE_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("MIWAKE_CACHE_DIR", str(work / "cache"))
    folder = work / "folder"
    files = make_images(folder, args.images)
    first, scored, _ = scan([str(folder)], args.model)
    size0, open0 = store_facts()
    print(
        f"first scan: {args.images} images in {first:.1f} s ({scored} scored); store {size0:.1f} MB, opens in "
        f"{open0 * 1000:.0f} ms"
    )
    times = []
    for i in range(args.rescans):
        t, _, reused = scan([str(folder)], args.model)
        times.append(t)
        if i + 1 in (10, 30, 60):
            size, _ = store_facts()
            print(f"  after {i + 1} rescans: store {size:.1f} MB (the newest 30 scan records are kept)")
    size1, open1 = store_facts()
    if times:
        print(
            f"{args.rescans} rescans: first {times[0]:.2f} s, last {times[-1]:.2f} s, median {np.median(times):.2f} s; "
            f"store {size1:.1f} MB, opens in {open1 * 1000:.0f} ms"
        )
    for f in files[: args.singles]:
        scan([str(f)], args.model)
    t, scored, reused = scan([str(folder)], args.model)
    size2, open2 = store_facts()
    print(
        f"after {args.singles} single-file scans, the folder again: {t:.2f} s, {reused} reused, {scored} scored "
        f"({first / t:.0f}x faster than the first scan); store {size2:.1f} MB, opens in {open2 * 1000:.0f} ms"
    )
    if args.million:
        from miwake.core import paths as data_paths

        million(data_paths.store_path(), work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
