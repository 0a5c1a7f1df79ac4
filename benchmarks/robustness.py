"""Robustness corpus: scan a folder of hostile and broken files and report what a user would see.

    python benchmarks/robustness.py [FOLDER] [--model ID] [--fuzz 20] [--keep DIR]

Without FOLDER it builds its own corpus (nothing downloaded): the test suite's hostile folder (corrupt,
truncated, empty, bombs, CMYK, 16-bit, palettes, animation, symlink loop…), PostScript disguised as images, a TIFF
with a 20,000-IFD chain, a PNG with a 2 MB ComfyUI workflow, a FIFO, a file name that is not UTF-8, control
characters in names, random bytes under every image extension, and `--fuzz` bit-flipped and cut copies of a
valid image in every supported format. Then it runs `miwake scan FOLDER --json` as a user would (a whole
process) and prints: files vs rows, tracebacks and "internal" errors (both must be 0), error kinds, exit code,
peak RSS of the scan, and the slowest files (decode + evidence timed one by one in this process).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp", "GIF": ".gif"}


def build_corpus(root: Path, fuzz: int, seed: int = 0) -> Path:
    from PIL import Image, PngImagePlugin

    from tests.core.test_hostile_input import EPS, _tiff_with_ifds
    from tests.helpers import make_hostile_folder, noise_image

    rnd = random.Random(seed)
    make_hostile_folder(root / "suite")
    d = root / "crafted"
    d.mkdir(parents=True)
    for ext in (".jpg", ".png", ".tif"):
        (d / f"postscript{ext}").write_bytes(EPS)
    (d / "ifd_chain.tif").write_bytes(_tiff_with_ifds(20_000))
    info = PngImagePlugin.PngInfo()
    info.add_text("workflow", json.dumps({"nodes": ["x" * 200] * 10_000}), zip=True)
    noise_image(64, 64).save(d / "comfy_workflow.png", pnginfo=info)
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "fifo.png")
    if os.name == "posix":
        noise_image(40, 40, 1).save(os.fsdecode(os.fsencode(str(d)) + b"/latin1-caf\xe9.png"), format="PNG")
    noise_image(40, 40, 2).save(d / "esc\x1b[2J-name.png")
    for ext in sorted({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".avif"}):
        (d / f"random{ext}").write_bytes(rnd.randbytes(rnd.randint(10, 5000)))
    f = root / "fuzzed"
    f.mkdir()
    base = noise_image(160, 120, 3)
    for fmt, ext in FORMATS.items():
        buf = io.BytesIO()
        (base.convert("P") if fmt == "GIF" else base).save(buf, fmt)
        data = buf.getvalue()
        for i in range(fuzz):
            b = bytearray(data)
            for _ in range(rnd.randint(1, 12)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            if i % 3 == 0:
                b = b[: rnd.randrange(8, len(b))]
            (f / f"{fmt.lower()}_{i:03d}{ext}").write_bytes(bytes(b))
    Image.new("RGB", (1, 1)).save(f / "one_pixel.png")
    return root


def per_file_times(folder: Path) -> list[tuple[float, str]]:
    from miwake.core.discovery import discover
    from miwake.core.evidence import read_evidence
    from miwake.core.imaging import decode_image

    out = []
    for p in discover([folder]):
        if not p.is_file():
            continue
        t = time.perf_counter()
        try:
            read_evidence(p)
            decode_image(p)
        except Exception:
            pass
        out.append((time.perf_counter() - t, str(p)))
    return sorted(out, reverse=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?")
    ap.add_argument("--model", help="model id (default: the active model)")
    ap.add_argument("--fuzz", type=int, default=20, help="damaged copies per format (default 20)")
    ap.add_argument("--keep", metavar="DIR", help="build the corpus here and keep it")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="miwake-robust-")
    folder = Path(args.folder) if args.folder else build_corpus(Path(args.keep or tmp.name) / "corpus", args.fuzz)
    from miwake.core.discovery import discover

    files = sum(1 for _ in discover([folder]))
    report = Path(tmp.name) / "report.json"
    env = {**os.environ, "MIWAKE_DATA_DIR": str(Path(tmp.name) / "data")}  # a fresh store: nothing reused
    cmd = [sys.executable, "-m", "miwake", "scan", str(folder), "--json", str(report), "-q"]
    if args.model:
        cmd += ["--model", args.model]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = json.loads(report.read_text("utf-8"))["results"] if report.exists() else []
    kinds = Counter(r["error_kind"] or "scored" for r in rows)
    tracebacks = proc.stderr.count("Traceback")
    slow = per_file_times(folder)

    print(f"corpus: {folder}")
    print(f"files found: {files}   rows reported: {len(rows)}   exit code: {proc.returncode}   wall: {wall:.1f} s")
    noise = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("Model: ")]
    print(
        f"tracebacks on stderr: {tracebacks}   'internal' errors: {kinds.get('internal', 0)}   "
        f"other stderr lines: {len(noise)}"
    )
    for ln in noise[:5]:
        print(f"  stderr: {ln[:150]!a}")
    print("rows by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(f"peak RSS of the scan process: {rss_mb:.0f} MB")
    print("slowest files (evidence + decode, this process):")
    for secs, path in slow[:5]:
        print(f"  {secs * 1000:8.1f} ms  {os.path.relpath(path, folder)!a}")
    problems = (files != len(rows)) + (tracebacks > 0) + (kinds.get("internal", 0) > 0) + (proc.returncode not in (0,))
    if proc.returncode not in (0,):
        print(proc.stderr[-2000:])
    print("OK" if not problems else f"PROBLEMS: {problems}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
