"""`miwake generate`: Stable Diffusion training images, or VAE reconstructions of real ones, from the command line.

Importing this module is cheap (no torch/diffusers) so `miwake --help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from .generate_errors import GenerateUsageError
from .sd_prompts import list_presets

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PARTIAL = 0, 1
_TXT2IMG_ONLY = (
    "prompts",
    "size",
    "steps",
    "guidance",
    "seed",
    "negative",
    "safety_checker",
    "attention_slicing",
    "vae_slicing",
    "cpu_offload",
    "batch",
    "prediction_type",
)


def _size(text: str) -> tuple[int, int]:
    try:
        w, _, h = text.lower().partition("x")
        return int(w), int(h or w)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 768x512 (or 512)") from None


def add_generate_parser(sub: Any) -> None:
    p = sub.add_parser(
        "generate",
        help="make AI images with Stable Diffusion (or VAE reconstructions of real images) to train a detector",
        description="Make AI images with Stable Diffusion 1.x/2.x/SDXL for detector training. Resumable: run the "
        "same command again to continue; finished images are skipped. With --reconstruct REAL_DIR, pass your own "
        "real images through the model's VAE instead (same content, the generator's decoder traces).",
    )
    p.add_argument(
        "--model",
        required=True,
        metavar="HUB_ID_OR_PATH",
        help="Hugging Face id, diffusers folder, or single .safetensors checkpoint (pickles are refused)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (PNG + JSON sidecar per image)")
    p.add_argument("--reconstruct", metavar="REAL_DIR", help="reconstruct the images in REAL_DIR with the model's VAE")
    p.add_argument(
        "--prompts",
        metavar="PRESET_OR_FILE",
        help=f"a preset ({', '.join(list_presets())}) or a text file, one prompt per line (default: landscape)",
    )
    p.add_argument("--count", type=int, metavar="N", help="images to make (default 100); with --reconstruct: at most N")
    p.add_argument(
        "--size", type=_size, metavar="WxH", help="image size, multiples of 8 (default: 512 SD 1, 768 SD 2, 1024 SDXL)"
    )
    p.add_argument("--steps", type=int, default=30, metavar="N", help="denoising steps (default 30)")
    p.add_argument("--guidance", type=float, metavar="X", help="classifier-free guidance (default 7.5; 5 for SDXL)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="image i uses seed S+i (default 0)")
    p.add_argument("--negative", metavar="TEXT", help="negative prompt (default: the preset's; '' for none)")
    p.add_argument(
        "--device", default="auto", choices=["auto", "cpu", "cuda", "mps"], help="compute device (default: auto)"
    )
    p.add_argument("--safety-checker", action="store_true", help="drop images the SD safety checker flags (SD 1.x/2.x)")
    p.add_argument("--attention-slicing", action="store_true", help="less GPU memory, a little slower")
    p.add_argument("--vae-slicing", action="store_true", help="decode a batch one image at a time (less GPU memory)")
    p.add_argument("--cpu-offload", action="store_true", help="keep idle model parts in RAM (small GPUs)")
    p.add_argument("--batch", type=int, default=1, metavar="N", help="images per pipeline call (default 1)")
    p.add_argument(
        "--prediction-type",
        choices=["auto", "epsilon", "v_prediction"],
        default="auto",
        help="override the scheduler's prediction type (SD 2 512 'base' checkpoints: epsilon)",
    )
    p.add_argument("--offline", action="store_true", help="never download; use only the local Hugging Face cache")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_generate)


def _generate_config(args: argparse.Namespace) -> Any:
    """The text-to-image job the command line asks for."""
    from .generate import GenerateConfig

    w, h = args.size or (None, None)
    return GenerateConfig(
        model=args.model,
        out_dir=Path(args.out),
        prompts=args.prompts or "landscape",
        count=args.count or 100,
        width=w,
        height=h,
        steps=args.steps,
        guidance=args.guidance,
        seed=args.seed,
        negative=args.negative,
        device=args.device,
        safety_checker=args.safety_checker,
        attention_slicing=args.attention_slicing,
        vae_slicing=args.vae_slicing,
        cpu_offload=args.cpu_offload,
        batch_size=args.batch,
        prediction_type=args.prediction_type,
        allow_download=not args.offline,
    )


class GenerateConsole:
    """A generation's events on the terminal: what runs where, then a progress bar with the rate and errors."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __call__(self, ev: Any) -> None:
        from tqdm import tqdm

        from .generate import GenerateProgress, GenerateStarted, StepProgress

        if self.quiet:
            return
        if isinstance(ev, GenerateStarted):
            size = f" {ev.width}x{ev.height}" if ev.width else ""
            print(f"{ev.model} ({ev.family}{size}) on {ev.device}: {ev.todo} of {ev.total} to make", file=sys.stderr)
            self.bar = tqdm(total=ev.total, initial=ev.total - ev.todo, unit="img", file=sys.stderr, dynamic_ncols=True)
        elif isinstance(ev, StepProgress) and self.bar is not None:
            self.bar.set_postfix_str(f"step {ev.step}/{ev.steps}")
        elif isinstance(ev, GenerateProgress) and self.bar is not None:
            if ev.seconds_per_image:
                self.bar.set_postfix_str(f"{ev.seconds_per_image:.1f} s/img, {ev.errors} errors", refresh=False)
            self.bar.update(ev.done - self.bar.n)


def cmd_generate(args: argparse.Namespace) -> int:
    from miwake.core.extras import GENERATION, require

    require(GENERATION, "Generating images" if not args.reconstruct else "Reconstructing images")

    from .generate import generate, reconstruct

    defaults = {
        "steps": 30,
        "seed": 0,
        "batch": 1,
        "prediction_type": "auto",
        "safety_checker": False,
        "attention_slicing": False,
        "vae_slicing": False,
        "cpu_offload": False,
    }
    if args.reconstruct:
        extra = [f"--{k.replace('_', '-')}" for k in _TXT2IMG_ONLY if getattr(args, k) not in (None, defaults.get(k))]
        if extra:
            raise GenerateUsageError(f"{', '.join(extra)}: text-to-image settings, not used with --reconstruct.")
    cancel = threading.Event()
    on_event = GenerateConsole(quiet=args.quiet)
    try:
        if args.reconstruct:
            summary = reconstruct(
                args.model,
                args.reconstruct,
                args.out,
                device=args.device,
                limit=args.count,
                allow_download=not args.offline,
                on_event=on_event,
                cancel=cancel,
            )
        else:
            summary = generate(_generate_config(args), on_event=on_event, cancel=cancel)
    except KeyboardInterrupt:
        print("\nInterrupted: finished images are kept; run the same command again to continue.", file=sys.stderr)
        raise
    finally:
        on_event.close()
    if summary.kind == "reconstruct" and summary.total == 0:
        raise GenerateUsageError(f"No image files found under {args.reconstruct}.")
    for msg in summary.error_messages:
        print(f"error: {msg}", file=sys.stderr)
    made = "reconstructed" if summary.kind == "reconstruct" else "generated"
    rate = f" ({summary.seconds_per_image:.2f} s/image)" if summary.seconds_per_image else ""
    blocked = f", {summary.filtered} blocked by the safety checker" if summary.filtered else ""
    print(
        f"{summary.generated} images {made}, {summary.skipped} already there{blocked}, {summary.errors} errors; "
        f"{summary.skipped + summary.generated}/{summary.total} done in {summary.elapsed_s:.1f} s{rate} -> {summary.out_dir}"
        + (" [cancelled]" if summary.cancelled else "")
    )
    return EXIT_PARTIAL if summary.errors else EXIT_OK
