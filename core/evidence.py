"""Provenance evidence read from the file itself (issue #6): what an image says about how it was made.

Read before and beside the pixel model, and kept apart from its probability: C2PA Content Credentials,
IPTC DigitalSourceType (XMP), generator parameters (A1111/Forge, ComfyUI, NovelAI incl. its alpha-LSB
"stealth" data, InvokeAI), a Software field naming a generator, and the invisible watermarks of the Stable
Diffusion scripts. Each finding is an `EvidenceItem` (`kind:detail` token, `states_ai`, `fields`); see
docs/evidence.md for the tokens and the verdict rule.

`read_evidence` never raises for anything a file contains: a part that cannot be read becomes an
`unreadable:<where>` item, and every reader works within fixed bounds (sizes, counts, pixels). It keeps
no shared mutable state, so the scanner's decode threads call it concurrently.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from . import imaging as _imaging  # noqa: F401  (registers the HEIC/HEIF opener with Pillow)
from . import watermark as _wm
from ._metadata_containers import MIME, RawMetadata, read_raw
from ._metadata_generators import a1111_item, from_exif, from_texts, novelai_item
from ._metadata_provenance import AI_SOURCE_TYPES, c2pa_items, xmp_items
from ._metadata_stealth import StealthError, read_stealth
from ._metadata_util import unreadable
from .imaging import open_image
from .results import EvidenceItem

__all__ = [
    "AI_SOURCE_TYPES",
    "EVIDENCE_VERSION",
    "KINDS",
    "KIND_LABELS",
    "MAX_PIXEL_CHECK",
    "format_evidence",
    "read_evidence",
]

log = logging.getLogger(__name__)

# Bump when what is read changes: the scanner then re-reads evidence for stored results (no model run).
EVIDENCE_VERSION = 1

KIND_LABELS = {
    "c2pa": "C2PA Content Credentials",
    "iptc": "IPTC digital source type (XMP)",
    "a1111": "AUTOMATIC1111 / Forge parameters",
    "comfyui": "ComfyUI workflow",
    "novelai": "NovelAI metadata",
    "invokeai": "InvokeAI metadata",
    "exif": "Software field naming a generator",
    "watermark": "Invisible watermark",
    "unreadable": "Metadata that could not be read",
}
KINDS = tuple(KIND_LABELS)
MAX_PIXEL_CHECK = 40_000_000  # larger images are not decoded for watermark/stealth checks
MAX_ITEMS = 24
_LOSSLESS = {"png", "webp", "tiff", "bmp", "gif"}


def _guard(where: str, fn: Callable[[], list[EvidenceItem]]) -> list[EvidenceItem]:
    """Run one reader; anything it raises becomes an `unreadable` item (and a logged traceback)."""
    try:
        return fn()
    except Exception as e:
        log.warning("Evidence reader %s failed", where, exc_info=True)
        return [unreadable(where, f"{type(e).__name__}: {e}")]


def _pixel_items(path: Path, fmt: str, watermark: bool, pixels: np.ndarray | None = None) -> list[EvidenceItem]:
    """Stealth LSB metadata and invisible watermarks; needs the pixels, so only within MAX_PIXEL_CHECK.

    Without the watermark step, only lossless images with alpha (where NovelAI hides its data) are decoded.
    `pixels` (the stored RGB, without alpha, as a scan already decoded them) saves decoding the file again.
    """
    stealth = fmt in _LOSSLESS
    if not (watermark or stealth):
        return []
    if pixels is not None and pixels.ndim == 3 and pixels.shape[2] == 3:
        if pixels.shape[0] * pixels.shape[1] > MAX_PIXEL_CHECK or not watermark:
            return []  # no alpha: nothing hides in it; the stealth RGB check runs with the watermark step
        return _pixel_checks(pixels, None, stealth, watermark)
    try:
        with open_image(path) as im:
            w, h = im.size
            has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            if w * h > MAX_PIXEL_CHECK or w * h == 0 or not (watermark or has_alpha):
                return []
            arr = np.asarray(im.convert("RGBA" if has_alpha else "RGB"))
    except Exception as e:  # undecodable pixels are the scan's error to report, not evidence
        log.debug("No pixel evidence for %s: %s", path, e)
        return []
    return _pixel_checks(arr[..., :3], arr[..., 3] if has_alpha else None, stealth, watermark)


def _pixel_checks(rgb: np.ndarray, alpha: np.ndarray | None, stealth: bool, watermark: bool) -> list[EvidenceItem]:
    items: list[EvidenceItem] = []
    if stealth:
        items += _guard("stealth", lambda: _stealth_items(rgb, alpha))
    if watermark:
        for p in _wm.find_watermarks(rgb):
            fields = {"watermark": p.label, "method": "invisible-watermark dwtDct, every bit exact"}
            items.append(EvidenceItem("watermark", p.name, True, fields))
    return items


def _stealth_items(rgb: np.ndarray, alpha: np.ndarray | None) -> list[EvidenceItem]:
    try:
        found = read_stealth(rgb, alpha)
    except StealthError as e:
        return [unreadable("novelai", f"stealth metadata in the pixel LSBs could not be read: {e}")]
    if found is None:
        return []
    magic, text = found
    where = f"{'alpha' if 'png' in magic else 'RGB'} LSB ({magic})"
    if text.lstrip().startswith("{"):
        try:
            payload = json.loads(text)
        except ValueError as e:
            return [unreadable("novelai", f"{where}: payload is not valid JSON: {e}")]
        if isinstance(payload, dict):
            info = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
            item = novelai_item(info, where, detail="stealth", force=True)
            return [item] if item else []
    item = a1111_item(text, where)
    return [item] if item else []


def _metadata_items(path: Path, meta: RawMetadata) -> list[EvidenceItem]:
    items: list[EvidenceItem] = []
    if meta.c2pa_hint and meta.format in MIME:
        items += _guard("c2pa", lambda: c2pa_items(path, MIME[meta.format]))
    if meta.xmp:
        items += _guard("xmp", lambda: xmp_items(meta.xmp or b"", f"{meta.format}:xmp"))
    if meta.texts:
        items += _guard("text", lambda: from_texts(meta.texts))
    if meta.exif is not None:
        exif = meta.exif
        items += _guard("exif", lambda: from_exif(exif, f"{meta.format}:exif"))
    return items


def read_evidence(
    path: str | os.PathLike[str], *, watermark: bool = True, pixels: np.ndarray | None = None
) -> tuple[EvidenceItem, ...]:
    """All provenance evidence in one file, strongest kinds first. Never raises for file content.

    `watermark=False` skips the invisible-watermark decode, the only step that decodes every image's pixels
    (stealth LSB data is still read from lossless images with alpha). `pixels`: the file's RGB exactly as
    stored (`DecodedImage.as_stored`), when the caller has decoded it already: it is not decoded again.
    """
    path = Path(path)
    try:
        meta = read_raw(path)
    except OSError as e:  # missing/unreadable file: the scan reports the file itself
        log.debug("No evidence for %s: %s", path, e)
        return ()
    except Exception as e:
        log.warning("Metadata of %s could not be read", path, exc_info=True)
        return (unreadable("file", f"{type(e).__name__}: {e}"),)
    items = _metadata_items(path, meta)
    if meta.structure_ok:  # a container the walker gave up on is not worth a full decode
        items += _guard("pixels", lambda: _pixel_items(path, meta.format, watermark, pixels))
    items += [unreadable(where, msg) for where, msg in meta.problems[:8]]
    return _tidy(items)


def _tidy(items: Iterable[EvidenceItem]) -> tuple[EvidenceItem, ...]:
    """Drop repeated tokens, order by kind (provenance standards first), cap the count."""
    seen: set[str] = set()
    out = []
    for it in sorted(items, key=lambda i: KINDS.index(i.kind) if i.kind in KINDS else len(KINDS)):
        if it.token() not in seen:
            seen.add(it.token())
            out.append(it)
    return tuple(out[:MAX_ITEMS])


def format_evidence(items: Iterable[EvidenceItem], *, max_value: int | None = 300) -> list[str]:
    """Readable lines for a detail view or `miwake inspect`: one header per item, then its fields."""
    lines: list[str] = []
    for it in items:
        verdict = "states AI generation" if it.states_ai else "does not state AI generation"
        if it.kind == "unreadable":
            verdict = "could not be read"
        lines.append(f"{it.token()}  — {KIND_LABELS.get(it.kind, it.kind)}; {verdict}")
        for key, value in it.fields.items():
            v = value if max_value is None or len(value) <= max_value else value[: max_value - 1] + "…"
            lines.append(f"    {key}: " + v.replace("\r", "").replace("\n", "\n      "))
    return lines
