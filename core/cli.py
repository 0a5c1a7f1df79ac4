"""`miwake scan` and `miwake models`: the command-line face of `core`."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from .bundle import format_metric
from .errors import MiwakeError
from .results import ImageResult, Reason, Verdict
from .settings import CPU_RUNTIMES
from .textsafe import for_utf8, json_text, tprint

log = logging.getLogger(__name__)

# The exit codes README.md promises (section "Scan from the command line").
EXIT_OK = 0  # the command did what it was asked (a scan ran, even if some files could not be read)
EXIT_ERROR = 1  # the one file asked about could not be read (inspect), some images failed (generate), a job was stopped
EXIT_USAGE = 2  # the command was wrong: bad arguments, unknown model or architecture, missing extra, no such device
EXIT_NOTHING = 3  # nothing to scan: no image files found
EXIT_FAILED = 4  # a runtime failure: a damaged store or model, a checksum mismatch, a training or generation error
EXIT_INTERRUPTED = 130  # Ctrl-C (what finished is stored and reported)


def int_at_least(lowest: int) -> Any:
    """argparse type: a whole number >= `lowest`; anything else is an argparse error, never silently coerced."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, not {v}")
        return v

    parse.__name__ = f"whole number >= {lowest}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def add_scan_parser(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan files or folders and report how likely each image is AI-generated")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--csv", metavar="FILE", help="write a CSV report (UTF-8 with BOM)")
    p.add_argument("--json", metavar="FILE", help="write a JSON report (with heatmap grids)")
    p.add_argument("--heatmaps", metavar="DIR", help="write a heatmap PNG per image into DIR")
    p.add_argument("--model", metavar="ID", help="model id (default: the active model, see `miwake models`)")
    p.add_argument("--device", default=None, choices=["auto", "cpu", "cuda", "mps"], help="compute device (default: auto)")
    p.add_argument("--cpu-runtime", default=None, choices=CPU_RUNTIMES,
                   help="what runs the model on a CPU: auto = the runtime and precision measured fastest for the "
                        "model on this CPU (measured once, cached); onnxruntime, pytorch or pytorch-bf16 force one "
                        "(bf16 only where it keeps the verdicts) (default: the settings', auto)")
    p.add_argument("--no-recursive", action="store_true", help="do not descend into sub-folders")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="only files matching GLOB (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip files/folders matching GLOB (repeatable)")
    p.add_argument("--batch", type=positive_int, metavar="N", help="crops per model batch (default 8 on CPU, 64 on CUDA)")
    p.add_argument("--stride", type=positive_int, metavar="PX", help="tile stride in pixels (default: cover with minimal overlap)")
    p.add_argument("--max-tiles", type=positive_int, metavar="N", help="most tiles per image (default: the model's tile budget, else 64)")
    p.add_argument("--no-reuse", action="store_true", help="score every file again, even unchanged ones")
    p.add_argument("--no-evidence", action="store_true", help="do not read provenance metadata")
    p.add_argument("--top", type=non_negative_int, default=25, metavar="N", help="rows in the printed table (default 25, 0 = all)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or table; only the summary line")
    p.set_defaults(func=cmd_scan)


def add_models_parser(sub: Any) -> None:
    p = sub.add_parser("models", help="list, inspect, import, export and choose detector models")
    msub = p.add_subparsers(dest="models_cmd", required=True, metavar="{list,info,import,export,use,delete}")
    msub.add_parser("list", help="installed models").set_defaults(func=cmd_models_list)
    q = msub.add_parser("info", help="a model's card")
    q.add_argument("id")
    q.add_argument("--json", action="store_true", help="print the whole model card as JSON")
    q.set_defaults(func=cmd_models_info)
    q = msub.add_parser("import", help="install a bundle folder or .miwake file (validated first)")
    q.add_argument("file")
    q.add_argument("--replace", action="store_true", help="replace an installed model with the same id")
    q.add_argument("--id", dest="new_id", help="install under this id instead")
    q.set_defaults(func=cmd_models_import)
    q = msub.add_parser("export", help="write a model as one .miwake file")
    q.add_argument("id")
    q.add_argument("file")
    q.set_defaults(func=cmd_models_export)
    q = msub.add_parser("use", help="make a model the active one")
    q.add_argument("id")
    q.set_defaults(func=cmd_models_use)
    q = msub.add_parser("delete", help="remove a user model (bundled ones stay)")
    q.add_argument("id")
    q.set_defaults(func=cmd_models_delete)


