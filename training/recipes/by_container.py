"""Does a candidate read the file type? Out-of-fold AUC within each container, and mean scores per class.

    python -m miwake.training.recipes.by_container --features runs/features_b6 \
        --crossval runs/crossval_b6_residual_noinner

Real and AI files differ in container and compression; a detector that learned "JPEG = human" would rank well
over the pool and badly inside one container, and would move AI images towards human when they are re-encoded.
Reads a ``training.recipes.crossval`` run (its out-of-fold scores) and the feature store it ran on (the paths).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..metrics import _safe_auc
from .crossval import load_pool

CONTAINERS = (".jpg", ".png", ".webp")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", required=True)
    ap.add_argument("--crossval", required=True, help="a crossval --out folder (results.json)")
    args = ap.parse_args()
    pool = load_pool(Path(args.features))
    assert pool.paths is not None
    ext = np.array([Path(p).suffix.lower().replace(".jpeg", ".jpg") for p in pool.paths])
    y, ai = pool.labels, pool.labels == 1
    print(
        "| candidate | "
        + " | ".join(f"AUC {c} (n, AI)" for c in CONTAINERS)
        + " | human p JPEG / PNG | AI PNG p raw -> q90 |"
    )
    print("|---" * (len(CONTAINERS) + 3) + "|")
    for r in json.loads((Path(args.crossval) / "results.json").read_text()):
        p, pj = np.asarray(r["oof"]["raw"]), np.asarray(r["oof"]["jpeg90"])
        cells = [
            f"{_safe_auc(y[ext == c], p[ext == c]):.3f} ({(ext == c).sum()}, {y[ext == c].sum()})" for c in CONTAINERS
        ]
        hu = f"{p[~ai & (ext == '.jpg')].mean():.2f} / {p[~ai & (ext == '.png')].mean():.2f}"
        png_ai = ai & (ext == ".png")
        print(
            f"| {r['candidate']} | "
            + " | ".join(cells)
            + f" | {hu} | {p[png_ai].mean():.2f} -> {pj[png_ai].mean():.2f} |"
        )


if __name__ == "__main__":
    main()
