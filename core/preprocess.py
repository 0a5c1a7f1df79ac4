"""Turn a decoded image into model inputs, as its model card says.

- `crop` mode: native-resolution tiles (`core.tiling`), no resampling, so generator noise survives.
- `resize` mode: the classic pipeline (shorter side resized to the crop size, then a centre crop),
  kept to compare against; its heatmap is one cell covering the whole image.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .bundle import ModelCard
from .tiling import DEFAULT_MAX_TILES, TileGrid, extract_tiles, plan_image_tiles

_RESAMPLE = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def resize_center_crop(rgb: np.ndarray, size: int, interpolation: str = "bicubic") -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = size / min(h, w)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    im = Image.fromarray(rgb).resize((nw, nh), _RESAMPLE.get(interpolation, Image.Resampling.BICUBIC))
    left, top = (nw - size) // 2, (nh - size) // 2
    return np.asarray(im.crop((left, top, left + size, top + size)), dtype=np.uint8)


def tile_budget(card: ModelCard, requested: int | None = None) -> int:
    """Tiles per image: what the user asked for, else what the model card says, else the default (64)."""
    return int(requested or card.max_tiles or DEFAULT_MAX_TILES)


def make_inputs(
    rgb: np.ndarray, card: ModelCard, *, stride: int | None = None, max_tiles: int | None = None
) -> tuple[np.ndarray, TileGrid]:
    """Model inputs (N x H x W x 3 uint8) and the grid they map to on the image. `max_tiles` None: the
    card's tile budget (``tile_budget``)."""
    h, w = rgb.shape[:2]
    if card.input_mode == "resize":
        crop = resize_center_crop(rgb, card.crop_size, card.interpolation)
        return crop[None], TileGrid((0,), (0,), w, h)
    grid = plan_image_tiles(rgb, card.crop_size, stride=stride, max_tiles=tile_budget(card, max_tiles))
    return extract_tiles(rgb, grid), grid
