"""Where the crops go: native-resolution tiles that cover the image, never resampled.

Stride/overlap policy (README "Tiling"):
- Tiles are `crop` x `crop` pixels (clipped to the image when it is smaller along an axis, so an image
  smaller than a tile is scored whole at its own size).
- Default stride ("cover"): along each axis the fewest tiles that cover the whole length,
  `n = ceil(L / crop)`, spread evenly from the first to the last pixel; neighbours overlap by less than
  one tile and the last tile touches the edge. An explicit `stride` instead steps by at most `stride`
  pixels (more overlap, more tiles).
- Cap: at most `max_tiles` per image. Above it the grid is thinned on both axes in proportion, and the
  remaining tiles are still spread evenly from edge to edge, so a huge image is sampled everywhere
  (with gaps between tiles), never just its top-left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_MAX_TILES = 64


@dataclass(frozen=True)
class TileGrid:
    xs: tuple[int, ...]
    ys: tuple[int, ...]
    tile_w: int
    tile_h: int

    @property
    def count(self) -> int:
        return len(self.xs) * len(self.ys)

    def boxes(self) -> list[tuple[int, int, int, int]]:
        """(left, top, right, bottom) per tile, row-major."""
        return [(x, y, x + self.tile_w, y + self.tile_h) for y in self.ys for x in self.xs]


def _positions(length: int, tile: int, n: int) -> tuple[int, ...]:
    if n <= 1 or length <= tile:
        return (max(0, (length - tile) // 2),) if length > tile else (0,)
    return tuple(int(round(v)) for v in np.linspace(0, length - tile, n))


def _count(length: int, tile: int, stride: int | None) -> int:
    if length <= tile:
        return 1
    if stride is None or stride <= 0:
        return math.ceil(length / tile)
    return math.ceil((length - tile) / min(stride, tile)) + 1


def _thin(nx: int, ny: int, max_tiles: int) -> tuple[int, int]:
    if nx * ny <= max_tiles:
        return nx, ny
    f = math.sqrt(max_tiles / (nx * ny))
    ax, ay = max(1, min(nx, math.floor(nx * f))), max(1, min(ny, math.floor(ny * f)))
    while ax * ay > max_tiles:  # only possible when one axis was clamped to 1
        if ax >= ay:
            ax -= 1
        else:
            ay -= 1
    grown = True
    while grown:  # use the budget left by flooring, keeping the aspect
        grown = False
        for bx, by in sorted(((ax + 1, ay), (ax, ay + 1)), key=lambda t: abs(t[0] / nx - t[1] / ny)):
            if bx <= nx and by <= ny and bx * by <= max_tiles:
                ax, ay, grown = bx, by, True
                break
    return ax, ay


def plan_tiles(
    width: int, height: int, crop: int, *, stride: int | None = None, max_tiles: int = DEFAULT_MAX_TILES
) -> TileGrid:
    """Plan native-resolution tiles for a `width` x `height` image (see module docstring)."""
    if width <= 0 or height <= 0 or crop <= 0:
        raise ValueError(f"invalid size {width}x{height} or crop {crop}")
    tw, th = min(crop, width), min(crop, height)
    nx, ny = _count(width, tw, stride), _count(height, th, stride)
    nx, ny = _thin(nx, ny, max(1, max_tiles))
    return TileGrid(_positions(width, tw, nx), _positions(height, th, ny), tw, th)


def extract_tiles(rgb: np.ndarray, grid: TileGrid) -> np.ndarray:
    """Tiles as an N x tile_h x tile_w x 3 uint8 array, row-major (copies; the source can be freed)."""
    out = np.empty((grid.count, grid.tile_h, grid.tile_w, rgb.shape[2]), dtype=rgb.dtype)
    i = 0
    for y in grid.ys:
        for x in grid.xs:
            out[i] = rgb[y : y + grid.tile_h, x : x + grid.tile_w]
            i += 1
    return out
