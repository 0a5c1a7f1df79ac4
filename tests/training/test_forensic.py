"""The noise-residual features (`training.forensic`): what each group of numbers responds to."""

from __future__ import annotations

import numpy as np
import pytest

from miwake.training.forensic import DIMS, NAMES, residual_features


def noise(seed: int, size: int = 224, sd: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(128 + rng.normal(0, sd, (size, size, 3)), 0, 255)


def test_shape_and_names():
    crops = np.stack([noise(0), noise(1)]).astype(np.uint8)
    f = residual_features(crops)
    assert f.shape == (2, DIMS) == (2, len(NAMES)) and f.dtype == np.float32 and np.isfinite(f).all()
    assert residual_features(np.zeros((0, 224, 224, 3), np.uint8)).shape == (0, DIMS)
    small = residual_features(np.stack([noise(2, size=20)]).astype(np.uint8))  # smaller than a crop: scored whole
    assert small.shape == (1, DIMS) and np.isfinite(small).all()


def test_an_8_pixel_period_lifts_its_peak_and_not_noise():
    """A latent decoder's 8x upsampling leaves energy at multiples of 1/8 of the sampling rate."""
    plain = noise(3)
    gridded = plain.copy()
    gridded[::8] += 12  # every 8th row brighter
    gridded[:, ::8] += 12
    f_plain, f_grid = residual_features(np.stack([plain, gridded]).astype(np.uint8))
    i = NAMES.index("period8_max")
    assert f_grid[i] > f_plain[i] + 3  # about e^3 = 20x the power of the neighbourhood


def test_channel_correlation_tells_grey_from_independent_noise():
    grey = np.repeat(noise(4)[..., :1], 3, axis=2)
    f_grey, f_colour = residual_features(np.stack([grey, noise(5)]).astype(np.uint8))
    for name in ("corr_rg", "corr_gb", "corr_rb"):
        i = NAMES.index(name)
        assert f_grey[i] == pytest.approx(1.0, abs=1e-3) and abs(f_colour[i]) < 0.1
