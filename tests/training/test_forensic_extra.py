"""The experimental noise features (`training.forensic_extra`, measured for #23, not shipped): what they respond to."""

from __future__ import annotations

import numpy as np

from miwake.training.forensic_extra import DIMS, NAMES, extra_pooled


def _noise(seed: int) -> np.ndarray:
    return np.clip(128 + np.random.default_rng(seed).normal(0, 4, (64, 64, 3)), 0, 255)


def test_noisier_every_other_row_shows_in_the_period_2_term_wherever_the_crop_starts():
    plain = _noise(0)
    rows = plain.copy()
    rows[::2] += np.random.default_rng(1).normal(0, 10, (32, 64, 3))
    f = extra_pooled(np.stack([plain, rows, np.roll(rows, 1, axis=0)]).clip(0, 255).astype(np.uint8))
    assert f.shape == (3, DIMS) == (3, len(NAMES)) and np.isfinite(f).all()
    i = NAMES.index("cyc2_10")  # the vertical period-2 term
    assert f[1, i] > f[0, i] + 2 and abs(f[2, i] - f[1, i]) < 0.1  # shifted by a row: the same magnitude


def test_noise_that_grows_with_brightness_correlates_with_it():
    ramp = np.repeat(np.linspace(20, 230, 64)[None, :, None], 64, axis=0).repeat(3, axis=2)
    shot = ramp + np.random.default_rng(2).normal(0, 1, ramp.shape) * np.sqrt(ramp) * 0.8  # camera-like noise
    flat = ramp + np.random.default_rng(3).normal(0, 6, ramp.shape)  # the same noise everywhere
    f = extra_pooled(np.stack([shot, flat]).clip(0, 255).astype(np.uint8))
    i = NAMES.index("block_corr")
    assert f[0, i] > 0.5 and abs(f[1, i]) < 0.4
    assert extra_pooled(np.zeros((0, 8, 8, 3), np.uint8)).shape == (0, DIMS)
    assert np.isfinite(extra_pooled(np.full((1, 5, 7, 3), 9, np.uint8))).all()  # smaller than a block
