"""`miwake inspect FILE`: everything Miwake finds in one file — provenance evidence, then the pixel model.

The evidence is read once and handed to the scan engine, so the verdict shown is the one a scan gives
(evidence that states AI decides it; its absence decides nothing).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from .cli import EXIT_ERROR, EXIT_OK
from .errors import UsageError
from .evidence import format_evidence, read_evidence
from .imaging import open_image
from .results import EvidenceItem, ImageResult
from .scan_cli import verdict_label
from .textsafe import json_text, tprint


def add_inspect_parser(sub: Any) -> None:
    p = sub.add_parser("inspect", help="show the provenance metadata and the model's score of one file")
    p.add_argument("file", metavar="FILE", help="an image file")
    p.add_argument("--no-model", action="store_true", help="only read the metadata; do not run the pixel model")
    p.add_argument("--model", metavar="ID", help="model id (default: the active model)")
    p.add_argument("--device", default=None, choices=["auto", "cpu", "cuda", "mps"], help="compute device")
    p.add_argument("--no-watermark", action="store_true", help="skip the invisible-watermark decode")
    p.add_argument("--full", action="store_true", help="print field values in full (prompts, workflows)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=cmd_inspect)


def _header(path: Path) -> list[str]:

    lines = [f"file:    {path}", f"size:    {path.stat().st_size:,} bytes"]
    try:
        with open_image(path) as im:
            lines.append(f"image:   {im.format} {im.width}x{im.height} {im.mode}")
    except Exception as e:  # the model section reports decode errors properly
        lines.append(f"image:   not readable by Pillow ({type(e).__name__})")
    return lines


def _run_model(path: Path, items: tuple[EvidenceItem, ...], args: argparse.Namespace) -> tuple[ImageResult, Any]:
    from .scan_options import ScanOptions
    from .scan_setup import prepare_scan
    from .settings import load_settings

    settings = load_settings()
    job = prepare_scan(
        [path],
        model=args.model,
        device=args.device,
        settings=settings,
        evidence=lambda _p, pixels=None: items,
        options=replace(ScanOptions.from_settings(settings), reuse=False),
    )
    result = next(ev for ev in job.events() if isinstance(ev, ImageResult))
    return result, job.bundle


def cmd_inspect(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"No such file: {path}")
    items = read_evidence(path, watermark=not args.no_watermark)
    result = bundle = None
    if not args.no_model:
        result, bundle = _run_model(path, items, args)
    states_ai = any(e.states_ai for e in items)
    if args.json:
        from .reports import result_json

        doc: dict[str, Any] = {
            "path": str(path),
            "evidence": [e.to_dict() for e in items],
            "evidence_tokens": ";".join(e.token() for e in items),
            "evidence_states_ai": states_ai,
        }
        if result is not None:
            doc = result_json(result)
        print(json_text(doc))
        return EXIT_OK if result is None or result.ok else EXIT_ERROR
    out = sys.stdout
    tprint("\n".join(_header(path)), file=out)
    tprint("\nProvenance evidence (read from the file itself):", file=out)
    if items:
        tprint(
            "\n".join("  " + line for line in format_evidence(items, max_value=None if args.full else 300)), file=out
        )
    else:
        tprint("  none found (most files carry none; its absence says nothing about who made the image)", file=out)
    if result is None or bundle is None:
        verdict = "AI (metadata)" if states_ai else "no verdict (model not run)"
        tprint(f"\nVerdict: {verdict}", file=out)
        return EXIT_OK
    c = bundle.card
    tprint(f"\nPixel model: {c.display_name} [{bundle.id}, {c.arch}, {c.input_mode} {c.crop_size}px]", file=out)
    if result.ok:
        tprint(
            f"  AI probability: {result.probability:.4f} over {result.crops} crops "
            f"(highest crop {result.max_crop_probability:.4f})",
            file=out,
        )
    else:
        tprint(f"  error ({result.error_kind.value if result.error_kind else ''}): {result.error}", file=out)
    tprint(
        f"\nVerdict: {verdict_label(result) if result.ok else result.verdict.value}"
        + (" — the file's metadata states AI generation" if result.reason.value == "metadata" else ""),
        file=out,
    )
    return EXIT_OK if result.ok else EXIT_ERROR
