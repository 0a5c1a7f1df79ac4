"""CSV, JSON and heatmap-PNG reports; the CLI and the app use these same writers.

CSV: UTF-8 with BOM (Excel then reads any file name correctly), one row per file, first the columns
`path, ai_probability, verdict, error`, then the rest (see `CSV_COLUMNS` and README "Reports").
Text cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed with `'`.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .atomic import atomic_open
from .bundle import Bundle
from .errors import UsageError
from .heatmap import render_overlay
from .imaging import decode_image, file_sha256
from .results import ImageResult
from .textsafe import for_utf8, json_line

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "path",
    "ai_probability",
    "verdict",
    "error",
    "reason",
    "max_crop_probability",
    "crops",
    "width",
    "height",
    "format",
    "size_bytes",
    "model",
    "evidence",
    "evidence_states_ai",
    "error_kind",
    "sha256",
    "scanned_at",
    "reused",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: Any) -> Any:
    """Stop spreadsheets from running a text cell as a formula (CSV injection)."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _fmt(v: float | None, digits: int = 4) -> str:
    return "" if v is None else f"{v:.{digits}f}"


def result_row(r: ImageResult) -> dict[str, Any]:
    return {
        "path": for_utf8(r.path),  # a name that is not UTF-8 keeps its odd bytes as \xNN (README "Reports")
        "ai_probability": "" if r.error_kind else _fmt(r.probability),
        "verdict": r.verdict.value,
        "error": for_utf8(r.error or ""),
        "reason": r.reason.value if r.ok or r.evidence_states_ai else "",
        "max_crop_probability": _fmt(r.max_crop_probability),
        "crops": r.crops or "",
        "width": r.width or "",
        "height": r.height or "",
        "format": r.format or "",
        "size_bytes": r.size,
        "model": r.model_id,
        "evidence": r.evidence_tokens(),
        "evidence_states_ai": "yes" if r.evidence_states_ai else "no",
        "error_kind": r.error_kind.value if r.error_kind else "",
        "sha256": r.content_hash or "",
        "scanned_at": r.scanned_at,
        "reused": "yes" if r.reused else "no",
    }


def _destination(dest: str | os.PathLike[str]) -> Path:
    """`dest`, after checking that its folder exists (the error names the folder, not a temporary file)."""
    p = Path(dest)
    if not p.parent.is_dir():
        raise UsageError(f"The folder {p.parent} does not exist; choose an existing folder for the report.")
    return p


def check_destination(dest: str | os.PathLike[str], *, folder: bool = False) -> None:
    """Before any file is scored: can a report be written at `dest` (a file, or with `folder` a folder of
    heatmaps)? Raises `UsageError` naming the path — a typo, a read-only folder, a file another program holds
    open (Excel on Windows) — so a scan of hours does not end in an error."""
    p = Path(dest)
    where = p if folder and p.is_dir() else p.parent
    if folder and p.exists() and not p.is_dir():
        raise UsageError(f"{p} is a file, not a folder; choose a folder for the heatmaps.")
    if not where.is_dir():
        if folder and where.parent.is_dir():
            where = where.parent  # the heatmaps folder is made; its parent must take it
        else:
            raise UsageError(f"The folder {where} does not exist; choose an existing folder for the report.")
    probe = where / f".miwake-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise UsageError(f"The folder {where} cannot be written ({e.strerror or e}); choose another one.") from e
    if not folder and p.exists():
        try:
            with open(p, "ab"):
                pass
        except OSError as e:
            raise UsageError(
                f"{p} cannot be replaced ({e.strerror or e}): close it in the program that has it "
                "open, or choose another name."
            ) from e


