"""The product's premise re-tested with the chosen backbone: native-resolution crops versus resizing.

    python -m miwake.training.recipes.premise [--features runs/features_layers] [--candidate "dinov2-s blocks 1-12"]

The seed experiment's split (``training.recipes.seed_experiment``: train on the photo domain without its test
sources; test in-domain on held-out photo sources and cross-domain on art), with frozen-feature probes instead
of a network trained end to end:
- crop: the head is fitted on augmented native-resolution crops and scan tiles; an image is scored by its
  mean tile logit (what a scan does);
- resize: the head is fitted on the classic pipeline's single resized crop (shorter side -> crop size,
  centre crop; as the file is and after JPEG q90) and scores that one crop.
Thresholds come from grouped out-of-fold scores inside the training sources. Needs the features of
``training.recipes.features --layers`` and ``training.recipes.features --layers --resize``.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..crossval import Pool, family_folds, image_logits, sigmoid, source_folds
from ..metrics import _safe_auc, binary_metrics, choose_operating_point
from . import crossval as cv_recipe
from .common import ROOT
from .seed_experiment import ART_AI, ART_REAL, PHOTO_HELDOUT, PHOTO_TRAIN

MODES = {
    "crop": (("train", "raw"), ("raw", "jpeg90")),
    "resize": (("resize", "resize_jpeg90"), ("resize", "resize_jpeg90")),
}


def protocol(pool: Pool, cand: Any, mode: str) -> str:
    """`cand` through the leave-sources-out protocol's folds with the `mode` pipeline (AUC only)."""
    train_kinds, (kind, kind_jpeg) = MODES[mode]
    c = replace(cand, train_kinds=train_kinds)
    raw, jpeg = [], []
    for test in source_folds(pool.labels, pool.sources, 5, 0):
        head = c.fit(pool, np.setdiff1d(np.arange(pool.n), test))
        raw.append(_safe_auc(pool.labels[test], image_logits(pool, head, test, kind)))
        jpeg.append(_safe_auc(pool.labels[test], image_logits(pool, head, test, kind_jpeg)))
    fam = {}
    for f, (train, test) in family_folds(pool, 5, 0).items():
        fam[f] = _safe_auc(pool.labels[test], image_logits(pool, c.fit(pool, train), test, kind))
    return (
        f"| {mode} | {np.mean(raw):.3f} / {np.mean(jpeg):.3f} | {min(raw):.3f} | {np.mean(list(fam.values())):.3f} | "
        f"{min(fam.values()):.3f} ({min(fam, key=lambda k: fam[k])}) |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_layers"))
    ap.add_argument("--candidate", default="dinov2-s blocks 1-12")
    ap.add_argument(
        "--protocol",
        action="store_true",
        help="also both pipelines through the full leave-sources-out protocol (AUC only, ~3 min)",
    )
    args = ap.parse_args()
    base = cv_recipe.load_pool(Path(args.features))
    pool: Pool = base.merged(cv_recipe.load_pool(Path(args.features + "_resize")))
    cand0 = next(c for c in cv_recipe.CANDIDATES if c.name == args.candidate)
    idx = {
        name: np.where(np.isin(pool.sources, srcs))[0]
        for name, srcs in (
            ("train", PHOTO_TRAIN),
            ("in-domain (held-out photo sources)", PHOTO_HELDOUT),
            ("cross-domain (art)", ART_AI + ART_REAL),
        )
    }
    lines = [
        "| preprocessing | test set | n (AI) | AUC | AUC after JPEG q90 | threshold t | F1 / recall / precision at t "
        "| F1 / recall / precision at 0.5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    train = idx["train"]
    for mode, (train_kinds, (kind, kind_jpeg)) in MODES.items():
        cand = replace(cand0, train_kinds=train_kinds)
        head = cand.fit(pool, train)
        oof = np.zeros(len(train))
        for test_pos in source_folds(pool.labels[train], pool.sources[train], 3, 1):
            h = cand.fit(pool, np.delete(train, test_pos))
            oof[test_pos] = sigmoid(image_logits(pool, h, train[test_pos], kind))
        t, _ = choose_operating_point(pool.labels[train], oof)
        for name in list(idx)[1:]:
            test = idx[name]
            y = pool.labels[test]
            p = sigmoid(image_logits(pool, head, test, kind))
            pj = sigmoid(image_logits(pool, head, test, kind_jpeg))
            m, half = binary_metrics(y, p, t), binary_metrics(y, p, 0.5)
            lines.append(
                f"| {mode} | {name} | {len(test)} ({int(y.sum())}) | {m['auc']:.3f} | "
                f"{binary_metrics(y, pj, t)['auc']:.3f} | {t:.3f} | {m['f1']:.3f} / {m['recall']:.3f} / "
                f"{m['precision']:.3f} | {half['f1']:.3f} / {half['recall']:.3f} / {half['precision']:.3f} |"
            )
    table = "\n".join(lines)
    out = ROOT / "runs" / "premise"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"table-{args.candidate.replace(' ', '_')}.md").write_text(table + "\n")
    print(f"candidate: {args.candidate}\n{table}")
    if args.protocol:
        rows = [
            "| pipeline | source folds: mean AUC raw / JPEG q90 | worst fold | held-out families: mean AUC | worst |",
            "|---|---|---|---|---|",
        ] + [protocol(pool, cand0, mode) for mode in MODES]
        (out / f"protocol-{args.candidate.replace(' ', '_')}.md").write_text("\n".join(rows) + "\n")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
