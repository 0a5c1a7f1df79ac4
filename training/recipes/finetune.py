"""Partial fine-tuning of DINOv2's last block, measured on the leave-sources-out protocol (issue #23).

    python -m miwake.training.recipes.features --layers --blocks 6 --tokens-after 5 --out runs/features_b6t
    python -m miwake.training.recipes.features --forensic --out runs/features_forensic
    python -m miwake.training.recipes.finetune --features runs/features_b6t --with runs/features_forensic

For every split of the protocol (the 5 grouped source folds, then leave-one-family-out; ``--only`` picks
some), on the same folds as every earlier candidate: the linear probe of blocks 1-6 (what the default v4
ships, its DINOv2 half) and the same probe with block 6 fine-tuned on the cached tokens
(``training.token_finetune``, LP-FT), each alone and averaged with the noise-residual head as v4 does. AUC of the
files as they are and after JPEG q90 (the 0.5x view keeps no tokens). Each finished split is saved at once; a
restarted run skips it (same settings).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..crossval import TRAIN_KINDS, Pool, family_folds, source_folds
from ..features import FeatureStore
from ..metrics import _safe_auc
from ..probe import fit_head
from ..token_finetune import CachedTokens, FinetuneConfig, Rows, crop_logits, finetune, image_mean, linear_probe
from .common import ROOT
from .crossval import load_pool

EVAL = ("raw", "jpeg90")


def splits(pool: Pool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (train images, test images): the protocol's source folds, then its family folds."""
    out = {}
    for i, test in enumerate(source_folds(pool.labels, pool.sources)):
        out[f"source fold {i}"] = (np.setdiff1d(np.arange(pool.n), test), test)
    for fam, (train, test) in family_folds(pool).items():
        out[f"without {fam}"] = (train, test)
    return out


def rows_of(pool: Pool, images: np.ndarray, kinds: tuple[str, ...], cols: slice) -> Rows:
    keep = pool.row_index(images, kinds)
    img = pool.image[keep]
    return Rows(keep, pool.feats[keep][:, cols], pool.labels[img], pool.sources[img], img)


def run_split(
    pool: Pool,
    tokens: CachedTokens,
    vit: Any,
    train: np.ndarray,
    test: np.ndarray,
    *,
    dims: int,
    first: int,
    cfg: FinetuneConfig,
) -> dict[str, Any]:
    """AUCs of the probe and the fine-tuned model on one split, alone and averaged with the residual head."""
    cols = slice(0, dims)
    frozen = 768 * first
    tr = rows_of(pool, train, TRAIN_KINDS, cols)
    y = pool.labels[test]
    residual = fit_head(*pool.rows(train, slice(dims, pool.feats.shape[1])), c=0.1)
    out: dict[str, Any] = {"n": int(len(test)), "n_ai": int(y.sum())}
    t0 = time.time()
    probe = linear_probe(tr, cfg.c)
    out["probe_fit_s"] = round(time.time() - t0, 1)
    for name, epochs in (("probe", 0), ("finetuned", cfg.epochs)):
        t0 = time.time()
        model = finetune(vit, first, frozen, tr, tokens, replace(cfg, epochs=epochs), probe=probe)
        out[f"{name}_s"] = round(time.time() - t0, 1)
        for kind in EVAL:
            te = rows_of(pool, test, (kind,), cols)
            z = image_mean(crop_logits(model, frozen, te, tokens), te.image, test)
            zr = residual.logits(np.nan_to_num(pool.image_means(kind)[test][:, dims:]))
            out[f"{name}_{kind}"] = _safe_auc(y, z)
            out[f"{name}+residual_{kind}"] = _safe_auc(y, (z + zr) / 2)
    return out


def table(results: dict[str, dict[str, Any]]) -> str:
    keys = [f"{m}_{k}" for m in ("probe", "finetuned", "probe+residual", "finetuned+residual") for k in EVAL]
    lines = ["| split | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name, r in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{r[k]:.3f}" for k in keys) + " |")
    for part in ("source", "without"):
        rs = [r for n, r in results.items() if n.startswith(part)]
        if rs:
            label = "mean, source folds" if part == "source" else "mean, families"
            lines.append(f"| {label} | " + " | ".join(f"{np.nanmean([r[k] for r in rs]):.3f}" for k in keys) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_b6t"))
    ap.add_argument("--with", dest="beside", default=str(ROOT / "runs" / "features_forensic"))
    ap.add_argument("--out", default=str(ROOT / "runs" / "finetune"))
    ap.add_argument("--only", nargs="*", help="split names (e.g. 'source fold 0' 'without gan'); default: all")
    ap.add_argument("--epochs", type=int, default=FinetuneConfig.epochs)
    ap.add_argument("--lr", type=float, default=FinetuneConfig.lr)
    ap.add_argument("--head-lr", type=float, default=FinetuneConfig.head_lr)
    ap.add_argument("--c", type=float, default=FinetuneConfig.c, help="the linear probe's regularisation")
    ap.add_argument("--crops-per-image", type=int, default=FinetuneConfig.crops_per_image)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    import torch

    from miwake.core.archs import DinoV2LayersProbe

    from ..pretrained import init_probe_backbones
    from .features import ensure_pretrained

    if args.threads:
        torch.set_num_threads(args.threads)
    store = FeatureStore(Path(args.features))
    meta = json.loads((store.root / "meta.json").read_text())
    first = meta.get("tokens_after")
    if not first:
        raise SystemExit(f"{store.root} keeps no tokens: extract it with features --layers --tokens-after N")
    depth = len(meta["dims"])
    pool = load_pool(store.root, [Path(args.beside)])
    tokens = CachedTokens(store.load_tokens(), len(pool.image))
    model = DinoV2LayersProbe(depth=depth)
    init_probe_backbones(model, ensure_pretrained())
    cfg = FinetuneConfig(
        epochs=args.epochs, lr=args.lr, head_lr=args.head_lr, crops_per_image=args.crops_per_image, c=args.c
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = out / "results.json"
    settings = {"config": asdict(cfg), "features": str(store.root), "first": first, "depth": depth}
    state = json.loads(saved.read_text()) if saved.exists() else {}
    if state.get("settings") != settings:
        state = {"settings": settings, "splits": {}}
    for name, (train, test) in splits(pool).items():
        if (args.only and name not in args.only) or name in state["splits"]:
            continue
        t0 = time.time()
        print(f"{name}: {len(train)} training images, {len(test)} test images", flush=True)
        r = run_split(pool, tokens, model.dino, train, test, dims=768 * depth, first=first, cfg=cfg)
        r["seconds"] = round(time.time() - t0, 1)
        state["splits"][name] = r
        saved.write_text(json.dumps(state, indent=1))
        print(f"{name}: {json.dumps(r)}", flush=True)
    md = table(state["splits"])
    (out / "table.md").write_text(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
