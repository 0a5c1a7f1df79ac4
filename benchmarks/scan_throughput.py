"""Scan throughput and memory: the engine vs a naive loop vs the model's forward-only ceiling.

    python benchmarks/scan_throughput.py [--images 200] [--model ID | --arch tf_efficientnetv2_b0 --crop 256]

Generates a folder of JPEG and PNG images (512-2048 px, smooth content + noise, fixed seed), then
measures, each in its own process so that peak RSS is its own:
  engine  : core.scanner.ScanJob with the scorer a scan uses (on a CPU the runtime measured fastest here,
            `core.scorers.load_scorer`;
            thread-pool decode overlapping inference, cross-image batches) on the whole folder and on half of it
            (peak RSS must not grow with the folder)
  naive   : one image at a time: decode, tile, infer each crop alone (NCHW), no batching, no overlap;
            also "naive, 1 fwd per image": the same loop with one forward per image (all its tiles)
  forward : the model alone in PyTorch fp32 on pre-made crops (channels_last, the engine's batch size); also the
            same through the runtime a scan chooses (`core.runtime_choice`): the ceiling a scan is held to
  cli     : `miwake scan FOLDER -q` as users run it (whole process, evidence on, default options, fresh store),
            then again on the unchanged folder (the rescan needs no model), then once more with an empty cache
            (the first scan on a machine, which exports the model for ONNX Runtime)
The naive per-image loop is also timed as a whole process (Python start, imports, model load, the loop), to
compare with `miwake scan` as a process.
The engine runs with evidence reading on, as users run it. Use `--folder` with real photos and AI images (not
the generated ones) for figures that mean something; `--images` must then be the number of files in it.
Prints images/s, crops/s, peak RSS and the ratios. Targets (2-core CPU, issue #13): `miwake scan` >= 90% of
forward-only crops/s and >= 1.1x the naive per-image loop; an unchanged rescan >= 50x faster than the first scan.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_folder(folder: Path, n: int, seed: int = 0) -> None:
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        w, h = (int(v) for v in rng.integers(512, 2049, size=2))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        base = np.stack(
            [128 + 100 * np.sin(xx / rng.uniform(20, 200) + c) * np.cos(yy / rng.uniform(20, 200)) for c in range(3)],
            -1,
        )
        img = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        im = Image.fromarray(img)
        if i % 2:
            im.save(folder / f"{i:04d}.jpg", quality=int(rng.integers(75, 96)))
        else:
            im.save(folder / f"{i:04d}.png", compress_level=1)


def load_bundle(args: argparse.Namespace):
    from miwake.core.bundle import ModelCard, save_bundle
    from miwake.core.model_factory import build_model
    from miwake.core.registry import ModelRegistry

    if args.model:
        return ModelRegistry().get(args.model)
    try:
        return ModelRegistry().get("default")
    except Exception:
        pass
    import torch

    torch.manual_seed(0)
    folder = Path(tempfile.gettempdir()) / f"miwake-bench-{args.arch}-{args.crop}"
    card = ModelCard(id="bench", display_name="benchmark (random weights)", arch=args.arch, crop_size=args.crop)
    return save_bundle(folder, card, build_model(args.arch).state_dict())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(args: argparse.Namespace) -> dict:
    import torch

    from miwake.core.detector import Detector
    from miwake.core.imaging import decode_image
    from miwake.core.preprocess import make_inputs
    from miwake.core.scan_options import ScanOptions
    from miwake.core.scanner import ScanJob
    from miwake.core.scorers import load_scorer

    bundle = load_bundle(args)
    device = "cpu" if args.cpu else "auto"
    # the engine and "forward-runtime" run what a scan runs (ONNX Runtime on a CPU); the naive loops and
    # "forward" run the model in PyTorch
    det = load_scorer(bundle, device) if args.worker in ("engine", "forward-runtime") else Detector(bundle, device)
    if args.worker == "forward-runtime" and hasattr(det, "wait"):
        det.wait()  # a PyTorch choice starts on ONNX Runtime while it loads: time the runtime chosen
    batch = args.batch or det.default_batch_size
    files = sorted(Path(args.folder).iterdir())[: args.limit or None]
    warm = np.zeros((batch, bundle.card.crop_size, bundle.card.crop_size, 3), np.uint8)
    t = time.perf_counter()
    for _ in range(3):  # warm-up (allocator, oneDNN kernels) for every mode alike
        det.logits(warm)
    out: dict = {
        "mode": args.worker,
        "images": len(files),
        "device": det.device.description,
        "batch": batch,
        "warmup_seconds": time.perf_counter() - t,
    }
    t = time.perf_counter()
    if args.worker == "engine":
        from miwake.core.evidence import EVIDENCE_VERSION, read_evidence

        # as users run it: evidence on (metadata, C2PA, watermark), the default options
        job = ScanJob(
            [str(f) for f in files],
            det,
            options=ScanOptions(batch_size=batch),
            evidence_reader=read_evidence,
            evidence_version=EVIDENCE_VERSION,
        )
        summary = job.run()
        out["crops"] = None
        assert summary.errors == 0 and summary.scored == len(files), summary
    elif args.worker in ("naive", "per-image"):
        assert isinstance(det, Detector)
        # plain NCHW model, one image at a time, nothing overlapped; "naive" runs one crop per forward
        # (no batching), "per-image" one forward per image with all of its tiles
        model = det.model.to(memory_format=torch.contiguous_format)
        mean, std = det._mean, det._std
        step = 1 if args.worker == "naive" else batch
        crops = 0
        for f in files:
            img = decode_image(f)
            tiles, _ = make_inputs(img.rgb, bundle.card)
            with torch.inference_mode():
                x = torch.from_numpy(tiles).permute(0, 3, 1, 2).float().contiguous()
                for i in range(0, len(x), step):
                    model((x[i : i + step] - mean) / std)
            crops += len(tiles)
        out["crops"] = crops
    else:  # forward-only on pre-made crops
        n = args.forward_crops
        crops_arr = np.random.default_rng(0).integers(
            0, 256, (batch, bundle.card.crop_size, bundle.card.crop_size, 3), dtype=np.uint8
        )
        done = 0
        while done < n:
            det.logits(crops_arr)
            done += batch
        out["crops"] = done
    out["seconds"] = time.perf_counter() - t
    out["peak_rss_mb"] = peak_rss_mb()
    return out


PEAK_OF_CHILD = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print('PEAK_MB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
)


def run_cli(args: argparse.Namespace, folder: Path) -> dict:
    """`miwake scan FOLDER -q` as a user runs it: a whole process (imports, model load), evidence on, a fresh store."""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "MIWAKE_DATA_DIR": data}
        # a parent of its own reports the scan's peak RSS (ours would be the largest of every worker so far)
        cmd = [sys.executable, "-c", PEAK_OF_CHILD, sys.executable, "-m", "miwake", "scan", str(folder), "-q"]
        if args.model:
            cmd += ["--model", args.model]
        if args.cpu:
            cmd += ["--device", "cpu"]
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT)
        first = time.perf_counter() - t
        rss = float(r.stdout.strip().splitlines()[-1].split()[-1])
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT)  # unchanged: all reused
        again = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as cache:
        # the very first scan on this machine: no ONNX export cached yet (it is made, then used)
        env = {**os.environ, "MIWAKE_DATA_DIR": data, "MIWAKE_CACHE_DIR": cache}
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT)
        first_ever = time.perf_counter() - t
    return {"seconds": first, "rescan_seconds": again, "first_ever_seconds": first_ever, "peak_rss_mb": rss}


def count_crops(folder: Path, bundle, limit: int | None) -> int:
    from PIL import Image

    from miwake.core.tiling import plan_tiles

    total = 0
    from miwake.core.preprocess import tile_budget

    for f in sorted(folder.iterdir())[: limit or None]:
        with Image.open(f) as im:
            total += plan_tiles(*im.size, bundle.card.crop_size, max_tiles=tile_budget(bundle.card, None)).count
    return total


def run_worker(mode: str, args: argparse.Namespace, folder: Path, limit: int | None = None) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        mode,
        "--folder",
        str(folder),
        "--arch",
        args.arch,
        "--crop",
        str(args.crop),
        "--forward-crops",
        str(args.forward_crops),
    ]
    if args.model:
        cmd += ["--model", args.model]
    if args.batch:
        cmd += ["--batch", str(args.batch)]
    if args.cpu:
        cmd.append("--cpu")
    if limit:
        cmd += ["--limit", str(limit)]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(r.stdout.strip().splitlines()[-1])
    # the worker as a whole process (Python start, imports, model load, the loop), less its warm-up
    out["process_seconds"] = time.perf_counter() - t - out["warmup_seconds"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--model", help="installed model id (default: the bundled default, else a random --arch)")
    ap.add_argument("--arch", default="tf_efficientnetv2_b0")
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--cpu", action="store_true", help="force the CPU even when a GPU is present")
    ap.add_argument("--folder", help="use/keep this folder (generated if empty)")
    ap.add_argument("--forward-crops", type=int, default=1024)
    ap.add_argument(
        "--worker", choices=["engine", "naive", "per-image", "forward", "forward-runtime"], help=argparse.SUPPRESS
    )
    ap.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return

    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="miwake-bench-"))
    if not any(folder.glob("*")) if folder.exists() else True:
        t = time.perf_counter()
        make_folder(folder, args.images)
        print(f"generated {args.images} images in {folder} ({time.perf_counter() - t:.0f} s)")
    bundle = load_bundle(args)
    crops = count_crops(folder, bundle, None)
    print(
        f"model {bundle.card.id} ({bundle.card.arch}, crop {bundle.card.crop_size}), {crops} crops in {args.images} images"
    )

    fwd = run_worker("forward", args, folder)
    fwd_rt = run_worker("forward-runtime", args, folder)
    half = run_worker("engine", args, folder, limit=args.images // 2)
    eng = run_worker("engine", args, folder)
    naive = run_worker("naive", args, folder)
    per_image = run_worker("per-image", args, folder)
    cli = run_cli(args, folder)
    fwd_cps = fwd["crops"] / fwd["seconds"]
    rows = [
        ("forward-only (PyTorch)", fwd_cps, None, fwd["peak_rss_mb"]),
        ("forward-only (chosen)", fwd_rt["crops"] / fwd_rt["seconds"], None, fwd_rt["peak_rss_mb"]),
        (
            f"engine ({half['images']} images)",
            crops * half["images"] / args.images / half["seconds"],
            half["images"] / half["seconds"],
            half["peak_rss_mb"],
        ),
        (
            f"engine ({eng['images']} images)",
            crops / eng["seconds"],
            eng["images"] / eng["seconds"],
            eng["peak_rss_mb"],
        ),
        (
            f"naive ({naive['images']} images)",
            crops / naive["seconds"],
            naive["images"] / naive["seconds"],
            naive["peak_rss_mb"],
        ),
        (
            "naive, 1 fwd per image",
            crops / per_image["seconds"],
            per_image["images"] / per_image["seconds"],
            per_image["peak_rss_mb"],
        ),
        ("miwake scan (process)", crops / cli["seconds"], args.images / cli["seconds"], cli["peak_rss_mb"]),
        (
            "  first ever (exports)",
            crops / cli["first_ever_seconds"],
            args.images / cli["first_ever_seconds"],
            float("nan"),
        ),
        (
            "naive 1/image (process)",
            crops / per_image["process_seconds"],
            per_image["images"] / per_image["process_seconds"],
            per_image["peak_rss_mb"],
        ),
    ]
    print(f"\nchosen runtime: {fwd_rt['device']}")
    print(
        f"device: {eng['device']}, batch {eng['batch']}, torch threads {os.environ.get('OMP_NUM_THREADS', 'default')}"
    )
    print(f"{'':24} {'crops/s':>9} {'images/s':>9} {'peak RSS MB':>12}")
    for name, cps, ips, rss in rows:
        print(f"{name:24} {cps:9.1f} {ips if ips is not None else float('nan'):9.2f} {rss:12.0f}")
    eng_cps = crops / eng["seconds"]
    print(f"\nengine / naive          = {naive['seconds'] / eng['seconds']:.2f}x   (target >= 2x)")
    print(f"engine / naive per-image= {per_image['seconds'] / eng['seconds']:.2f}x")
    print(f"engine / forward-only   = {eng_cps / fwd_cps:.0%}   (target >= 90%)")
    print(
        f"peak RSS {half['images']} -> {eng['images']} images: {half['peak_rss_mb']:.0f} -> {eng['peak_rss_mb']:.0f} MB"
    )
    print(
        f"miwake scan / naive per-image, whole processes = {per_image['process_seconds'] / cli['seconds']:.2f}x   "
        f"(target >= 1.1x)"
    )
    print(f"miwake scan (process) / naive per-image loop alone = {per_image['seconds'] / cli['seconds']:.2f}x")
    print(
        f"miwake scan / forward-only = {crops / cli['seconds'] / fwd_cps:.0%} of PyTorch's   (target >= 90%), "
        f"{crops / cli['seconds'] / (fwd_rt['crops'] / fwd_rt['seconds']):.0%} of the chosen runtime's"
    )
    print(
        f"rescan of the unchanged folder: {cli['rescan_seconds']:.2f} s vs {cli['seconds']:.1f} s "
        f"= {cli['seconds'] / cli['rescan_seconds']:.0f}x faster   (target >= 50x)"
    )


if __name__ == "__main__":
    main()