# -- scan ------------------------------------------------------------------------------------------------
def _verdict_label(r: ImageResult) -> str:
    if r.verdict is Verdict.AI and r.reason is Reason.METADATA and not r.ok:  # as the CSV says: AI by metadata
        return f"AI (metadata; {r.error_kind.value if r.error_kind else 'error'})"
    if not r.ok:
        return f"error: {r.error_kind.value if r.error_kind else ''}"
    label = {Verdict.AI: "AI", Verdict.HUMAN: "human", Verdict.UNSURE: "unsure"}.get(r.verdict, r.verdict.value)
    return label + (" (metadata)" if r.reason.value == "metadata" else "")


_VERDICT_ORDER = {Verdict.AI: 1, Verdict.UNSURE: 2, Verdict.HUMAN: 3, Verdict.ERROR: 4}


def _strength(r: ImageResult) -> tuple[int, float, str]:
    """Strongest evidence first: metadata stating AI, then AI, unsure, human by probability, errors last."""
    rank = 0 if r.verdict is Verdict.AI and r.reason is Reason.METADATA else _VERDICT_ORDER.get(r.verdict, 4)
    return rank, -(r.probability or 0.0), r.path


def print_table(results: list[ImageResult], top: int, out: Any = None, base: Path | None = None) -> None:
    out = out or sys.stdout
    rows = sorted(results, key=_strength)
    shown = rows if top <= 0 else rows[:top]
    tprint(f"{'AI prob':>7}  {'verdict':<22} {'crops':>5}  {'size':>11}  file", file=out)
    for r in shown:
        prob = f"{r.probability:7.3f}" if r.ok and r.probability is not None else "      -"
        size = f"{r.width}x{r.height}" if r.width else ""
        name = r.path
        if base is not None:
            try:
                name = str(Path(r.path).relative_to(base))
            except ValueError:
                pass
        tprint(f"{prob}  {_verdict_label(r):<22} {r.crops or '':>5}  {size:>11}  {name}", file=out)
    if len(rows) > len(shown):
        tprint(f"  ... {len(rows) - len(shown)} more rows (use --top 0 or --csv to see all)", file=out)


