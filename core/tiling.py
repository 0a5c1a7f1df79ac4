"""Where the crops go: native-resolution tiles that cover the image, never resampled.

Stride/overlap policy (README "Tiling"):
- Tiles are `crop` x `crop` pixels (clipped to the image when it is smaller along an axis, so an image
  smaller than a tile is scored whole at its own size).
- Default stride ("cover"): along each axis the fewest tiles that cover the whole length,
  `n = ceil(L / crop)`, spread evenly from the first to the last pixel; neighbours overlap by less than
  one tile and the last tile touches the edge. An explicit `stride` instead steps by at most `stride`
  pixels (more overlap, more tiles).
- Cap: at most `max_tiles` per image. Above it the grid is thinned on both axes in proportion, to an odd
  count on every axis the tiles no longer cover, and each such axis is cut into equal strips with a tile
  centred in each: every pixel is as close to a tile as the count allows (the gap at an edge is half the
  gap between two tiles), the middle of the picture is always sampled, and thinned tiles never hug the
  edges, where borders, frames and watermarks sit. When the odd grid has more cells than the budget, the
  cells left out are those of one flat colour first, then those farthest from the centre (bottom-right
  first among equals); `TileGrid.skip` names them and the heatmap shows them as not scored. Budgets too
  small for an odd grid (2-4 tiles on a large image) keep the even grid, centred in equal strips.
- Flat borders (letterbox bars, a uniform frame or canvas margin) are left out when the tiles are planned
  over the picture (`content_box`): a crop of one flat colour holds no trace of how the picture was made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_MAX_TILES = 64
TILING_VERSION = 2  # part of the scan's settings key: results of other tile layouts are not reused
FLAT_TOLERANCE = 6  # a border row/column spans at most this many levels per channel and matches the border colour


@dataclass(frozen=True)
class TileGrid:
    xs: tuple[int, ...]
    ys: tuple[int, ...]
    tile_w: int
    tile_h: int
    skip: frozenset[tuple[int, int]] = frozenset()  # (row, column) cells of the grid that are not scored

    @property
    def count(self) -> int:
        return len(self.xs) * len(self.ys) - len(self.skip)

    def cells(self) -> list[tuple[int, int]]:
        """(row, column) of every scored tile, row-major: the order of `extract_tiles` and of the logits."""
        return [(r, c) for r in range(len(self.ys)) for c in range(len(self.xs)) if (r, c) not in self.skip]

    def boxes(self) -> list[tuple[int, int, int, int]]:
        """(left, top, right, bottom) per scored tile, row-major."""
        return [(self.xs[c], self.ys[r], self.xs[c] + self.tile_w, self.ys[r] + self.tile_h) for r, c in self.cells()]


def _positions(start: int, length: int, tile: int, n: int, limit: int) -> tuple[int, ...]:
    """Tile offsets over [start, start + length) of an axis of `limit` pixels, each tile inside the image."""
    if length <= tile or n <= 1:
        pos = [start + (length - tile) / 2]
    elif n * tile >= length:  # the tiles cover the axis: edge to edge, evenly
        pos = list(start + np.linspace(0, length - tile, n))
    else:  # centred in n equal strips: edge gaps half the gaps between tiles
        pos = [start + (i + 0.5) * length / n - tile / 2 for i in range(n)]
    return tuple(sorted({min(max(0, int(round(v))), limit - tile) for v in pos}))


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


def _odd(nx: int, ny: int, ax: int, ay: int, max_tiles: int) -> tuple[int, int]:
    """Odd counts on the thinned axes, so that a tile sits on the centre line: the smallest odd grid next to the
    thinned one that fills the budget without leaving out more than half its cells (``_keep``); where none
    does (budgets of 2-4 tiles), the thinned grid itself, evenly spread."""
    opts = [[a] if a % 2 else [a - 1] + [a] * (a == n) + [a + 1] * (a < n) for a, n in ((ax, nx), (ay, ny))]
    fits = [(bx, by) for bx in opts[0] for by in opts[1] if max_tiles <= bx * by <= 2 * max_tiles]
    if not fits:
        return ax, ay
    return min(fits, key=lambda c: (c[0] * c[1], abs(c[0] / nx - c[1] / ny)))


def _keep(grid: TileGrid, max_tiles: int, flat: set[tuple[int, int]]) -> TileGrid:
    """Leave out cells over the budget: flat ones first, then the farthest from the centre, later ones first."""
    cells = grid.cells()
    if len(cells) <= max_tiles:
        return grid
    cx, cy = (len(grid.xs) - 1) / 2, (len(grid.ys) - 1) / 2

    def rank(i: int) -> tuple[bool, float, int]:
        r, c = cells[i]
        far = ((c - cx) / max(1, len(grid.xs))) ** 2 + ((r - cy) / max(1, len(grid.ys))) ** 2
        return ((r, c) in flat and far > 0, far, i)

    drop = sorted(range(len(cells)), key=rank)[max_tiles:]
    return TileGrid(grid.xs, grid.ys, grid.tile_w, grid.tile_h, frozenset(cells[i] for i in drop))


def plan_tiles(
    width: int,
    height: int,
    crop: int,
    *,
    stride: int | None = None,
    max_tiles: int = DEFAULT_MAX_TILES,
    region: tuple[int, int, int, int] | None = None,
    rgb: np.ndarray | None = None,
) -> TileGrid:
    """Plan native-resolution tiles for a `width` x `height` image (see module docstring).

    `region` (left, top, right, bottom) is the part of the image worth scoring (``content_box``); tiles are
    planned over it, and a region narrower than a tile gets one tile centred on it, still inside the image.
    `rgb` (the pixels) lets a thinned grid leave out flat cells before others."""
    if width <= 0 or height <= 0 or crop <= 0:
        raise ValueError(f"invalid size {width}x{height} or crop {crop}")
    x0, y0, x1, y1 = region or (0, 0, width, height)
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        raise ValueError(f"region {region} is not inside {width}x{height}")
    tw, th = min(crop, width), min(crop, height)
    nx, ny = _count(x1 - x0, tw, stride), _count(y1 - y0, th, stride)
    budget = max(1, max_tiles)
    ax, ay = _thin(nx, ny, budget)
    if (ax, ay) != (nx, ny):
        ax, ay = _odd(nx, ny, ax, ay, budget)
    grid = TileGrid(_positions(x0, x1 - x0, tw, ax, width), _positions(y0, y1 - y0, th, ay, height), tw, th)
    if grid.count <= budget:
        return grid
    flat = (
        set()
        if rgb is None
        else {
            (r, c) for r, c in grid.cells() if _is_flat(rgb[grid.ys[r] : grid.ys[r] + th, grid.xs[c] : grid.xs[c] + tw])
        }
    )
    return _keep(grid, budget, flat)


def _is_flat(tile: np.ndarray, tol: int = FLAT_TOLERANCE) -> bool:
    """One colour all over (sampled every 4th pixel): nothing for the model to read."""
    px = tile[::4, ::4].reshape(-1, tile.shape[-1])
    return bool(np.all(px.max(axis=0).astype(np.int16) - px.min(axis=0) <= tol))


def _flat_run(lines: np.ndarray, ref: np.ndarray, tol: int) -> bool:
    """Whether every line (row or column of pixels) of `lines` is one flat colour close to `ref`."""
    lo, hi = lines.min(axis=1), lines.max(axis=1)
    return bool(np.all(hi.astype(np.int16) - lo <= tol) and np.all(np.abs(hi.astype(np.int16) - ref) <= tol))


def _border(rgb: np.ndarray, axis: int, from_end: bool, tol: int) -> int:
    """How many rows (axis 0) or columns (axis 1) at one edge are a flat border of one colour."""
    a = rgb if axis == 0 else rgb.transpose(1, 0, 2)
    n = a.shape[0]
    if n < 2:
        return 0
    ref = a[-1 if from_end else 0].reshape(-1, a.shape[-1]).max(axis=0).astype(np.int16)
    done, step = 0, 16
    while done < n - 1:
        k = min(step, n - 1 - done)
        block = a[n - done - k : n - done] if from_end else a[done : done + k]
        if not _flat_run(block, ref, tol):  # find the first line of the block that is not border
            lines = block[::-1] if from_end else block
            for j in range(k):
                if not _flat_run(lines[j : j + 1], ref, tol):
                    return done + j
        done += k
        step *= 2
    return done


def content_box(rgb: np.ndarray, tol: int = FLAT_TOLERANCE) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the image without flat borders: uniform bars or frames of one colour at
    its edges (letterbox, pillarbox, a canvas margin). The whole image when it has none or is flat all over."""
    h, w = rgb.shape[:2]
    top = _border(rgb, 0, False, tol)
    if top >= h - 1:
        return 0, 0, w, h
    bottom = h - _border(rgb[top:], 0, True, tol)
    left = _border(rgb[top:bottom], 1, False, tol)
    right = w - _border(rgb[top:bottom, left:], 1, True, tol)
    return left, top, right, bottom


