"""How the held-out-source AUC grows with the number of training sources (issue #23: is data the lever?).

    python -m miwake.training.recipes.learning_curve --features runs/features_b6 --with runs/features_forensic

On the protocol's 5 grouped source folds (the same test sources as every candidate), a candidate (default: the
default v4's, blocks 1-6 + the residual head, averaged) is fitted on a random share of each fold's training
sources — the same share of the human-made and of the AI sources, whole sources only — and scored on the fold's
test sources. If the AUC still climbs at the full pool, more sources are worth more than another model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..crossval import Candidate, Pool, image_logits, source_folds
from ..metrics import _safe_auc
from .common import ROOT
from .crossval import load_pool, v4_candidate


def source_subset(pool: Pool, train: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """The images of `share` of `train`'s sources of each class (at least one source per class)."""
    keep = []
    for cls in (0, 1):
        srcs = np.unique(pool.sources[train][pool.labels[train] == cls])
        n = max(1, round(share * len(srcs)))
        keep += list(rng.choice(srcs, n, replace=False))
    return train[np.isin(pool.sources[train], keep)]


def curve(pool: Pool, cand: Candidate, shares: list[float], repeats: int, seed: int = 0) -> list[dict[str, float]]:
    """Per share: the mean number of training sources and the mean (over folds and repeats) AUC of raw files."""
    rng = np.random.default_rng(seed)
    folds = source_folds(pool.labels, pool.sources)
    out = []
    for share in shares:
        aucs, n_src = [], []
        for _ in range(1 if share >= 1 else repeats):
            for test in folds:
                train = source_subset(pool, np.setdiff1d(np.arange(pool.n), test), share, rng)
                head = cand.fit(pool, train)
                aucs.append(_safe_auc(pool.labels[test], image_logits(pool, head, test, "raw")))
                n_src.append(len(np.unique(pool.sources[train])))
        row = {"share": share, "sources": float(np.mean(n_src)), "auc": float(np.mean(aucs))}
        row["auc_sd_over_repeats_and_folds"] = float(np.std(aucs))
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_b6"))
    ap.add_argument("--with", dest="beside", default=str(ROOT / "runs" / "features_forensic"))
    ap.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    ap.add_argument("--repeats", type=int, default=3, help="random source subsets per share below 1")
    ap.add_argument("--out", default=str(ROOT / "runs" / "learning_curve.json"))
    args = ap.parse_args()
    meta = json.loads((Path(args.features) / "meta.json").read_text())
    pool = load_pool(Path(args.features), [Path(args.beside)])
    cand = v4_candidate(meta, pool)
    rows = curve(pool, cand, args.shares, args.repeats)
    Path(args.out).write_text(json.dumps({"candidate": cand.name, "rows": rows}, indent=1))
    print("| training sources (share) | mean source-fold AUC raw |\n|---|---|")
    for r in rows:
        print(f"| {r['sources']:.1f} ({r['share']:.0%}) | {r['auc']:.3f} |")


if __name__ == "__main__":
    main()
