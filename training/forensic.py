"""Cheap forensic features of a crop, beside the DINOv2 ones (issue #23, the "noise residual" lever).

A generator's last layers leave traces in the noise residual (the image minus its local mean) that a semantic
backbone may not describe: latent-diffusion decoders upsample by 8 and GANs by 2 and 4, which puts periodic
peaks into the residual's spectrum at multiples of 1/8, 1/4 and 1/2 of the sampling rate; a camera's
demosaicking makes the three colour channels' residuals correlate in ways a generator need not copy. Per crop:

- residual statistics: log std, excess kurtosis, the share of exact zeros (flat or quantised areas) — 3;
- the correlation of the colour channels' residuals (R-G, G-B, R-B) — 3;
- the residual's power spectrum (Hann-windowed), mean log power in 12 radial bands, relative to its mean — 12;
- periodic peaks: for periods 8, 4 and 2 pixels, the log power at the peak frequencies (horizontal, vertical,
  diagonal) above the median of their neighbourhood, max and mean over the peaks — 6.

24 numbers, numpy only, about 2 ms per 224-px crop. `residual_features` has the signature of a feature
extractor's `pooled` (`training.features.extract`), so these rows line up with the DINOv2 rows of the same
images and settings, crop for crop.
"""

from __future__ import annotations

import numpy as np

DIMS = 24
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
RADIAL_BANDS = 12
PERIODS = (8, 4, 2)
NAMES = (
    ("log_std", "kurtosis", "zeros", "corr_rg", "corr_gb", "corr_rb")
    + tuple(f"radial{i + 1}" for i in range(RADIAL_BANDS))
    + tuple(f"period{p}_{s}" for p in PERIODS for s in ("max", "mean"))
)


def _local_mean(x: np.ndarray) -> np.ndarray:
    """3x3 box mean over the first two axes (edges replicated)."""
    p = np.pad(x, ((1, 1), (1, 1)) + ((0, 0),) * (x.ndim - 2), mode="edge")
    h, w = x.shape[:2]
    total = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            total += p[i : i + h, j : j + w]
    return total / 9.0


def _peaks(power: np.ndarray, period: int) -> tuple[float, float]:
    """Log power at the frequencies k/period (k = 1 .. period/2) on the axes and the diagonal, above the median of
    a 5x5 neighbourhood around each (the peak itself left out): (max, mean)."""
    h, w = power.shape
    lifts = []
    for k in range(1, period // 2 + 1):
        fy, fx = round(k * h / period) % h, round(k * w / period) % w
        for y, x in ((fy, 0), (0, fx), (fy, fx)):
            ys = [(y + d) % h for d in range(-2, 3)]
            xs = [(x + d) % w for d in range(-2, 3)]
            patch = power[np.ix_(ys, xs)].ravel()
            around = np.delete(patch, 12)
            lifts.append(float(power[y, x] - np.median(around)))
    return max(lifts), float(np.mean(lifts))


def crop_features(crop: np.ndarray) -> np.ndarray:
    """The 24 features of one H x W x 3 uint8 crop."""
    x = crop.astype(np.float32)
    res = x - _local_mean(x)  # per channel
    gray = res @ _LUMA
    std = float(gray.std())
    out = [np.log(std + 1e-3)]
    z = (gray - gray.mean()) / (std + 1e-6)
    out.append(float(np.mean(z**4) - 3.0))
    out.append(float(np.mean(np.abs(gray) < 1e-3)))
    flat = res.reshape(-1, 3)
    flat = flat - flat.mean(0)
    norms = np.sqrt((flat**2).sum(0)) + 1e-6
    for a, b in ((0, 1), (1, 2), (0, 2)):
        out.append(float((flat[:, a] * flat[:, b]).sum() / (norms[a] * norms[b])))
    h, w = gray.shape
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    power = np.log(np.abs(np.fft.fft2(gray * window)) ** 2 + 1e-6)
    fy = np.abs(np.fft.fftfreq(h))[:, None]
    fx = np.abs(np.fft.fftfreq(w))[None, :]
    radius = np.minimum(np.sqrt(fy**2 + fx**2), 0.5)
    band = np.minimum((radius / 0.5 * RADIAL_BANDS).astype(int), RADIAL_BANDS - 1)
    sums = np.bincount(band.ravel(), power.ravel(), RADIAL_BANDS)
    counts = np.maximum(np.bincount(band.ravel(), minlength=RADIAL_BANDS), 1)
    radial = sums / counts
    out.extend((radial - radial.mean()).tolist())
    for period in PERIODS:
        if min(h, w) >= 2 * period:
            out.extend(_peaks(power, period))
        else:
            out.extend((0.0, 0.0))
    return np.asarray(out, np.float32)


def residual_features(crops: np.ndarray) -> np.ndarray:
    """N x 24 features of N x H x W x 3 uint8 crops (a `pooled` for `training.features.extract`)."""
    return np.stack([crop_features(c) for c in crops]) if len(crops) else np.zeros((0, DIMS), np.float32)