def plan_image_tiles(
    rgb: np.ndarray, crop: int, *, stride: int | None = None, max_tiles: int = DEFAULT_MAX_TILES
) -> TileGrid:
    """The tiles a scan scores for a decoded image: ``plan_tiles`` over its ``content_box``."""
    h, w = rgb.shape[:2]
    return plan_tiles(w, h, crop, stride=stride, max_tiles=max_tiles, region=content_box(rgb), rgb=rgb)


def unscored_fraction(grid: TileGrid, width: int, height: int) -> float:
    """The share of the image's pixels that no tile covers (what a thinned grid leaves out)."""
    return 1.0 - float(coverage_mask(grid, width, height).mean())


def coverage_mask(grid: TileGrid, width: int, height: int) -> np.ndarray:
    """height x width booleans: True where a scored tile lies."""
    mask = np.zeros((height, width), bool)
    for left, top, right, bottom in grid.boxes():
        mask[top:bottom, left:right] = True
    return mask


def extract_tiles(rgb: np.ndarray, grid: TileGrid) -> np.ndarray:
    """Tiles as an N x tile_h x tile_w x 3 uint8 array, row-major (copies; the source can be freed)."""
    out = np.empty((grid.count, grid.tile_h, grid.tile_w, rgb.shape[2]), dtype=rgb.dtype)
    for i, (left, top, right, bottom) in enumerate(grid.boxes()):
        out[i] = rgb[top:bottom, left:right]
    return out
