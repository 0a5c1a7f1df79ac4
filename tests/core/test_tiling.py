import numpy as np
import pytest

from miwake.core.tiling import extract_tiles, plan_tiles


def covered(width, height, grid):
    mask = np.zeros((height, width), bool)
    for left, top, right, bottom in grid.boxes():
        mask[top:bottom, left:right] = True
    return mask


@pytest.mark.parametrize(
    "w,h,crop",
    [(256, 256, 256), (257, 256, 256), (1000, 600, 256), (511, 513, 256), (4000, 300, 224), (33, 1000, 32)],
)
def test_cover_policy_covers_every_pixel(w, h, crop):
    g = plan_tiles(w, h, crop, max_tiles=10_000)
    assert covered(w, h, g).all()
    assert g.tile_w == min(crop, w) and g.tile_h == min(crop, h)
    # fewest tiles: ceil(L / crop) per axis
    assert len(g.xs) == -(-w // crop) and len(g.ys) == -(-h // crop)
    # first tile at the edge, last tile touches the far edge, all inside
    assert g.xs[0] == 0 and g.xs[-1] + g.tile_w == w
    assert g.ys[0] == 0 and g.ys[-1] + g.tile_h == h


def test_image_smaller_than_tile_is_scored_whole():
    g = plan_tiles(100, 60, 256)
    assert g.count == 1 and (g.tile_w, g.tile_h) == (100, 60) and g.xs == (0,) and g.ys == (0,)


def test_one_axis_smaller_than_tile():
    g = plan_tiles(600, 100, 256)
    assert g.tile_h == 100 and len(g.ys) == 1 and len(g.xs) == 3
    assert covered(600, 100, g).all()


@pytest.mark.parametrize("w,h,cap", [(8000, 6000, 64), (20000, 500, 16), (5000, 5000, 1), (3000, 2000, 7)])
def test_cap_spreads_tiles_over_the_whole_image(w, h, cap):
    g = plan_tiles(w, h, 256, max_tiles=cap)
    assert 1 <= g.count <= cap
    assert all(0 <= x <= w - g.tile_w for x in g.xs) and all(0 <= y <= h - g.tile_h for y in g.ys)
    for pos, length, tile in ((g.xs, w, g.tile_w), (g.ys, h, g.tile_h)):
        if len(pos) * tile < length:  # thinned: centred in equal strips, evenly, off the edges
            pitch = length / len(pos)
            assert all(abs(p - ((i + 0.5) * pitch - tile / 2)) <= 1 for i, p in enumerate(pos))
            assert pos[0] > 0 and pos[-1] + tile < length
    # not just the top-left: the tiles reach past the middle of the image on both axes
    if len(g.xs) > 1:
        assert max(g.xs) > w / 2
    if len(g.ys) > 1:
        assert max(g.ys) > h / 2


SIZES = [
    (224, 224),
    (225, 224),
    (300, 200),
    (512, 512),
    (640, 480),
    (768, 512),
    (1024, 1024),
    (1920, 1080),
    (2048, 1536),
    (4000, 3000),
    (3000, 4000),
    (6000, 2000),
    (1500, 8000),
]
BUDGETS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 24, 64]


def farthest_from_a_tile(w, h, grid, step=8):
    """The largest Chebyshev distance from a pixel (sampled every `step`) to the nearest scored tile."""
    xs, ys = np.meshgrid(np.arange(0, w, step), np.arange(0, h, step))
    best = np.full(xs.shape, np.inf)
    for left, top, right, bottom in grid.boxes():
        dx = np.maximum(0, np.maximum(left - xs, xs - (right - 1)))
        dy = np.maximum(0, np.maximum(top - ys, ys - (bottom - 1)))
        best = np.minimum(best, np.maximum(dx, dy))
    return float(best.max())


