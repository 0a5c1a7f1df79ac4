"""Does a pooling of crop scores beat the mean through the signal, or through how many crops an image has?

    python -m miwake.training.recipes.crop_count [--features runs/features_b6 --with runs/features_forensic]

Noisy-or and the max grow with the number of crops, and the number of crops follows the image's size, which
follows the source: in pool v3 most AI files are large enough for the full set of scan tiles, far fewer human
ones. So every protocol run shows noisy-or above the mean. Here v4's candidate is refitted on each source fold
and its held-out images are scored three ways — all of them; only those with the full set of tiles; every image
through the same number of random tiles — with the mean logit and with each other pooling. A pooling that only
reads the count falls back to the mean's AUC where the count is the same for every image.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..crossval import POOLINGS, Candidate, Pool, pooled_logits, source_folds
from ..features import KINDS
from ..metrics import _safe_auc
from .common import ROOT
from .crossval import load_pool, v4_candidate


def fewer_tiles(pool: Pool, k: int, seed: int = 0, kind: str = "raw") -> Pool:
    """`pool` with at most `k` random crops of `kind` per image (the other kinds' crops all kept)."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(np.flatnonzero(pool.kind == KINDS.index(kind)))
    rows = rows[np.argsort(pool.image[rows], kind="stable")]  # grouped by image, in random order within
    owner = pool.image[rows]
    rank = np.arange(len(rows)) - np.searchsorted(owner, owner)  # place within the image's group
    keep = np.ones(len(pool.kind), bool)
    keep[rows[rank >= k]] = False
    return Pool(
        pool.feats[keep], pool.image[keep], pool.kind[keep], pool.labels, pool.sources, pool.families, pool.paths
    )


def compare(pool: Pool, cand: Candidate, k: int = 2, seed: int = 0) -> tuple[dict[str, dict[str, float]], np.ndarray]:
    """(mean source-fold AUC (raw files) of every pooling: over all images, over the images with the most tiles,
    and with `k` random tiles of each image; every image's out-of-fold mean logit)."""
    raw = pool.kind == KINDS.index("raw")
    tiles = np.bincount(pool.image[raw], minlength=pool.n)
    few = fewer_tiles(pool, k, seed)
    out: dict[str, list[float]] = {}
    oof = np.full(pool.n, np.nan)
    for test in source_folds(pool.labels, pool.sources, 5, 0):
        head = cand.fit(pool, np.setdiff1d(np.arange(pool.n), test))
        full = test[tiles[test] == tiles.max()]
        for how in POOLINGS:
            for name, p, images in (
                ("all images", pool, test),
                ("full tiles only", pool, full),
                (f"{k} tiles", few, test),
            ):
                z = pooled_logits(p, head, images, "raw", how)
                if (name, how) == ("all images", "mean"):
                    oof[test] = z  # what a scan gives each held-out image
                auc = _safe_auc(pool.labels[images], z)
                out.setdefault(f"{name}|{how}", []).append(auc)
    table: dict[str, dict[str, float]] = {}
    for key, v in out.items():
        name, how = key.split("|")
        table.setdefault(name, {})[how] = float(np.nanmean(v))
    return table, oof


def most_decided(y: np.ndarray, z: np.ndarray, precision: float = 0.95) -> tuple[int, int]:
    """(AI verdicts, human verdicts) of the band that decides the most images with each verdict right at least
    `precision` of the time *on these scores* (an upper bound: the band is chosen on the images it is scored on)."""
    counts = []
    for label, order in ((1, np.argsort(-z, kind="stable")), (0, np.argsort(z, kind="stable"))):
        right = np.cumsum(y[order] == label) / np.arange(1, len(z) + 1)
        ok = np.flatnonzero(right >= precision)
        counts.append(int(ok.max()) + 1 if len(ok) else 0)
    return counts[0], counts[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_b6"))
    ap.add_argument("--with", dest="beside", default=str(ROOT / "runs" / "features_forensic"))
    ap.add_argument("--tiles", type=int, default=2)
    args = ap.parse_args()
    meta: dict[str, Any] = json.loads((Path(args.features) / "meta.json").read_text())
    pool = load_pool(Path(args.features), [Path(args.beside)])
    cand = v4_candidate(meta, pool)
    raw = pool.kind == KINDS.index("raw")
    tiles = np.bincount(pool.image[raw], minlength=pool.n)
    for label, name in ((1, "AI"), (0, "human")):
        sel = pool.labels == label
        print(f"{name}: {int((tiles[sel] == tiles.max()).sum())} of {int(sel.sum())} images have {tiles.max()} tiles")
    table, oof = compare(pool, cand, args.tiles)
    print("\n| images | " + " | ".join(POOLINGS) + " |")
    print("|---" * (len(POOLINGS) + 1) + "|")
    for name, row in table.items():
        print(f"| {name} | " + " | ".join(f"{row[h]:.3f}" for h in POOLINGS) + " |")

    has = ~np.isnan(oof)
    print(
        "\nThe most images a band could decide at 95 % right per verdict, chosen on the out-of-fold scores themselves:"
    )
    groups = {"one band for all": has, f"{tiles.max()} tiles": has & (tiles == tiles.max())}
    groups["fewer tiles"] = has & (tiles < tiles.max())
    for name, sel in groups.items():
        ai, human = most_decided(pool.labels[sel], oof[sel])
        print(
            f"| {name} | {int(sel.sum())} images | {ai} AI + {human} human verdicts | {(ai + human) / sel.sum():.1%} |"
        )


if __name__ == "__main__":
    main()
