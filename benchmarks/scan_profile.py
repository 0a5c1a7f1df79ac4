"""Where a scan's time goes, stage by stage, on a real folder (issue #13 item 3's measurement).

    python benchmarks/scan_profile.py FOLDER [--model ID] [--limit N]

Runs each stage of the per-file work one after another in this process, the way `core.scanner` does it for one
file (but without the thread pool, so the stages do not overlap): read the bytes, sha256, provenance evidence
without and with the watermark decoder, pixel decode, tiling, the model's forward pass on the file's crops, and
the store insert. Prints the total and share of each stage and ms per file, so the next optimisation goes where
the time is. Compare the stage sum with `miwake scan`'s own wall time to see what the overlap already hides.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--model", help="model id (default: the active model)")
    ap.add_argument("--limit", type=int, default=0, help="profile at most N files")
    args = ap.parse_args()

    from miwake.core.detector import Detector
    from miwake.core.discovery import discover
    from miwake.core.evidence import read_evidence
    from miwake.core.imaging import decode_image
    from miwake.core.model_choice import active_model
    from miwake.core.preprocess import make_inputs
    from miwake.core.registry import ModelRegistry
    from miwake.core.results import ImageResult, Verdict
    from miwake.core.store import ResultStore

    reg = ModelRegistry()
    bundle = reg.get(args.model) if args.model else active_model(reg)
    t = time.perf_counter()
    det = Detector(bundle, "auto")
    load_s = time.perf_counter() - t
    files = list(discover([args.folder]))[: args.limit or None]
    stages: dict[str, float] = defaultdict(float)
    crops_total = pixels = 0
    with tempfile.TemporaryDirectory() as tmp, ResultStore(Path(tmp) / "s.db") as store:
        scan_id = store.begin_scan([args.folder], bundle.id, bundle.key, "profile", det.device.name)
        for p in files:

            def timed(name: str, fn, *a, **k):
                t0 = time.perf_counter()
                out = fn(*a, **k)
                stages[name] += time.perf_counter() - t0
                return out

            data = timed("read bytes", p.read_bytes)
            timed("sha256", lambda d=data: hashlib.sha256(d).hexdigest())
            timed("evidence (metadata, C2PA)", read_evidence, p, watermark=False)
            timed("evidence (watermark decode)", lambda q=p: read_evidence(q, watermark=True))
            try:
                img = timed("decode", decode_image, p)
            except Exception:
                continue
            pixels += img.width * img.height
            crops, _grid = timed("tile", make_inputs, img.rgb, bundle.card)
            crops_total += len(crops)
            timed("forward (model)", det.logits, crops)
            r = ImageResult(path=str(p), size=len(data), probability=0.5, verdict=Verdict.UNSURE, crops=len(crops))
            timed("store insert", store.add_result, scan_id, r, bundle.key, "profile")
        store.commit()
    total = sum(stages.values())
    n = max(1, len(files))
    print(
        f"{len(files)} files, {pixels / 1e6:.1f} MP, {crops_total} crops, model {bundle.id} on {det.device.name} "
        f"(model load {load_s:.1f} s, not counted below)"
    )
    print("note: 'evidence (watermark decode)' includes the metadata read again; subtract the row above it")
    for name, secs in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<30} {secs:8.2f} s  {100 * secs / total:5.1f} %  {1000 * secs / n:8.1f} ms/file")
    print(f"  {'sum':<30} {total:8.2f} s           {1000 * total / n:8.1f} ms/file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
