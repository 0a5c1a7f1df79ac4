"""Format-blind augmentation: both classes go through the same random re-encoding.

Real and AI files usually differ in container and compression (PNG/WebP fakes, JPEG photos). A detector
trained on them as they are learns the file type. Every training crop, whatever its class, is therefore
cut at native resolution and then, at random: mildly downscaled, mildly blurred, flipped, and re-encoded
as JPEG (random quality and chroma subsampling), as WebP, or kept lossless. The crop is re-encoded with a
random margin and cut afterwards, so the JPEG 8x8 grid lands at a random phase, as it does for tiles at
scan time.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from miwake.core.imaging import open_image

_FILTERS = (Image.Resampling.BILINEAR, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS, Image.Resampling.BOX)
_MARGIN = 16


@dataclass(frozen=True)
class AugmentConfig:
    enabled: bool = True
    jpeg_prob: float = 0.55
    jpeg_quality: tuple[int, int] = (60, 100)
    webp_prob: float = 0.25  # lossless (no re-encoding) gets the remaining probability
    webp_quality: tuple[int, int] = (60, 100)
    blur_prob: float = 0.1
    blur_sigma: tuple[float, float] = (0.3, 1.0)
    downscale_prob: float = 0.15
    downscale: tuple[float, float] = (0.6, 0.95)
    hflip: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def off(cls) -> AugmentConfig:
        return cls(enabled=False)


def reencode(rgb: np.ndarray, fmt: str, quality: int, subsampling: int = 2) -> np.ndarray:
    """Encode as JPEG or WebP in memory and decode again (what a platform's re-upload does)."""
    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if fmt == "JPEG":
        im.save(buf, "JPEG", quality=int(quality), subsampling=subsampling)
    elif fmt == "WEBP":
        im.save(buf, "WEBP", quality=int(quality), method=4)
    else:
        raise ValueError(f"unknown format {fmt}")
    buf.seek(0)
    with open_image(buf) as out:
        return np.asarray(out.convert("RGB"), dtype=np.uint8)


def fits(width: int, height: int, crop: int) -> bool:
    """Training crops are never padded or upscaled: images smaller than a crop are not trained on."""
    return width >= crop and height >= crop


def train_crop(rgb: np.ndarray, crop: int, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """One augmented `crop` x `crop` uint8 training crop from a decoded image at least that large."""
    h, w = rgb.shape[:2]
    if not fits(w, h, crop):
        raise ValueError(f"image {w}x{h} smaller than crop {crop}")
    if not cfg.enabled:
        y, x = int(rng.integers(0, h - crop + 1)), int(rng.integers(0, w - crop + 1))
        return np.ascontiguousarray(rgb[y : y + crop, x : x + crop])
    scale = float(rng.uniform(*cfg.downscale)) if rng.random() < cfg.downscale_prob else 1.0
    out_side = min(crop + _MARGIN, int(math.floor(min(w, h) * scale)))
    out_side = max(out_side, crop)
    region = min(min(w, h), int(math.ceil(out_side / scale)))
    y, x = int(rng.integers(0, h - region + 1)), int(rng.integers(0, w - region + 1))
    patch = rgb[y : y + region, x : x + region]
    im = Image.fromarray(patch)
    if region != out_side:
        im = im.resize((out_side, out_side), _FILTERS[int(rng.integers(len(_FILTERS)))])
    if cfg.hflip and rng.random() < 0.5:
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if rng.random() < cfg.blur_prob:
        im = im.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(*cfg.blur_sigma))))
    arr = np.asarray(im, dtype=np.uint8)
    u = rng.random()
    if u < cfg.jpeg_prob:
        arr = reencode(
            arr, "JPEG", int(rng.integers(cfg.jpeg_quality[0], cfg.jpeg_quality[1] + 1)), int(rng.choice([0, 1, 2]))
        )
    elif u < cfg.jpeg_prob + cfg.webp_prob:
        arr = reencode(arr, "WEBP", int(rng.integers(cfg.webp_quality[0], cfg.webp_quality[1] + 1)))
    oy, ox = int(rng.integers(0, arr.shape[0] - crop + 1)), int(rng.integers(0, arr.shape[1] - crop + 1))
    return np.ascontiguousarray(arr[oy : oy + crop, ox : ox + crop])
