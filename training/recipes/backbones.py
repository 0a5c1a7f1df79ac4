"""Backbone comparison for the default model (docs/experiments.md, "Which backbone"):
EfficientNetV2-B0 from random weights vs EfficientNet-Lite0 from ImageNet weights, same data, same
held-out sources, same budget.

    python -m miwake.training.recipes.backbones --out runs/backbones [--epochs 12] [--crop 192]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .common import DEV_MANIFEST, VAL_SOURCES, lite0_weights

RUNS = {
    "v2b0-random": ["--arch", "tf_efficientnetv2_b0", "--init", "random"],
    "lite0-imagenet": ["--arch", "tf_efficientnet_lite0", "--init", "LITE0"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/backbones")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--crop", type=int, default=192)
    ap.add_argument("--only", nargs="+", choices=sorted(RUNS))
    args = ap.parse_args()
    for name, extra in RUNS.items():
        if args.only and name not in args.only:
            continue
        out = Path(args.out) / name
        extra = [lite0_weights() if a == "LITE0" else a for a in extra]
        cmd = [
            sys.executable,
            "-m",
            "miwake",
            "train",
            "--manifest",
            str(DEV_MANIFEST),
            "--val-sources",
            *VAL_SOURCES,
            "--crop",
            str(args.crop),
            "--epochs",
            str(args.epochs),
            "--out",
            str(out),
            "--id",
            name,
            *extra,
        ]
        if (out / "training" / "checkpoint").exists():
            cmd.append("--resume")
        elif (out / "model.json").exists():
            print(f"{name}: done already ({out})")
            continue
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
