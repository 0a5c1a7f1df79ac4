"""What a reduced precision does to a model's verdicts on a labelled pool (issue #26): AUC, verdicts that change,
band coverage, fp32 against bf16.

    python benchmarks/precision_agreement.py [--data ../shared/data/dev] [--model ID] [--per-source 0]
                                             [--precision bf16] [--json OUT]

Every image of the pool's `manifest.csv` (or at most `--per-source` of each source, taken in manifest order) is
tiled as a scan tiles it (the card's tiling) and scored twice by the same weights in PyTorch: fp32, and under the
reduced precision's autocast. Printed: the crops' max and median |dp|, AUC of both, the images whose verdict
(the card's band) changes, and the share each precision decides (AI or human, not unsure), overall and per
generator family. Where the CPU has no bf16 kernels PyTorch emulates them: the numbers are those of bf16, the
time is not (about 7x slower than fp32 on an AVX2 EPYC). The model's own validation protocol is not re-run: the
weights are the shipped ones, so the AUC here is in-sample; what matters is the change between precisions.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "dev")
    ap.add_argument("--model", default=None)
    ap.add_argument("--per-source", type=int, default=0, help="at most this many images per source (0: all)")
    ap.add_argument("--precision", default="bf16", choices=["bf16"])
    ap.add_argument("--json", type=Path, help="also write every image's two probabilities here")
    args = ap.parse_args()

    from miwake.core.detector import Detector
    from miwake.core.devices import cpu_bf16_possible, cpu_fingerprint
    from miwake.core.imaging import decode_image
    from miwake.core.model_choice import active_model
    from miwake.core.preprocess import make_inputs
    from miwake.core.registry import ModelRegistry
    from miwake.core.runtime_choice import batched_logits
    from miwake.core.scoring import aggregate_logits, sigmoid, verdict_for
    from miwake.training.metrics import binary_metrics

    reg = ModelRegistry()
    bundle = reg.get(args.model) if args.model else active_model(reg)
    card = bundle.card
    fp32 = Detector(bundle, "cpu")
    reduced = Detector(bundle, "cpu", model=fp32.model, precision=args.precision)

    rows = list(csv.DictReader(open(args.data / "manifest.csv", encoding="utf-8")))
    if args.per_source:
        kept: dict[str, int] = defaultdict(int)
        rows = [
            r
            for r in rows
            if (kept.__setitem__(r["source"], kept[r["source"]] + 1) or kept[r["source"]] <= args.per_source)
        ]
    print(f"model {bundle.id} ({card.arch}), band {card.unsure_band}, {len(rows)} images of {args.data}")
    print(f"CPU: {cpu_fingerprint()}; bf16 kernels: {'yes' if cpu_bf16_possible() else 'no (emulated)'}")

    out = []
    dps: list[np.ndarray] = []
    t32 = tred = 0.0
    n_crops = 0
    for i, r in enumerate(rows):
        try:
            crops = make_inputs(decode_image(args.data / r["path"]).rgb, card)[0]
        except Exception as e:
            print(f"  skipped {r['path']}: {e}")
            continue
        t = time.perf_counter()
        z32 = batched_logits(fp32.logits, crops)
        t32 += time.perf_counter() - t
        t = time.perf_counter()
        zr = batched_logits(reduced.logits, crops)
        tred += time.perf_counter() - t
        n_crops += len(crops)
        dps.append(np.abs(sigmoid(zr) - sigmoid(z32)))
        p32, pr = aggregate_logits(z32, card.aggregation), aggregate_logits(zr, card.aggregation)
        out.append(
            {
                "path": r["path"],
                "y": int(r["label"] == "ai"),
                "family": r["family"],
                "source": r["source"],
                "p_fp32": p32,
                "p_reduced": pr,
                "v_fp32": verdict_for(p32, card.unsure_band).value,
                "v_reduced": verdict_for(pr, card.unsure_band).value,
            }
        )
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(rows)} images", flush=True)

    dp = np.concatenate(dps)
    y = np.array([o["y"] for o in out])
    p32 = np.array([o["p_fp32"] for o in out])
    pr = np.array([o["p_reduced"] for o in out])
    changed = [o for o in out if o["v_fp32"] != o["v_reduced"]]

    def decided(vs: list[str]) -> float:
        return float(np.mean([v != "unsure" for v in vs]))

    print(
        f"\n{len(out)} images, {n_crops} crops; fp32 {n_crops / t32:.1f} crops/s, {args.precision} "
        f"{n_crops / tred:.1f} crops/s"
    )
    print(f"crop |dp|: max {dp.max():.4f}, median {np.median(dp):.5f}, 99th pct {np.percentile(dp, 99):.4f}")
    print(f"image |dp|: max {np.abs(pr - p32).max():.4f}")
    auc = {name: binary_metrics(y, p, 0.5)["auc"] for name, p in (("fp32", p32), (args.precision, pr))}
    print(f"AUC fp32 {auc['fp32']:.4f}, {args.precision} {auc[args.precision]:.4f}")
    print(
        f"verdicts changed: {len(changed)} of {len(out)} ({len(changed) / len(out):.1%}); decided (not unsure): "
        f"fp32 {decided([o['v_fp32'] for o in out]):.1%}, {args.precision} "
        f"{decided([o['v_reduced'] for o in out]):.1%}"
    )
    for o in changed:
        print(f"  {o['path']}: {o['v_fp32']} ({o['p_fp32']:.4f}) -> {o['v_reduced']} ({o['p_reduced']:.4f})")
    print(f"\n{'family':<22} {'n':>4} {'mean p fp32':>12} {args.precision:>8} {'changed':>8}")
    by: dict[str, list[dict]] = defaultdict(list)
    for o in out:
        by[o["family"]].append(o)
    for fam, os_ in sorted(by.items()):
        print(
            f"{fam:<22} {len(os_):4d} {np.mean([o['p_fp32'] for o in os_]):12.4f} "
            f"{np.mean([o['p_reduced'] for o in os_]):8.4f} {sum(o['v_fp32'] != o['v_reduced'] for o in os_):8d}"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
