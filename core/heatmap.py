"""Heatmap colours and the overlay PNGs of reports (`--heatmaps`, Export), drawn with Pillow.

The app draws its live overlay with QPainter (`gui/widgets/heatmap_view.py`) but takes its colours from
`probability_color` here, so a tile has the same colour on screen and in an exported PNG.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .results import Heatmap


def probability_color(p: float) -> tuple[int, int, int]:
    """Blue (human) → white-ish (unsure) → red (AI); distinguishable for red-green colour blindness."""
    p = min(1.0, max(0.0, float(p)))
    lo, mid, hi = np.array((49, 130, 189)), np.array((240, 240, 240)), np.array((215, 48, 39))
    c = lo + (mid - lo) * (p / 0.5) if p < 0.5 else mid + (hi - mid) * ((p - 0.5) / 0.5)
    return tuple(int(round(v)) for v in c)  # type: ignore[return-value]


def overlay_rgba(width: int, height: int, heat: Heatmap, opacity: float = 0.45) -> Image.Image:
    """A transparent layer, image-sized, with each tile filled in its probability colour.

    Where tiles overlap, the later tile (row-major) is drawn on top; edges are outlined so the grid shows.
    What no tile scored is hatched in grey: the picture there was not looked at (``unscored_hatch``).
    """
    layer = unscored_hatch(width, height, heat)
    draw = ImageDraw.Draw(layer)
    a = int(round(255 * min(1.0, max(0.0, opacity))))
    for _, _, x, y, p in heat.tiles():
        col = probability_color(p)
        box = (x, y, x + heat.tile_w - 1, y + heat.tile_h - 1)
        draw.rectangle(box, fill=(*col, a), outline=(*col, min(255, a + 90)), width=max(1, width // 400))
    return layer


UNSCORED_RGBA = (110, 110, 110, 90)  # the veil over what no crop scored; the app uses it too


def unscored_hatch(width: int, height: int, heat: Heatmap) -> Image.Image:
    """A transparent layer with grey diagonal hatching wherever no scored tile lies."""
    covered = np.zeros((height, width), bool)
    for _, _, x, y, _ in heat.tiles():
        covered[y : y + heat.tile_h, x : x + heat.tile_w] = True
    layer = np.zeros((height, width, 4), np.uint8)
    if covered.all():
        return Image.fromarray(layer, "RGBA")
    step = max(8, min(width, height) // 60)
    yy, xx = np.mgrid[0:height, 0:width]
    stripe = ((xx + yy) // max(1, step // 3)) % 3 == 0
    layer[~covered] = UNSCORED_RGBA
    layer[~covered & stripe, 3] = min(255, UNSCORED_RGBA[3] * 2)
    return Image.fromarray(layer, "RGBA")


def render_overlay(
    rgb: np.ndarray, heat: Heatmap, *, opacity: float = 0.45, max_side: int = 1600, labels: bool = True
) -> Image.Image:
    """The image with its crop grid drawn over it (downscaled to `max_side` for a light PNG)."""
    img = Image.fromarray(rgb).convert("RGBA")
    composed = Image.alpha_composite(img, overlay_rgba(img.width, img.height, heat, opacity))
    scale = min(1.0, max_side / max(composed.size))
    if scale < 1.0:
        composed = composed.resize(
            (max(1, round(composed.width * scale)), max(1, round(composed.height * scale))), Image.Resampling.LANCZOS
        )
    if labels:
        draw = ImageDraw.Draw(composed)
        size = max(10, int(min(heat.tile_w, heat.tile_h) * scale / 6))
        try:
            font = ImageFont.load_default(size=size)
        except TypeError:  # Pillow without FreeType
            font = ImageFont.load_default()
        for _, _, x, y, p in heat.tiles():
            text = f"{p:.2f}"
            cx, cy = (x + heat.tile_w / 2) * scale, (y + heat.tile_h / 2) * scale
            draw.text(
                (cx, cy),
                text,
                fill=(255, 255, 255, 255),
                font=font,
                anchor="mm",
                stroke_width=max(1, size // 8),
                stroke_fill=(0, 0, 0, 255),
            )
    return composed.convert("RGB")