def write_csv(results: Iterable[ImageResult], dest: str | os.PathLike[str]) -> int:
    n = 0
    with atomic_open(_destination(dest), newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in results:
            w.writerow({k: neutralize(v) for k, v in result_row(r).items()})
            n += 1
    return n


def result_json(r: ImageResult) -> dict[str, Any]:
    d: dict[str, Any] = {
        "path": for_utf8(r.path),
        "ai_probability": None if r.error_kind else r.probability,
        "verdict": r.verdict.value,
        "error": for_utf8(r.error) if r.error else r.error,
        "error_kind": r.error_kind.value if r.error_kind else None,
        "reason": r.reason.value,
        "max_crop_probability": r.max_crop_probability,
        "crops": r.crops,
        "width": r.width,
        "height": r.height,
        "format": r.format,
        "size_bytes": r.size,
        "model": r.model_id,
        "sha256": r.content_hash,
        "scanned_at": r.scanned_at,
        "reused": r.reused,
        "evidence": [e.to_dict() for e in r.evidence],
        "evidence_tokens": r.evidence_tokens(),
        "evidence_states_ai": r.evidence_states_ai,
        "heatmap": r.heatmap.to_dict() if r.heatmap else None,
    }
    return d


def _finite(v: Any) -> Any:
    """NaN and infinities (a broken model's output) as null: a JSON report never holds bare NaN."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def write_json(
    results: Iterable[ImageResult],
    dest: str | os.PathLike[str],
    *,
    bundle: Bundle | None = None,
    scan: dict[str, Any] | None = None,
    unsure_band: tuple[float, float] | None = None,
) -> int:
    """The CSV's data plus heatmap grids and evidence details, with the model card summary.

    `decision` records what made the verdicts, so they can be checked from the report alone: the unsure band
    (`unsure_band` when the user's settings override the card's, else the card's) and the rule.
    """
    rows = [result_json(r) for r in results]
    doc: dict[str, Any] = {"format": "miwake-report", "version": 1}
    if bundle is not None:
        c = bundle.card
        doc["model"] = {
            "id": c.id,
            "display_name": c.display_name,
            "arch": c.arch,
            "input_mode": c.input_mode,
            "crop_size": c.crop_size,
            "threshold": c.threshold,
            "unsure_band": list(c.unsure_band),
            "aggregation": c.aggregation,
            "weights_sha256": c.weights_sha256,
        }
    band = unsure_band or (bundle.card.unsure_band if bundle is not None else None)
    if band is not None:
        doc["decision"] = {
            "unsure_band": [float(band[0]), float(band[1])],
            "set_by": "settings" if unsure_band is not None else "model",
            "rule": "metadata stating AI generation: ai; else ai_probability >= unsure_band[1]: ai, "
            "< unsure_band[0]: human, otherwise unsure",
        }
    if scan:
        doc["scan"] = scan
    doc["results"] = rows
    text = json_text_safe(_finite(doc))
    with atomic_open(_destination(dest), encoding="utf-8") as fh:
        fh.write(text)
    return len(rows)


def json_text_safe(doc: Any) -> str:
    """The report's JSON, valid UTF-8 whatever text the files carried (lone surrogates escaped as `\\udcNN`)."""
    return json_line(doc, indent=1, allow_nan=False)


def heatmap_filename(path: str) -> str:
    stem = Path(path).stem[:80] or "image"
    digest = hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}.{digest}.heatmap.png"


def write_heatmaps(
    results: Iterable[ImageResult],
    folder: str | os.PathLike[str],
    opacity: float = 0.45,
    skipped: list[tuple[str, str]] | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """One PNG per scored image: the picture with its crop grid and per-crop probabilities drawn over it.

    A file whose bytes no longer match the scan (its sha256) gets no PNG: its stored grid belongs to other
    pixels. Such files, and vanished ones, are appended to `skipped` as (path, reason). Each picture is decoded
    again, so this takes a while for many: `on_progress(done, total)` after each, and `cancel` stops between two
    (the PNGs written so far stay).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    todo = [r for r in results if r.ok and r.heatmap is not None]
    n = 0
    for i, r in enumerate(todo):
        if cancel is not None and cancel.is_set():
            break
        if on_progress is not None:
            on_progress(i, len(todo))
        assert r.heatmap is not None
        try:
            if r.content_hash and file_sha256(r.path) != r.content_hash:
                raise ValueError("the file has changed since the scan; scan it again to draw its heatmap")
            img = decode_image(r.path)
        except Exception as e:  # the file changed or vanished since the scan
            log.warning("No heatmap for %s: %s", r.path, e)
            if skipped is not None:
                skipped.append((r.path, str(e)))
            continue
        render_overlay(img.rgb, r.heatmap, opacity=opacity).save(out / heatmap_filename(r.path), optimize=True)
        n += 1
    return n
