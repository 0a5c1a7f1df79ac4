"""The noise-residual features (`core.residual`): what each group of numbers responds to, and that they are the
numbers of a plain numpy reference (np.fft) at every crop size, so the matrix-product DFT and the size-free index
arithmetic (written for the ONNX export) compute what they say."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from miwake.core.residual import DIMS, NAMES, PERIODS, RADIAL_BANDS
from miwake.training.features import residual_pooled as residual_features


def noise(seed: int, size: int = 224, sd: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(128 + rng.normal(0, sd, (size, size, 3)), 0, 255)


def reference(crop: np.ndarray) -> np.ndarray:
    """The 24 numbers, written the obvious way with numpy (the implementation the features were first measured with)."""
    x = crop.astype(np.float64)
    p = np.pad(x, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = x.shape[:2]
    res = x - sum(p[i : i + h, j : j + w] for i in range(3) for j in range(3)) / 9.0
    gray = res @ np.array([0.299, 0.587, 0.114])
    std = gray.std()
    z = (gray - gray.mean()) / (std + 1e-6)
    out = [np.log(std + 1e-3), np.mean(z**4) - 3.0, np.mean(np.abs(gray) < 1e-3)]
    flat = res.reshape(-1, 3) - res.reshape(-1, 3).mean(0)
    norms = np.sqrt((flat**2).sum(0)) + 1e-6
    out += [(flat[:, a] * flat[:, b]).sum() / (norms[a] * norms[b]) for a, b in ((0, 1), (1, 2), (0, 2))]
    power = np.log(np.abs(np.fft.fft2(gray * np.outer(np.hanning(h), np.hanning(w)))) ** 2 + 1e-6)
    radius = np.minimum(np.hypot(np.abs(np.fft.fftfreq(h))[:, None], np.abs(np.fft.fftfreq(w))[None, :]), 0.5)
    band = np.minimum((radius / 0.5 * RADIAL_BANDS).astype(int), RADIAL_BANDS - 1)
    radial = np.bincount(band.ravel(), power.ravel(), RADIAL_BANDS) / np.maximum(
        np.bincount(band.ravel(), minlength=RADIAL_BANDS), 1
    )
    out += list(radial - radial.mean())
    for period in PERIODS:
        lifts = []
        for k in range(1, period // 2 + 1):
            fy, fx = round(k * h / period) % h, round(k * w / period) % w
            for y, x0 in ((fy, 0), (0, fx), (fy, fx)):
                patch = power[np.ix_([(y + d) % h for d in range(-2, 3)], [(x0 + d) % w for d in range(-2, 3)])]
                lifts.append(power[y, x0] - np.median(np.delete(patch.ravel(), 12)))
        out += [max(lifts), np.mean(lifts)] if min(h, w) >= 2 * period else [0.0, 0.0]
    return np.asarray(out)


def test_shape_and_names():
    crops = np.stack([noise(0), noise(1)]).astype(np.uint8)
    f = residual_features(crops)
    assert f.shape == (2, DIMS) == (2, len(NAMES)) and f.dtype == np.float32 and np.isfinite(f).all()
    assert residual_features(np.zeros((0, 224, 224, 3), np.uint8)).shape == (0, DIMS)
    from miwake.core.residual import residual_features as torch_features

    assert torch_features(torch.zeros(0, 3, 50, 60)).shape == (0, DIMS)  # the model's own call, an empty batch
    small = residual_features(np.stack([noise(2, size=20)]).astype(np.uint8))  # smaller than a crop: scored whole
    assert small.shape == (1, DIMS) and np.isfinite(small).all()


@pytest.mark.parametrize("shape", [(224, 224), (100, 150), (224, 120), (17, 9), (3, 3), (1, 5)])
def test_the_numbers_of_the_numpy_reference_at_every_size(shape):
    rng = np.random.default_rng(sum(shape))
    smooth = np.cumsum(rng.normal(0, 3, (*shape, 3)), axis=0)  # a photo-like residual, not only white noise
    crops = np.stack([rng.integers(0, 256, (*shape, 3)), np.clip(128 + smooth, 0, 255)]).astype(np.uint8)
    got = residual_features(crops)
    for crop, row in zip(crops, got):
        np.testing.assert_allclose(row, reference(crop), atol=2e-4, rtol=1e-4)
    flat = residual_features(np.full((1, *shape, 3), 128, np.uint8))[0]  # no residual at all: log(1e-6) everywhere
    np.testing.assert_allclose(flat, reference(np.full((*shape, 3), 128, np.uint8)), atol=1e-5)


def test_float32_under_autocast():
    """A GPU scan runs the network under fp16 autocast (a CPU one may under bf16): the residual must not."""
    x = torch.from_numpy(noise(6)).permute(2, 0, 1)[None].float()
    from miwake.core.residual import residual_features as torch_features

    plain = torch_features(x)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        under = torch_features(x)
    assert under.dtype == torch.float32
    torch.testing.assert_close(under, plain)


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
