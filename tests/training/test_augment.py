import numpy as np
import pytest

from miwake.training.augment import AugmentConfig, fits, reencode, train_crop
from miwake.training.data import epoch_plan, sampling_weights
from miwake.training.dataset import Sample


@pytest.fixture
def rgb():
    return np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8)


def test_crop_shape_and_determinism(rgb):
    cfg = AugmentConfig()
    a = train_crop(rgb, 64, np.random.default_rng([1, 2, 3]), cfg)
    b = train_crop(rgb, 64, np.random.default_rng([1, 2, 3]), cfg)
    assert a.shape == (64, 64, 3) and a.dtype == np.uint8 and np.array_equal(a, b)


def test_no_augmentation_is_an_exact_native_crop(rgb):
    c = train_crop(rgb, 50, np.random.default_rng(0), AugmentConfig.off())
    hits = [(y, x) for y in range(0, 251) for x in range(0, 351) if np.array_equal(rgb[y : y + 50, x : x + 50], c)]
    assert len(hits) == 1


def test_reencode_changes_pixels_but_keeps_size(rgb):
    j = reencode(rgb, "JPEG", 70)
    w = reencode(rgb, "WEBP", 70)
    assert j.shape == w.shape == rgb.shape and not np.array_equal(j, rgb) and not np.array_equal(w, rgb)


def test_small_images_do_not_fit():
    assert fits(256, 256, 256) and not fits(255, 400, 256)
    with pytest.raises(ValueError):
        train_crop(np.zeros((10, 10, 3), np.uint8), 32, np.random.default_rng(0), AugmentConfig())


def test_sampling_balances_classes_and_tempers_sources():
    samples = [Sample(f"a{i}", 1, "big") for i in range(90)] + [Sample(f"b{i}", 1, "small") for i in range(10)]
    samples += [Sample(f"r{i}", 0, "r") for i in range(20)]
    w = sampling_weights(samples, source_power=0.5)
    assert abs(w[:100].sum() - 0.5) < 1e-9 and abs(w[100:].sum() - 0.5) < 1e-9
    big, small = w[:90].sum(), w[90:100].sum()
    assert big / small == pytest.approx(3.0)  # sqrt(90) / sqrt(10)
    p1, p2 = epoch_plan(w, 50, 0, 3), epoch_plan(w, 50, 0, 3)
    assert np.array_equal(p1, p2) and not np.array_equal(p1, epoch_plan(w, 50, 0, 4))
