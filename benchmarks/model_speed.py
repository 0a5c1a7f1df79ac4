"""Speed of the detector candidates on this machine: forward-only crops/s and a real `miwake scan`.

    python benchmarks/model_speed.py [--images 12] [--archs miwake_dinov2s_lite2 tf_efficientnet_lite2 ...]

For every architecture a bundle with random weights is made (speed does not depend on the weights) and
imported into a throw-away data folder, then:
  forward : the model alone on ready-made crops (batch 8 on CPU, 64 on CUDA), crops/s
  scan    : `miwake scan FOLDER` as a whole process with default options (evidence on, reuse off) on
            `--images` natural 1-megapixel images (1000 x 1000 centre crops of development images when
            ../shared is there, else generated), minus the same command on an almost empty folder (start-up);
            reported as seconds per megapixel, at the card's tile budget. Both after a first scan with the
            model (its ONNX export and CPU runtime choice, cached for every later scan; reported apart).
Prints one line per architecture and a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARCHS = {  # arch -> (crop, mean/std, tile budget on the card: what the shipped cards of these models say)
    "tf_efficientnetv2_b0": (192, None, None),
    "tf_efficientnet_lite2": (224, (0.5, 0.5, 0.5), 8),
    "miwake_dinov2_s14": (224, None, 8),
    "miwake_dinov2_s14_layers": (224, None, 8),  # dinov2-v2 (a random head reads every block)
    "miwake_dinov2_s14_b6": (224, None, 8),  # dinov2-v3: cut after block 6
    "miwake_dinov2_s14_b6_residual": (224, None, 8),  # the shipped default (v4): blocks 1-6 + noise residual
    "miwake_dinov2s_lite2": (224, None, 8),
}


def make_images(folder: Path, n: int) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    dev = ROOT.parent / "shared" / "data" / "dev"
    picked = []
    if dev.is_dir():
        for p in sorted(dev.rglob("*")):
            if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"):
                try:
                    with Image.open(p) as im:
                        if min(im.size) >= 1000:
                            picked.append(p)
                except OSError:
                    continue
            if len(picked) >= 4 * n:
                break
    rng = np.random.default_rng(0)
    for i in range(n):
        if picked:
            with Image.open(picked[(i * 4) % len(picked)]) as im:
                im = im.convert("RGB")
                left, top = (im.width - 1000) // 2, (im.height - 1000) // 2
                im = im.crop((left, top, left + 1000, top + 1000))
        else:
            im = Image.fromarray(rng.integers(0, 255, (1000, 1000, 3), dtype=np.uint8))
        im.save(folder / f"{i:03d}.jpg", quality=92)


def forward_rate(arch: str, crop: int, seconds: float = 8.0) -> float:
    import torch

    from miwake.core.model_factory import build_model

    model = build_model(arch).eval()
    batch = 64 if torch.cuda.is_available() else 8
    x = torch.randn(batch, 3, crop, crop)
    with torch.inference_mode():
        model(x)
        t0, n = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds:
            model(x)
            n += batch
    return n / (time.perf_counter() - t0)


def make_bundle(arch: str, crop: int, mean_std, max_tiles, dest: Path) -> None:
    from miwake.core.bundle import IMAGENET_MEAN, IMAGENET_STD, ModelCard, save_bundle
    from miwake.core.model_factory import build_model

    mean = std = mean_std
    card = ModelCard(
        id=f"bench-{arch.replace('_', '-')}",
        display_name=arch,
        arch=arch,
        crop_size=crop,
        mean=mean or IMAGENET_MEAN,
        std=std or IMAGENET_STD,
        weights_dtype="float16",
        **({"max_tiles": max_tiles} if max_tiles else {}),
    )
    save_bundle(dest, card, build_model(arch).state_dict())


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=12)
    ap.add_argument("--archs", nargs="*", default=list(ARCHS))
    ap.add_argument("--max-tiles", type=int, default=0, help="pass --max-tiles to the scan (0: the card's default)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        folder, empty = tmpd / "images", tmpd / "empty"
        make_images(folder, args.images)
        empty.mkdir()
        from PIL import Image

        Image.new("RGB", (8, 8)).save(empty / "tiny.png")  # one trivial file: start-up + model load only
        env = {**os.environ, "MIWAKE_DATA_DIR": str(tmpd / "data"), "MIWAKE_CACHE_DIR": str(tmpd / "cache")}
        miwake = [sys.executable, "-m", "miwake"]
        for arch in args.archs:
            crop, mean_std, max_tiles = ARCHS[arch]
            fwd = forward_rate(arch, crop)
            bdir = tmpd / "bundles" / arch
            make_bundle(arch, crop, mean_std, max_tiles, bdir)
            subprocess.run([*miwake, "models", "import", str(bdir)], env=env, check=True, stdout=subprocess.DEVNULL)
            mid = f"bench-{arch.replace('_', '-')}"
            extra = ["--max-tiles", str(args.max_tiles)] if args.max_tiles else []
            # the first scan with a model exports it for ONNX Runtime and measures the CPU runtimes (cached after)
            first = timed([*miwake, "scan", str(empty), "--model", mid, "--no-reuse", "-q", *extra], env)
            base = timed([*miwake, "scan", str(empty), "--model", mid, "--no-reuse", "-q", *extra], env)
            full = timed([*miwake, "scan", str(folder), "--model", mid, "--no-reuse", "-q", *extra], env)
            per_mp = (full - base) / args.images
            rows.append((arch, crop, fwd, per_mp, base, first))
            print(
                f"{arch}: forward {fwd:.1f} crops/s; scan {per_mp:.2f} s per 1-MP image (start-up {base:.1f} s; "
                f"the model's first scan {first:.1f} s)",
                flush=True,
            )
    print(
        "\n| architecture | crop | forward crops/s | `miwake scan` s per 1-MP image | start-up + model load s "
        "| first scan with the model (export, runtime choice) s |"
    )
    print("|---|---|---|---|---|---|")
    for arch, crop, fwd, per_mp, base, first in rows:
        print(f"| {arch} | {crop} | {fwd:.1f} | {per_mp:.2f} | {base:.1f} | {first:.1f} |")


if __name__ == "__main__":
    main()
