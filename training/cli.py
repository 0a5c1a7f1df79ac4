"""`miwake train` and `miwake eval` (and `miwake generate`, from training/generate_cli.py)."""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from pathlib import Path
from typing import Any

from miwake.core import extras
from miwake.core.bundle import format_metric
from miwake.core.cli import non_negative_int, positive_int


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--real", nargs="+", default=[], metavar="DIR", help="folders of human-made images")
    p.add_argument("--ai", nargs="+", default=[], metavar="DIR", help="folders of AI-generated images")
    p.add_argument("--manifest", metavar="CSV", help="path,label[,source,generator] rows (label ai/real)")
    p.add_argument("--sources", nargs="+", default=[], metavar="S", help="only these sources of the manifest")
    p.add_argument("--exclude-sources", nargs="+", default=[], metavar="S", help="leave these sources out")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("train", help="train or fine-tune a detector on your own images")
    _add_data_args(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where the model bundle (and training files) go")
    p.add_argument("--arch", default="tf_efficientnetv2_b0", help="timm architecture (default tf_efficientnetv2_b0)")
    p.add_argument(
        "--init", default="random", help="random | imagenet | PATH to weights | installed MODEL_ID to fine-tune"
    )
    p.add_argument("--mode", choices=["crop", "resize"], default="crop")
    p.add_argument("--crop", type=positive_int, default=256, help="crop size in pixels (default 256)")
    p.add_argument("--epochs", type=positive_int, default=10)
    p.add_argument("--batch", type=positive_int, default=32, help="crops per forward pass (default 32)")
    p.add_argument("--accum", type=positive_int, default=1, help="forward passes per optimizer step (small GPUs)")
    p.add_argument("--lr", type=float, help="peak learning rate (default 1e-3, 2e-4 when fine-tuning)")
    p.add_argument(
        "--patience", type=non_negative_int, default=4, help="epochs without validation gain before stopping"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=non_negative_int, help="data-loading processes (default: CPUs - 1, at most 4)")
    p.add_argument("--crops-per-image", type=positive_int, default=2)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--val-sources", nargs="+", default=[], metavar="S", help="hold out exactly these sources")
    p.add_argument(
        "--val-tiles", type=positive_int, default=4, help="tiles per image in the per-epoch validation (default 4)"
    )
    p.add_argument("--no-augment", action="store_true", help="no re-encoding/blur/downscale (format bias risk!)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--id", dest="model_id", help="model id (default: the --out folder name)")
    p.add_argument("--name", dest="display_name", help="display name")
    p.add_argument("--max-steps-per-epoch", type=int, help=argparse.SUPPRESS)
    p.add_argument("--checkpoint-every-steps", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    p.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="measure a model on labelled images (AUC, F1, recall, precision)")
    e.add_argument("model", help="installed model id, or a bundle folder / .miwake file")
    _add_data_args(e)
    e.add_argument("--json", metavar="FILE", help="write the full report (ROC points, per-source figures, scores)")
    e.add_argument("--roc", metavar="PNG", help="write the ROC curve")
    e.add_argument("--no-jpeg90", action="store_true", help="skip the re-encoded JPEG q90 pass")
    e.add_argument(
        "--choose-threshold", action="store_true", help="pick the threshold on these images instead of the card's"
    )
    e.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    e.add_argument("--batch", type=positive_int)
    e.set_defaults(func=cmd_eval)

    from .generate_cli import add_generate_parser

    add_generate_parser(sub)


def _samples(args: argparse.Namespace, require_both: bool = True):
    from .dataset import filter_sources, load_samples

    samples = load_samples(args.real, args.ai, args.manifest, require_both=require_both)
    return filter_sources(samples, args.sources, args.exclude_sources)


class TrainConsole:
    """A training's events on the terminal: a progress bar per epoch, one line per finished epoch."""

    def __init__(self) -> None:
        self.bar: Any = None

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __call__(self, ev: Any) -> None:
        from tqdm import tqdm

        from .train import EpochEnd, TrainFinished, TrainProgress

        if isinstance(ev, TrainProgress):
            if ev.phase == "prepare":
                print(ev.detail, file=sys.stderr)
                return
            if ev.phase != "train":
                self._close()
                return
            if self.bar is None or self.bar.desc != f"epoch {ev.epoch}/{ev.epochs}":
                self._close()
                self.bar = tqdm(
                    total=ev.steps,
                    initial=ev.step - 1,
                    desc=f"epoch {ev.epoch}/{ev.epochs}",
                    unit="step",
                    file=sys.stderr,
                    dynamic_ncols=True,
                )
            self.bar.update(ev.step - self.bar.n)
            self.bar.set_postfix(
                loss=f"{ev.loss:.3f}", lr=f"{ev.lr:.1e}", crops_s=f"{ev.crops_per_s:.1f}", refresh=False
            )
        elif isinstance(ev, EpochEnd):
            self._close()
            what = (
                "the model it starts from"
                if ev.epoch == 0
                else (f"loss {ev.train_loss:.4f}" if math.isfinite(ev.train_loss) else "loss ran away (diverged)")
            )
            print(
                f"epoch {ev.epoch}/{ev.epochs}: {what}, val AUC {format_metric(ev.val_auc)} "
                f"(JPEG q90 {format_metric(ev.val_auc_jpeg90)}){' *best*' if ev.best else ''} [{ev.seconds:.0f} s]",
                file=sys.stderr,
            )
        elif isinstance(ev, TrainFinished):
            self._close()


def cmd_train(args: argparse.Namespace) -> int:

    from .augment import AugmentConfig
    from .train import TrainConfig, Trainer, preflight

    out = Path(args.out)
    cfg = TrainConfig(
        out_dir=str(out),
        arch=args.arch,
        init=args.init,
        mode=args.mode,
        crop=args.crop,
        epochs=args.epochs,
        batch=args.batch,
        accum=args.accum,
        lr=args.lr,
        patience=args.patience,
        seed=args.seed,
        workers=args.workers,
        crops_per_image=args.crops_per_image,
        val_fraction=args.val_fraction,
        val_sources=tuple(args.val_sources),
        val_tiles=args.val_tiles,
        augment=AugmentConfig.off() if args.no_augment else AugmentConfig(),
        device=args.device,
        model_id=args.model_id,
        display_name=args.display_name,
        max_steps_per_epoch=args.max_steps_per_epoch,
        checkpoint_every_steps=args.checkpoint_every_steps,
        command="miwake " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
    )
    preflight(cfg)  # missing extras and architecture typos fail here, before the data is read
    samples = [] if args.resume else _samples(args)
    trainer = Trainer(cfg, samples, resume=args.resume, on_event=TrainConsole())
    try:
        fin = trainer.run()
    except KeyboardInterrupt:
        trainer.cancel()
        print("\nInterrupted: a checkpoint is saved; continue with --resume.", file=sys.stderr)
        return 130
    if fin.status == "cancelled":
        print("Cancelled: a checkpoint is saved; continue with --resume.", file=sys.stderr)
        return 1
    card = fin.card or {}
    m = card.get("metrics", {})
    print(f"\nModel written to {fin.bundle_path} ({fin.status}).")
    if m:
        print(
            f"validation (held-out sources): AUC {format_metric(m.get('auc'))}, F1 {format_metric(m.get('f1'))}, "
            f"recall {format_metric(m.get('recall'))}, precision {format_metric(m.get('precision'))}; "
            f"JPEG q90 AUC {format_metric((m.get('jpeg90') or {}).get('auc'))}"
        )
    print(f"threshold {card.get('threshold')}, unsure band {card.get('unsure_band')}")
    print(f"Install it with: miwake models import {fin.bundle_path}")
    return 0


def print_report(report: Any, out: Any = None) -> None:
    out = out or sys.stdout

    def line(name: str, m: dict[str, Any] | None) -> None:
        if not m:
            return
        c = m["confusion"]
        print(
            f"{name:<22} n={m['n']:<5} AUC {format_metric(m['auc'])}  F1 {format_metric(m['f1'])}  "
            f"recall {format_metric(m['recall'])}  precision {format_metric(m['precision'])}  "
            f"accuracy {format_metric(m['accuracy'])}  [tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']}]",
            file=out,
        )

    print(
        f"model {report.model_id}: threshold {report.threshold:.3f}, unsure band {report.band[0]:.3f}-{report.band[1]:.3f}",
        file=out,
    )
    line("as files are", report.metrics)
    line("re-encoded JPEG q90", report.metrics_jpeg90)
    print("\nper source:", file=out)
    jp = report.per_source_jpeg90 or {}
    for src, r in report.per_source.items():
        extra = f"{r.get('auc_vs_other_class', r.get('auc', float('nan'))):.3f}"
        j = jp.get(src, {})
        print(
            f"  {src:<32} {r['label']:<5} n={r['n']:<4} mean p {r['mean_p']:.3f}  acc {r['accuracy']:.3f} "
            f"(JPEG q90 {j.get('accuracy', float('nan')):.3f})  AUC vs other class {extra}",
            file=out,
        )
    if report.errors:
        print(f"\n{len(report.errors)} images could not be scored (first: {report.errors[0]})", file=out)


def cmd_eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from miwake.core.bundle import read_bundle
    from miwake.core.detector import Detector
    from miwake.core.registry import ModelRegistry

    from .evaluate import evaluate, write_roc_png

    extras.require(extras.TRAINING, "Evaluating a model")
    p = Path(args.model)
    bundle = read_bundle(p) if p.exists() else ModelRegistry().get(args.model)
    det = Detector(bundle, args.device)
    samples = _samples(args)
    bars: dict[str, Any] = {}

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in bars:
            bars[phase] = tqdm(total=total, desc=phase, unit="img", file=sys.stderr, leave=False)
        bars[phase].update(done - bars[phase].n)

    report = evaluate(
        det,
        samples,
        jpeg90=not args.no_jpeg90,
        choose_threshold=args.choose_threshold,
        batch_size=args.batch,
        on_progress=progress,
    )
    for b in bars.values():
        b.close()
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=1), encoding="utf-8")
        print(f"\nJSON report: {args.json}")
    if args.roc:
        write_roc_png(report, args.roc)
        print(f"ROC curve: {args.roc}")
    return 0