def cmd_scan(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from . import paths
    from .discovery import DiscoveryOptions
    from .reports import check_destination, write_csv, write_heatmaps, write_json
    from .scan_setup import prepare_scan
    from .scanner import ScanFinished, ScanProgress
    from .store import open_store

    for dest, is_folder in ((args.csv, False), (args.json, False), (args.heatmaps, True)):
        if dest:  # before any file is scored: a typo must not cost the hours of the scan
            check_destination(dest, folder=is_folder)
    results: list[ImageResult] = []
    summary: ScanFinished | None = None
    bar = None
    interrupted = False
    store, notice = open_store(paths.store_path())
    if notice:
        tprint(f"warning: {notice}", file=sys.stderr)
    with contextlib.closing(store) if store is not None else contextlib.nullcontext():
        # the model loads at the first file that needs scoring: a rescan of unchanged files imports no PyTorch
        job = prepare_scan(
            args.paths,
            model=args.model,
            device=args.device,
            cpu_runtime=args.cpu_runtime,
            store=store,
            evidence=not args.no_evidence,
            batch_size=args.batch,
            stride=args.stride,
            max_tiles=args.max_tiles,
            reuse=not args.no_reuse,
            discovery=DiscoveryOptions(
                recursive=not args.no_recursive, include=tuple(args.include), exclude=tuple(args.exclude)
            ),
        )
        bundle, detector = job.bundle, job.detector
        tprint(
            f"Model: {bundle.card.display_name} [{bundle.id}, {bundle.card.arch}, {bundle.card.input_mode} "
            f"{bundle.card.crop_size}px], device {detector.requested_device} (loaded when a file needs scoring)",
            file=sys.stderr,
        )
        events = job.events()
        try:
            while True:  # Ctrl-C cancels the job; the loop then drains it to its summary (a second Ctrl-C quits)
                try:
                    for ev in events:
                        if isinstance(ev, ScanProgress):
                            if bar is None and not args.quiet and ev.total:
                                bar = tqdm(total=ev.total, unit="img", file=sys.stderr, dynamic_ncols=True, leave=False)
                            if bar is not None and ev.total != bar.total:  # discovery is still finding files
                                bar.total = ev.total
                                bar.refresh()
                            if bar is not None and ev.done > bar.n:
                                bar.set_postfix(reused=ev.reused, errors=ev.errors, refresh=False)
                                bar.update(ev.done - bar.n)
                        elif isinstance(ev, ImageResult):
                            results.append(ev)
                        else:
                            summary = ev
                    break
                except KeyboardInterrupt:
                    if interrupted:
                        raise
                    interrupted = True
                    job.cancel()
        finally:
            if bar is not None:
                bar.close()
    interrupted = not (summary and summary.failure) and (interrupted or (summary is not None and summary.cancelled))
    if interrupted:
        tprint("\nScan interrupted; what finished is stored and reported below.", file=sys.stderr)
    for msg in summary.skipped_folders if summary else ():
        tprint(f"warning: skipped {msg}", file=sys.stderr)
    if summary is None:  # interrupted before the scan began (while looking for files)
        return EXIT_INTERRUPTED
    if summary.total == 0 and not interrupted:
        tprint("Nothing to scan: no image files found under " + ", ".join(args.paths), file=sys.stderr)
        return EXIT_NOTHING
    if not args.quiet:
        one_dir = len(args.paths) == 1 and os.path.isdir(args.paths[0])  # os.path: never raises (loops, no access)
        base = Path(os.path.abspath(args.paths[0])) if one_dir else None
        print_table(results, args.top, base=base)
    v = summary.verdicts
    rate = summary.scored / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
    tprint(
        f"\n{f'{len(results)} of ' if summary.cancelled else ''}{summary.total} files: {v.get('ai', 0)} AI, {v.get('unsure', 0)} unsure, {v.get('human', 0)} human, "
        f"{summary.errors} errors; {summary.scored} scored, {summary.reused} reused from earlier scans "
        f"in {summary.elapsed_s:.1f} s "
        + (f"({rate:.1f} images/s scored on {summary.device})" if detector.loaded else "(no model needed)")
        + (" [cancelled]" if summary.cancelled else "")
    )
    ordered = sorted(results, key=lambda r: r.path)
    scan_info = {
        "scan_id": summary.scan_id,
        "paths": [for_utf8(os.path.abspath(p)) for p in args.paths],
        "device": summary.device,
        "runtime": summary.runtime,
        "precision": summary.precision,
        "elapsed_s": round(summary.elapsed_s, 3),
        "total": summary.total,
        "reused": summary.reused,
        "errors": summary.errors,
        "cancelled": summary.cancelled,
    }
    if args.csv:
        write_csv(ordered, args.csv)
        tprint(f"CSV report: {args.csv}")
    if args.json:
        band = summary.unsure_band if summary.band_from_settings else None
        write_json(ordered, args.json, bundle=bundle, scan=scan_info, unsure_band=band)
        tprint(f"JSON report: {args.json}")
    if args.heatmaps:
        stale: list[tuple[str, str]] = []
        n = write_heatmaps(ordered, args.heatmaps, skipped=stale)
        tprint(f"{n} heatmaps in {args.heatmaps}")
        for path, why in stale:
            tprint(f"warning: no heatmap for {path}: {why}", file=sys.stderr)
    if summary.failure:
        tprint(f"miwake: the scan stopped early: {summary.failure}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


# -- models ----------------------------------------------------------------------------------------------
def cmd_models_list(args: argparse.Namespace) -> int:
    from .model_choice import active_model_id
    from .registry import ModelRegistry

    reg = ModelRegistry()
    models = reg.list()
    if not models:
        tprint("No models installed.")
    else:
        try:
            active = active_model_id(reg)
        except MiwakeError:
            active = None
        tprint(f"   {'id':<24} {'source':<8} {'arch':<24} {'mode':<12} {'AUC':>6}  name")
        for b in models:
            c = b.card
            auc = c.metrics.get("auc") if isinstance(c.metrics, dict) else None
            mark = "*" if b.id == active else " "
            tprint(
                f" {mark} {b.id:<24} {b.source:<8} {c.arch:<24} {c.input_mode + ' ' + str(c.crop_size):<12} "
                f"{format_metric(auc) if auc is not None else '-':>6}  {c.display_name}"
            )
        tprint("\n* = active model (change with `miwake models use ID`)")
    for folder, why in reg.broken.items():
        tprint(f"broken (skipped): {folder}: {why}", file=sys.stderr)
    return EXIT_OK


def card_summary_lines(bundle: Any) -> list[str]:
    c = bundle.card
    lines = [
        f"id:            {c.id}  ({bundle.source}, {bundle.path})",
        f"name:          {c.display_name}",
        f"architecture:  {c.arch} (timm), {c.weights_dtype} weights, sha256 {c.weights_sha256[:16]}…",
        f"input:         {c.input_mode} {c.crop_size}px, mean {list(c.mean)}, std {list(c.std)}",
        f"decision:      threshold {c.threshold:.3f}, unsure band {c.unsure_band[0]:.3f}–{c.unsure_band[1]:.3f}, "
        f"aggregation {c.aggregation}",
        f"created:       {c.created}",
    ]
    if c.description:
        lines.append(f"description:   {c.description}")
    if c.license:
        lines.append(f"license:       {c.license}")
    return lines


def cmd_models_info(args: argparse.Namespace) -> int:

    from .card_facts import (
        training_facts,
        training_lines,
        validation_facts,
        validation_lines,
    )
    from .registry import ModelRegistry

    b = ModelRegistry().get(args.id)
    if args.json:
        print(json_text(b.card.to_dict()))
        return EXIT_OK
    tprint("\n".join(card_summary_lines(b)))
    for label, text in validation_lines(validation_facts(b.card.metrics)) + training_lines(training_facts(b.card.training)):
        indent = "  " if label.startswith(" ") else ""
        tprint(indent + f"{label.strip()}: ".ljust(15 - len(indent)) + text)
    tprint(f"\nThe whole card: miwake models info {b.id} --json")
    return EXIT_OK


def cmd_models_import(args: argparse.Namespace) -> int:
    from .registry import ModelRegistry

    b = ModelRegistry().import_bundle(args.file, replace=args.replace, new_id=args.new_id)
    tprint(f"Installed {b.id} ({b.card.display_name}) into {b.path}. Activate it with `miwake models use {b.id}`.")
    return EXIT_OK


def cmd_models_export(args: argparse.Namespace) -> int:
    from .registry import ModelRegistry

    out = ModelRegistry().export(args.id, args.file)
    tprint(f"Wrote {out}")
    return EXIT_OK


def cmd_models_use(args: argparse.Namespace) -> int:
    from .model_choice import use_model

    b = use_model(args.id)
    tprint(f"Active model: {b.id} ({b.card.display_name})")
    return EXIT_OK


def cmd_models_delete(args: argparse.Namespace) -> int:
    from .model_choice import delete_model

    delete_model(args.id)
    tprint(f"Deleted {args.id}")
    return EXIT_OK
