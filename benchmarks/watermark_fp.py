"""Watermark false positives and evidence-reading cost on the dev set (issue #6).

    python benchmarks/watermark_fp.py [--data ../shared/data/dev] [--limit N] [--check-imwatermark]

For every image of the dev manifest:
  - the invisible-watermark decode (core.watermark) on the pixels as stored: which known pattern decodes
    exactly (SD 1.x "StableDiffusionV1", SD 2.x "SDV2", SDXL 48 bits); on `label == real` images every hit is
    a false positive;
  - decode time per megapixel (the watermark decode alone, pixels already in memory);
  - read_evidence time per file, with and without the watermark step, and what it finds.
With --check-imwatermark (needs `invisible-watermark`), also checks that the own decoder's bits equal
imwatermark's on every image. Prints figures; writes nothing.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from miwake.core import watermark as wm  # noqa: E402
from miwake.core.evidence import read_evidence  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "dev"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--check-imwatermark", action="store_true")
    args = ap.parse_args()
    data = Path(args.data)
    rows = list(csv.DictReader(open(data / "manifest.csv", encoding="utf-8")))
    if args.limit:
        rows = rows[: args.limit]
    hits: dict[str, Counter[str]] = {"real": Counter(), "ai": Counter()}
    counted: Counter[str] = Counter()
    ms_per_mp: list[float] = []
    t_full: list[float] = []
    t_nowm: list[float] = []
    found: dict[str, Counter[str]] = {"real": Counter(), "ai": Counter()}
    states_ai: Counter[str] = Counter()
    mismatches = 0
    for r in rows:
        path, label = data / r["path"], r["label"]
        with Image.open(path) as im:  # the pixels as core.evidence sees them (alpha dropped, not composited)
            alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            rgb = np.ascontiguousarray(np.asarray(im.convert("RGBA" if alpha else "RGB"))[..., :3])
        h, w = rgb.shape[:2]
        if h * w >= wm.MIN_PIXELS:
            counted[label] += 1
            t0 = time.perf_counter()
            pats = wm.find_watermarks(rgb)
            ms_per_mp.append((time.perf_counter() - t0) * 1000 / (h * w / 1e6))
            for p in pats:
                hits[label][p.name] += 1
            if args.check_imwatermark:
                from imwatermark.maxDct import EmbedMaxDct

                bgr = np.ascontiguousarray(rgb[..., ::-1])
                scores = wm.block_scores(rgb)
                for n in (136, 32, 48):
                    if not np.array_equal(EmbedMaxDct(watermarks=[], wmLen=n).decode(bgr), wm.decode_bits(scores, n)):
                        mismatches += 1
        t0 = time.perf_counter()
        items = read_evidence(path)
        t_full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_evidence(path, watermark=False)
        t_nowm.append(time.perf_counter() - t0)
        for it in items:
            found[label][it.kind if it.kind != "watermark" else it.token()] += 1
        states_ai[label] += any(it.states_ai for it in items)

    n_real = sum(1 for r in rows if r["label"] == "real")
    n_ai = len(rows) - n_real
    fp = sum(hits["real"].values())
    print(
        f"images: {len(rows)} ({n_real} real, {n_ai} ai); watermark-checkable (>= 256x256): "
        f"{counted['real']} real, {counted['ai']} ai"
    )
    print(
        f"watermark false positives on real images: {fp} / {counted['real']} "
        f"({100 * fp / max(1, counted['real']):.2f} %) {dict(hits['real'])}"
    )
    print(f"watermark hits on AI images: {sum(hits['ai'].values())} / {counted['ai']} {dict(hits['ai'])}")
    print(
        f"watermark decode: median {statistics.median(ms_per_mp):.1f} ms/MP, "
        f"mean {statistics.fmean(ms_per_mp):.1f} ms/MP (pixels in memory)"
    )
    for name, ts in (("read_evidence", t_full), ("read_evidence(watermark=False)", t_nowm)):
        print(
            f"{name}: mean {1000 * statistics.fmean(ts):.1f} ms/file, median {1000 * statistics.median(ts):.1f}, "
            f"max {1000 * max(ts):.1f}"
        )
    print(f"files whose evidence states AI: real {states_ai['real']}/{n_real}, ai {states_ai['ai']}/{n_ai}")
    print(f"evidence kinds found: real {dict(found['real'])}; ai {dict(found['ai'])}")
    if args.check_imwatermark:
        print(
            f"own decoder vs imwatermark: {mismatches} mismatching bit vectors ({3 * sum(counted.values())} compared)"
        )


if __name__ == "__main__":
    main()
