"""`miwake scan`: its options, the scan with a progress bar (Ctrl-C stops it and still reports what finished), the
table, the summary line and the reports."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bundle import Bundle
from .cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, non_negative_int, positive_int
from .discovery import DiscoveryOptions
from .errors import UsageError
from .results import ImageResult, Reason, Verdict
from .scan_events import ScanFinished, ScanProgress
from .scan_options import ScanOptions
from .scan_setup import ScanDriver
from .settings import CPU_RUNTIMES, Settings, load_settings
from .textsafe import for_utf8, tprint

if TYPE_CHECKING:
    from .cluster_scan import ClusterOptions


def add_scan_parser(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan files or folders and report how likely each image is AI-generated")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--csv", metavar="FILE", help="write a CSV report (UTF-8 with BOM)")
    p.add_argument("--json", metavar="FILE", help="write a JSON report (with heatmap grids)")
    p.add_argument("--heatmaps", metavar="DIR", help="write a heatmap PNG per image into DIR")
    p.add_argument("--model", metavar="ID", help="model id (default: the active model, see `miwake models`)")
    p.add_argument(
        "--device", default=None, choices=["auto", "cpu", "cuda", "mps"], help="compute device (default: auto)"
    )
    p.add_argument(
        "--cpu-runtime",
        default=None,
        choices=CPU_RUNTIMES,
        help="what runs the model on a CPU: auto = the runtime and precision measured fastest for the "
        "model on this CPU (measured once, cached); onnxruntime, pytorch or pytorch-bf16 force one "
        "(bf16 only where it keeps the verdicts) (default: the settings', auto)",
    )
    p.add_argument("--no-recursive", action="store_true", help="do not descend into sub-folders")
    p.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only files matching GLOB (repeatable)"
    )
    p.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip files/folders matching GLOB (repeatable)"
    )
    p.add_argument(
        "--batch", type=positive_int, metavar="N", help="crops per model batch (default 8 on CPU, 64 on CUDA)"
    )
    p.add_argument(
        "--stride", type=positive_int, metavar="PX", help="tile stride in pixels (default: cover with minimal overlap)"
    )
    p.add_argument(
        "--max-tiles",
        type=positive_int,
        metavar="N",
        help="most tiles per image (default: the model's tile budget, else 64)",
    )
    p.add_argument("--no-reuse", action="store_true", help="score every file again, even unchanged ones")
    p.add_argument("--no-evidence", action="store_true", help="do not read provenance metadata")
    p.add_argument(
        "--top", type=non_negative_int, default=25, metavar="N", help="rows in the printed table (default 25, 0 = all)"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or table; only the summary line")
    c = p.add_argument_group(
        "cluster (pip install 'miwake[cluster]')",
        "scan on a Ray cluster: the files must be on storage every node sees under the same path; this machine "
        "keeps the result library and writes the reports (README, 'Scanning on a cluster')",
    )
    c.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="local (a cluster on this machine), auto (the Ray cluster running here), or ray://HOST:10001",
    )
    c.add_argument(
        "--cluster-workers",
        type=positive_int,
        metavar="N",
        help="workers, each loading the model once (default: one per GPU, else one per node)",
    )
    c.add_argument(
        "--cluster-cpus", type=positive_int, metavar="N", help="CPU cores per worker (default: its share of a node)"
    )
    c.add_argument(
        "--cluster-batch", type=positive_int, metavar="N", help="files per batch sent to a worker (default 32)"
    )
    p.set_defaults(func=cmd_scan)


# -- the table ------------------------------------------------------------------------------------------------
def verdict_label(r: ImageResult) -> str:
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
    if top > 0:  # files that could not be read are named even past --top (as many again): each asks for an action
        shown += [r for r in rows[top:] if r.verdict is Verdict.ERROR][:top]
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
        tprint(f"{prob}  {verdict_label(r):<22} {r.crops or '':>5}  {size:>11}  {name}", file=out)
    if len(rows) > len(shown):
        tprint(f"  ... {len(rows) - len(shown)} more rows (use --top 0 or --csv to see all)", file=out)


def cmd_scan(args: argparse.Namespace) -> int:
    from . import paths
    from .reports import check_destination
    from .scan_setup import prepare_cluster_scan, prepare_scan
    from .store import open_store

    if args.cluster:  # before anything else: a missing extra must not be found after the files
        from .cluster_scan import ray_module

        ray_module()
    elif any(v is not None for v in (args.cluster_workers, args.cluster_cpus, args.cluster_batch)):
        raise UsageError("--cluster-workers, --cluster-cpus and --cluster-batch need --cluster ADDRESS")

    for dest, is_folder in ((args.csv, False), (args.json, False), (args.heatmaps, True)):
        if dest:  # before any file is scored: a typo must not cost the hours of the scan
            check_destination(dest, folder=is_folder)
    store, notice = open_store(paths.store_path())
    if notice:
        tprint(f"warning: {notice}", file=sys.stderr)
    with contextlib.closing(store) if store is not None else contextlib.nullcontext():
        # the model loads at the first file that needs scoring: a rescan of unchanged files imports no PyTorch
        settings = load_settings()
        choices: dict[str, Any] = dict(
            model=args.model,
            device=args.device,
            cpu_runtime=args.cpu_runtime,
            settings=settings,
            store=store,
            evidence=not args.no_evidence,
            options=scan_options(args, settings),
        )
        job: ScanDriver
        if args.cluster:
            job = prepare_cluster_scan(args.paths, cluster_options(args), **choices)
        else:
            job = prepare_scan(args.paths, **choices)
        bundle, detector = job.bundle, job.detector
        where = f"a Ray cluster ({args.cluster}), device {detector.requested_device}" if args.cluster else ""
        tprint(
            f"Model: {bundle.card.display_name} [{bundle.id}, {bundle.card.arch}, {bundle.card.input_mode} "
            f"{bundle.card.crop_size}px], "
            + (where or f"device {detector.requested_device} (loaded when a file needs scoring)"),
            file=sys.stderr,
        )
        results, summary, interrupted = drain(job, quiet=args.quiet)
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
    tprint(summary_line(summary, len(results), model_loaded=detector.loaded))
    write_reports(args, sorted(results, key=lambda r: r.path), summary, bundle)
    if summary.failure:
        tprint(f"miwake: the scan stopped early: {summary.failure}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def scan_options(args: argparse.Namespace, settings: Settings) -> ScanOptions:
    """The saved settings, with what the command line says instead where it says it."""
    return replace(
        ScanOptions.from_settings(settings, batch_size=args.batch, stride=args.stride, max_tiles=args.max_tiles),
        reuse=not args.no_reuse,
        discovery=DiscoveryOptions(
            recursive=not args.no_recursive, include=tuple(args.include), exclude=tuple(args.exclude)
        ),
    )


def cluster_options(args: argparse.Namespace) -> ClusterOptions:
    from .cluster_scan import ClusterOptions

    batch = {"files_per_task": args.cluster_batch} if args.cluster_batch else {}
    return ClusterOptions(args.cluster, args.cluster_workers, args.cluster_cpus, **batch)


def drain(job: ScanDriver, *, quiet: bool) -> tuple[list[ImageResult], ScanFinished | None, bool]:
    """Run `job` to its end with a progress bar: its results, its summary (None when stopped before it began) and
    whether Ctrl-C was pressed. Ctrl-C cancels the job and the loop drains it to its summary; a second one quits."""
    from tqdm import tqdm

    results: list[ImageResult] = []
    summary: ScanFinished | None = None
    bar = None
    interrupted = False
    events = job.events()
    try:
        while True:
            try:
                for ev in events:
                    if isinstance(ev, ScanProgress):
                        if bar is None and not quiet and ev.total:
                            bar = tqdm(total=ev.total, unit="img", file=sys.stderr, dynamic_ncols=True, leave=False)
                        if bar is not None and ev.total != bar.total:  # discovery is still finding files
                            bar.total = ev.total
                            bar.refresh()
                        if bar is not None and ev.done > bar.n:
                            more = {} if ev.workers is None else {"workers": ev.workers}
                            bar.set_postfix(reused=ev.reused, errors=ev.errors, **more, refresh=False)
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
    return results, summary, interrupted


def summary_line(summary: ScanFinished, results: int, *, model_loaded: bool) -> str:
    """ "60 files: 17 AI, 27 unsure, 16 human, 0 errors; 60 scored, ... (2.5 images/s scored on CPU ..., ONNX
    Runtime fp32)"."""
    v = summary.verdicts
    rate = summary.scored / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
    return (
        f"\n{f'{results} of ' if summary.cancelled else ''}{summary.total} files: {v.get('ai', 0)} AI, "
        f"{v.get('unsure', 0)} unsure, {v.get('human', 0)} human, {summary.errors} errors; {summary.scored} scored, "
        f"{summary.reused} reused from earlier scans in {summary.elapsed_s:.1f} s "
        + (f"({rate:.1f} images/s scored on {summary.device})" if model_loaded else "(no model needed)")
        + (" [cancelled]" if summary.cancelled else "")
    )


def write_reports(args: argparse.Namespace, ordered: list[ImageResult], summary: ScanFinished, bundle: Bundle) -> None:
    """The CSV, JSON and heatmap PNGs the command asked for, of the results in `ordered`."""
    from .reports import write_csv, write_heatmaps, write_json

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
