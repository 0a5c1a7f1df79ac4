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
    if len(g.xs) > 1:  # spread edge to edge, evenly
        assert g.xs[0] == 0 and g.xs[-1] + g.tile_w == w
        steps = np.diff(g.xs)
        assert steps.max() - steps.min() <= 1
    if len(g.ys) > 1:
        assert g.ys[0] == 0 and g.ys[-1] + g.tile_h == h
    # not just the top-left: the tiles reach past the middle of the image on both axes
    if len(g.xs) > 1:
        assert max(g.xs) > w / 2
    if len(g.ys) > 1:
        assert max(g.ys) > h / 2


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
    from miwake.core.scanner import ScanOptions
    from miwake.core.tiling import DEFAULT_MAX_TILES

    plain = ModelCard(id="a", display_name="a", arch="x", crop_size=32)
    slow = plain.with_(max_tiles=4)
    rgb = np.zeros((320, 320, 3), np.uint8)  # 10 x 10 tiles wanted
    assert tile_budget(plain) == DEFAULT_MAX_TILES
    assert make_inputs(rgb, slow)[0].shape[0] == 4
    assert make_inputs(rgb, slow, max_tiles=9)[0].shape[0] == 9
    grid = make_inputs(rgb, slow)[1]
    assert grid.xs[0] == 0 and grid.xs[-1] + 32 == 320  # still spread edge to edge

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
