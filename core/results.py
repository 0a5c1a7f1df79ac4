"""The values a scan produces: per-image results, verdicts, error kinds and heatmaps.

Frozen dataclasses only: they cross threads (scan worker → GUI) and processes (JSON) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from .textsafe import for_utf8, has_surrogates


class Verdict(str, Enum):
    AI = "ai"
    HUMAN = "human"
    UNSURE = "unsure"
    ERROR = "error"


class ErrorKind(str, Enum):
    """Why a file got no score. Every file found yields a score or exactly one of these."""

    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    EMPTY = "empty"
    NOT_IMAGE = "not_image"
    CORRUPT = "corrupt"
    TRUNCATED = "truncated"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED = "unsupported"
    TOO_COMPLEX = "too_complex"
    READ_ERROR = "read_error"  # the disk or network failed to deliver the bytes (EIO, ESTALE, a timeout): retried
    OUT_OF_MEMORY = "out_of_memory"  # not enough memory to decode it now: retried at the next scan
    INTERNAL = "internal"


class Reason(str, Enum):
    """What decided the verdict: the pixel model, or metadata that states AI generation (issue #6)."""

    PIXELS = "pixels"
    METADATA = "metadata"


@dataclass(frozen=True)
class Heatmap:
    """Per-crop AI probabilities on the image's tile grid.

    `xs`/`ys` are the left/top pixel offsets of the tile columns/rows (native resolution);
    `probs[r][c]` is the probability of the tile at (`xs[c]`, `ys[r]`) of size `tile_w` x `tile_h`, or None
    for a cell of the grid that was not scored (a thinned grid leaves some out: ``core.tiling``).
    In resize mode the grid is a single cell covering the whole image.
    """

    xs: tuple[int, ...]
    ys: tuple[int, ...]
    tile_w: int
    tile_h: int
    probs: tuple[tuple[float | None, ...], ...]

    def tiles(self) -> list[tuple[int, int, int, int, float]]:
        """(row, column, left, top, probability) of every scored tile, row-major."""
        return [
            (r, c, self.xs[c], self.ys[r], p)
            for r, row in enumerate(self.probs)
            for c, p in enumerate(row)
            if p is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "xs": list(self.xs),
            "ys": list(self.ys),
            "tile_w": self.tile_w,
            "tile_h": self.tile_h,
            "probs": [[None if p is None else round(p, 5) for p in row] for row in self.probs],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Heatmap:
        return cls(
            xs=tuple(int(v) for v in d["xs"]),
            ys=tuple(int(v) for v in d["ys"]),
            tile_w=int(d["tile_w"]),
            tile_h=int(d["tile_h"]),
            probs=tuple(tuple(None if p is None else float(p) for p in row) for row in d["probs"]),
        )

    def probability_at(self, x: float, y: float) -> float | None:
        """Probability of the tile under image pixel (x, y) (the nearest tile centre where tiles overlap)."""
        hit = self.tile_at(x, y)
        return None if hit is None else self.probs[hit[0]][hit[1]]

    def tile_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the scored tile under image pixel (x, y), the nearest centre where tiles overlap;
        None where no tile was scored."""
        best: tuple[float, tuple[int, int]] | None = None
        for r, c, tx, ty, _ in self.tiles():
            if tx <= x < tx + self.tile_w and ty <= y < ty + self.tile_h:
                d = (x - tx - self.tile_w / 2) ** 2 + (y - ty - self.tile_h / 2) ** 2
                if best is None or d < best[0]:
                    best = (d, (r, c))
        return None if best is None else best[1]


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of provenance evidence read from the file itself (filled by `core.evidence`, issue #6)."""

    kind: str  # c2pa, iptc, a1111, comfyui, novelai, invokeai, exif, watermark, unreadable
    detail: str
    states_ai: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Metadata can hold text no UTF-8 writer takes (lone surrogates from a JSON "\\ud800" escape or from
        undecodable bytes): escaped once here, so CSV, JSON, the app and the worker's event lines all write it."""
        object.__setattr__(self, "detail", for_utf8(str(self.detail)))
        if any(has_surrogates(str(k)) or has_surrogates(str(v)) for k, v in self.fields.items()):
            object.__setattr__(self, "fields", {for_utf8(str(k)): for_utf8(str(v)) for k, v in self.fields.items()})

    def token(self) -> str:
        return f"{self.kind}:{self.detail}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "states_ai": self.states_ai, "fields": dict(self.fields)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceItem:
        return cls(str(d["kind"]), str(d["detail"]), bool(d.get("states_ai")), dict(d.get("fields") or {}))


@dataclass(frozen=True)
class ImageResult:
    """The outcome for one file: a score (probability, verdict, heatmap) or an error."""

    path: str
    size: int = 0
    mtime_ns: int = 0
    content_hash: str | None = None
    model_id: str = ""
    probability: float | None = None
    verdict: Verdict = Verdict.ERROR
    reason: Reason = Reason.PIXELS
    heatmap: Heatmap | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    crops: int = 0
    max_crop_probability: float | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None
    evidence: tuple[EvidenceItem, ...] = ()
    scanned_at: str = ""
    reused: bool = False

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    @property
    def evidence_states_ai(self) -> bool:
        return any(e.states_ai for e in self.evidence)

    def evidence_tokens(self) -> str:
        return ";".join(e.token() for e in self.evidence)

    def with_(self, **changes: Any) -> ImageResult:
        return replace(self, **changes)