@pytest.mark.parametrize("w,h", SIZES)
def test_every_part_of_the_picture_is_within_a_crops_reach_at_every_budget(w, h):
    """Issue #24: the thinned grid must not leave the middle unscored or pile its crops at the edges."""
    crop = 224
    for budget in BUDGETS:
        g = plan_tiles(w, h, crop, max_tiles=budget)
        assert 1 <= g.count <= budget
        wanted = (-(-w // crop)) * (-(-h // crop))
        assert g.count >= 0.75 * min(budget, wanted)  # the budget is used
        # the middle of the picture is always inside a scored crop (a budget of 2-4 may keep an even grid)
        assert budget in (2, 3, 4) or any(x0 <= w // 2 < x1 and y0 <= h // 2 < y1 for x0, y0, x1, y1 in g.boxes()), (
            w,
            h,
            budget,
            g,
        )
        # every pixel is within reach: in a scored strip cell at most half a gap from its crop, in a cell left
        # out at most two strips farther (cells are left out from the outside in)
        pitch = max(w / len(g.xs), h / len(g.ys))
        assert farthest_from_a_tile(w, h, g) <= 2 * pitch, (w, h, budget, g)


def test_the_issues_1024_image_is_scored_in_its_middle_rows_too():
    g = plan_tiles(1024, 1024, 224, max_tiles=8)
    assert g.count == 8
    assert len(g.ys) == 3 and g.ys[1] <= 512 - 112 + 1  # a row through the middle, not only top and bottom
    assert (2, 2) in g.skip  # the cell left out is the bottom-right corner (where watermarks sit)


def test_a_512_image_has_no_unscored_strip_across_it():
    g = plan_tiles(512, 512, 224, max_tiles=8)
    mask = covered(512, 512, g)
    assert mask.any(axis=1).all() and mask.any(axis=0).all()


def test_flat_borders_are_left_out():
    from miwake.core.tiling import content_box, plan_image_tiles

    rng = np.random.default_rng(0)
    rgb = np.zeros((3000, 4000, 3), np.uint8)  # a poster on a black frame of 700 px at the sides, 300 at top/bottom
    rgb[300:2700, 700:3300] = rng.integers(0, 255, (2400, 2600, 3), dtype=np.uint8)
    assert content_box(rgb) == (700, 300, 3300, 2700)
    g = plan_image_tiles(rgb, 224, max_tiles=8)
    for left, top, right, bottom in g.boxes():
        assert 700 <= left and right <= 3300 and 300 <= top and bottom <= 2700
    white = np.full((600, 800, 3), 255, np.uint8)  # a flat picture is still scored, all over
    assert content_box(white) == (0, 0, 800, 600)
    assert plan_image_tiles(white, 224, max_tiles=8).count == 8
    small = np.full((1000, 1000, 3), 240, np.uint8)  # content narrower than a crop: one crop centred on it
    small[450:550, 480:520] = rng.integers(0, 255, (100, 40, 3), dtype=np.uint8)
    g = plan_image_tiles(small, 224, max_tiles=8)
    assert g.count == 1 and g.boxes()[0] == (388, 388, 612, 612)


def test_a_thinned_grid_leaves_out_flat_cells_before_others():
    from miwake.core.tiling import plan_image_tiles

    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 255, (1024, 1024, 3), dtype=np.uint8)
    rgb[:341, :341] = 128  # the top-left cell of the 3 x 3 grid is one flat grey
    g = plan_image_tiles(rgb, 224, max_tiles=8)
    assert g.skip == frozenset({(0, 0)})


def test_heatmap_of_a_thinned_grid_says_what_was_not_scored(tmp_path):
    from miwake.core.heatmap import UNSCORED_RGBA, overlay_rgba
    from miwake.core.results import Heatmap

    g = plan_tiles(1024, 1024, 224, max_tiles=8)
    probs = iter(np.linspace(0.1, 0.9, g.count))
    rows = tuple(tuple(None if (r, c) in g.skip else float(next(probs)) for c in range(3)) for r in range(3))
    heat = Heatmap(g.xs, g.ys, g.tile_w, g.tile_h, rows)
    back = Heatmap.from_dict(heat.to_dict()).probs[2]
    assert back[:2] == pytest.approx(rows[2][:2], abs=1e-5) and back[2] is None
    assert heat.to_dict()["probs"][2][2] is None
    assert len(heat.tiles()) == 8
    assert heat.probability_at(900, 900) is None  # the left-out corner
    assert heat.probability_at(512, 512) == pytest.approx(rows[1][1])
    layer = np.asarray(overlay_rgba(1024, 1024, heat))
    assert tuple(layer[1010, 1010, :3]) == UNSCORED_RGBA[:3] and layer[1010, 1010, 3] > 0  # hatched, grey
    assert tuple(layer[512, 512, :3]) != UNSCORED_RGBA[:3]


def test_cap_uses_its_budget_keeping_aspect():
    g = plan_tiles(8192, 4096, 256, max_tiles=64)  # 32 x 16 tiles wanted
    assert g.count >= 48 and len(g.xs) > len(g.ys)


def test_explicit_stride_adds_overlap():
    a = plan_tiles(1000, 256, 256)
    b = plan_tiles(1000, 256, 256, stride=128, max_tiles=10_000)
    assert len(b.xs) > len(a.xs)
    assert max(np.diff(b.xs)) <= 128


def test_extract_tiles_takes_native_pixels():
    rgb = np.arange(40 * 70 * 3, dtype=np.uint32).reshape(40, 70, 3).astype(np.uint8)
    g = plan_tiles(70, 40, 32)
    tiles = extract_tiles(rgb, g)
    assert tiles.shape == (g.count, 32, 32, 3)
    for t, (left, top, right, bottom) in zip(tiles, g.boxes()):
        assert np.array_equal(t, rgb[top:bottom, left:right])


def test_invalid_sizes():
    with pytest.raises(ValueError):
        plan_tiles(0, 10, 32)


def test_tile_budget_comes_from_the_user_then_the_card_then_the_default() -> None:
    from miwake.core.bundle import ModelCard
    from miwake.core.preprocess import make_inputs, tile_budget
    from miwake.core.scan_options import ScanOptions
    from miwake.core.tiling import DEFAULT_MAX_TILES

    plain = ModelCard(id="a", display_name="a", arch="x", crop_size=32)
    slow = plain.with_(max_tiles=4)
    rgb = np.zeros((320, 320, 3), np.uint8)  # 10 x 10 tiles wanted
    assert tile_budget(plain) == DEFAULT_MAX_TILES
    assert make_inputs(rgb, slow)[0].shape[0] == 4
    assert make_inputs(rgb, slow, max_tiles=9)[0].shape[0] == 9
    grid = make_inputs(rgb, slow)[1]
    assert grid.xs[0] > 0 and grid.xs[-1] + 32 < 320  # spread evenly, centred in equal strips

    class B:
        card = slow

    assert ScanOptions().settings_key(B()) != ScanOptions(max_tiles=9).settings_key(B())


def test_card_tile_budget_survives_the_round_trip_and_is_checked() -> None:
    from miwake.core.bundle import ModelCard
    from miwake.core.errors import BundleError

    card = ModelCard(id="a", display_name="a", arch="x", max_tiles=12, weights_sha256="0" * 64)
    assert ModelCard.from_dict(card.to_dict()).max_tiles == 12
    with pytest.raises(BundleError, match="max_tiles"):
        ModelCard(id="a", display_name="a", arch="x", max_tiles=0)
