"""Issue #23 item 4: can the frozen features say which generator family an AI image came from?

    python -m miwake.training.recipes.attribution [--features runs/features_v3_layers] [--out runs/attribution]

Families with at least three sources in the development pool are the classes. Every source is held out in turn
(all its images, whatever their family): a multinomial logistic regression on the image-mean features of the
other sources' AI images predicts the family of the held-out ones. Reported: top-1 accuracy over those
families, and — with an "unknown" below a confidence `--tau` — the share that get a family and how often that
family is right, plus how often images of the *other* families (not classes) are wrongly given one.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from .common import ROOT
from .crossval import blocks, load_pool

MIN_SOURCES = 3


def attribution(features: Path, c: float = 0.1, taus: tuple[float, ...] = (0.0, 0.5, 0.6, 0.7, 0.8)) -> dict:
    from sklearn.linear_model import LogisticRegression

    pool = load_pool(features)
    x_all = np.nan_to_num(pool.image_means("raw")[:, blocks(1, 12)])
    ai = np.where(pool.labels == 1)[0]
    per_family = {f: {s for s in pool.sources[ai][pool.families[ai] == f]} for f in set(pool.families[ai])}
    classes = sorted(f for f, srcs in per_family.items() if len(srcs) >= MIN_SOURCES)
    is_class = np.isin(pool.families, classes) & (pool.labels == 1)
    prob = np.full((pool.n, len(classes)), np.nan)
    for src in sorted(set(pool.sources[ai])):
        train = np.where(is_class & (pool.sources != src))[0]
        test = np.where((pool.sources == src) & (pool.labels == 1))[0]
        if not len(test) or len(set(pool.families[train])) < len(classes):
            continue
        mu, sd = x_all[train].mean(0), x_all[train].std(0) + 1e-6
        counts = Counter(zip(pool.sources[train], pool.families[train]))
        w = np.array([1.0 / counts[(s, f)] for s, f in zip(pool.sources[train], pool.families[train])])
        clf = LogisticRegression(C=c, max_iter=2000)
        clf.fit((x_all[train] - mu) / sd, pool.families[train], sample_weight=w * len(w) / w.sum())
        prob[test] = clf.predict_proba((x_all[test] - mu) / sd)[:, [list(clf.classes_).index(k) for k in classes]]
    scored = ~np.isnan(prob[:, 0])
    inside = scored & is_class
    outside = scored & ~is_class & (pool.labels == 1)
    top = np.array(classes)[np.nan_to_num(prob).argmax(1)]
    conf = np.nan_to_num(prob).max(1)
    out: dict = {
        "classes": classes,
        "c": c,
        "images_in_classes": int(inside.sum()),
        "images_of_other_families": int(outside.sum()),
        "top1_accuracy": float(np.mean(top[inside] == pool.families[inside])),
        "by_tau": {},
        "per_family": {},
    }
    for tau in taus:
        given = conf >= tau
        out["by_tau"][str(tau)] = {
            "coverage": float(given[inside].mean()),
            "accuracy_when_given": float(np.mean(top[inside & given] == pool.families[inside & given]))
            if (inside & given).any()
            else float("nan"),
            "other_families_given_a_family": float(given[outside].mean()) if outside.any() else float("nan"),
        }
    for f in classes:
        m = inside & (pool.families == f)
        out["per_family"][f] = {"n": int(m.sum()), "top1": float(np.mean(top[m] == f)) if m.any() else float("nan")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_v3_layers"))
    ap.add_argument("--out", default=str(ROOT / "runs" / "attribution"))
    ap.add_argument("--c", type=float, default=0.1)
    args = ap.parse_args()
    r = attribution(Path(args.features), c=args.c)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps(r, indent=1))
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
