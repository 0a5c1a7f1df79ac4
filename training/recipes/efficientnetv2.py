"""Rebuild the bundled EfficientNetV2-B0 model (the first default, kept selectable beside the new one).

    python -m miwake.training.recipes.efficientnetv2                 # train (resumable), install into resources/models/efficientnetv2-b0
    python -m miwake.training.recipes.efficientnetv2 --from-run DIR  # only package an existing run

The development set is expected beside the checkout (../shared/data/dev, or MIWAKE_DEV_DATA). Training
holds out whole sources (common.VAL_SOURCES); the card's figures are measured on them with full-image
tiling, as files are and re-encoded as JPEG q90.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from miwake.core.bundle import read_bundle, save_bundle

from .common import DEV_MANIFEST, ROOT, VAL_SOURCES

# The settings of the first default (docs/experiments.md explains the choice; the data then was the first pool).
MODEL_ID = "efficientnetv2-b0"
ARCH = "tf_efficientnetv2_b0"
CROP = 192
TRAIN_ARGS = [
    "--arch",
    ARCH,
    "--init",
    "random",
    "--crop",
    str(CROP),
    "--epochs",
    "20",
    "--patience",
    "6",
    "--val-tiles",
    "8",
    "--seed",
    "0",
]

NOT_SEEN = [
    "SDXL",
    "Stable Diffusion 3",
    "Flux",
    "Midjourney",
    "DALL-E 2/3",
    "Imagen",
    "Adobe Firefly",
    "GAN generators (StyleGAN etc.)",
    "video generators",
    "heavily edited, upscaled or screenshot AI images",
]

DESCRIPTION = (
    "Miwake's EfficientNetV2 detector (the first default): EfficientNetV2-B0 trained from scratch on native-resolution {crop}px crops of "
    "Stable Diffusion 1.x outputs (mostly SD 1.5 fine-tunes), a few earlier diffusion generators, and human-made "
    "photos, paintings, drawings and game art, with format-blind re-encoding. Validated on whole sources it was not "
    "trained on (SD 1.x InvokeAI samples, SD 2.x Stability samples, photos, painted and drawn art). It has not seen: "
    "{not_seen}. A score is a hint, not proof; retrain it on your own domain with the Retrain wizard."
)


NOT_SEEN_JA = [  # NOT_SEEN in Japanese, item by item: the product names stay as they are
    *NOT_SEEN[:7],
    "GAN 生成器（StyleGAN など）",
    "動画生成器",
    "大きく編集・アップスケール・スクリーンショットされた AI 画像",
]

DESCRIPTION_JA = (
    "Miwake の EfficientNetV2 判定モデル（最初の標準モデル）：EfficientNetV2-B0 を、縮小しないネイティブ解像度の {crop}px "
    "切り出しでゼロから学習。学習データは Stable Diffusion 1.x の出力（主に SD 1.5 の派生モデル）、それ以前の拡散モデル"
    "少数、人が作った写真・絵画・ドローイング・ゲームアートで、形式に依存しない再エンコードを施しています。学習に使わなかった"
    "ソース（SD 1.x の InvokeAI サンプル、SD 2.x の Stability サンプル、写真、絵画、ドローイング）で検証。学習していない"
    "もの：{not_seen}。スコアは手がかりであって証拠ではありません。自分の分野の画像で「再学習」ウィザードから学習し直せます。"
)


def package(run: Path, dest: Path) -> None:
    """Write `run`'s bundle as the bundled EfficientNetV2 model, with what it has not seen on its card."""
    b = read_bundle(run)
    training = dict(b.card.training)
    training["not_seen"] = NOT_SEEN
    training["recipe"] = "python -m miwake.training.recipes.efficientnetv2"
    card = b.card.with_(
        id=MODEL_ID,
        display_name=f"Miwake EfficientNetV2-B0 ({b.card.crop_size}px crops, trained from scratch; the first default)",
        description=DESCRIPTION.format(crop=b.card.crop_size, not_seen=", ".join(NOT_SEEN)),
        translations={
            "ja": {
                "display_name": f"Miwake EfficientNetV2-B0（{b.card.crop_size}px 切り出し、ゼロから学習、最初の標準モデル）",
                "description": DESCRIPTION_JA.format(crop=b.card.crop_size, not_seen="、".join(NOT_SEEN_JA)),
            }
        },
        license="MIT (weights trained by the Miwake project on the images credited in its development set)",
        training=training,
        weights_dtype="float16",
        created="",
    )
    dest.mkdir(parents=True, exist_ok=True)
    out = save_bundle(dest, card, b.load_state_dict())
    size = (dest / "model.safetensors").stat().st_size
    print(f"{MODEL_ID} written to {out.path} ({size / 1e6:.1f} MB, sha256 {out.card.weights_sha256[:16]}…)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "runs" / "v2b0-r2"), help="training run folder")
    ap.add_argument("--from-run", help="package this finished run instead of training")
    ap.add_argument("--dest", default=str(ROOT / "resources" / "models" / MODEL_ID))
    args = ap.parse_args()
    run = Path(args.from_run or args.out)
    if not args.from_run and not (run / "model.json").exists():
        cmd = [
            sys.executable,
            "-m",
            "miwake",
            "train",
            "--manifest",
            str(DEV_MANIFEST),
            "--val-sources",
            *VAL_SOURCES,
            *TRAIN_ARGS,
            "--out",
            str(run),
            "--id",
            MODEL_ID,
        ]
        if (run / "training" / "checkpoint").exists():
            cmd.append("--resume")
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    package(run, Path(args.dest))


if __name__ == "__main__":
    main()
