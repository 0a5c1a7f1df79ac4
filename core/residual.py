"""Noise-residual features of a crop: what a generator's last layers leave that a semantic backbone need not describe.

Latent-diffusion decoders upsample by 8 and GANs by 2 and 4, which puts periodic peaks into the spectrum of the
noise residual (the image minus its local mean) at multiples of 1/8, 1/4 and 1/2 of the sampling rate; a camera's
demosaicking makes the three colour channels' residuals correlate in ways a generator need not copy. Per crop:

- residual statistics: log std, excess kurtosis, the share of exact zeros (flat or quantised areas) — 3;
- the correlation of the colour channels' residuals (R-G, G-B, R-B) — 3;
- the residual's power spectrum (Hann-windowed), mean log power in 12 radial bands, relative to their mean — 12;
- periodic peaks: for periods 8, 4 and 2 pixels, the log power at the peak frequencies (horizontal, vertical,
  diagonal) above the median of their 5 x 5 neighbourhood, max and mean over the peaks — 6.

24 numbers (issue #23: beside DINOv2 they lift held-out GAN and autoregressive families the most). One
implementation, in PyTorch, for both the feature extraction that fits a head (`training.features`) and the
scanning model (`core.archs`), so training and scanning cannot drift apart. Written for the ONNX export as well:
every size-dependent number is computed from the input's shape with tensor operations (no Python branches on the
crop size), and the discrete Fourier transform is two matrix products (opset 17 has no FFT for real input). It
always runs in float32, also when the network around it runs under fp16/bf16 autocast: log powers of a residual
need the precision.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

DIMS = 24
RADIAL_BANDS = 12
PERIODS = (8, 4, 2)
NAMES = (
    ("log_std", "kurtosis", "zeros", "corr_rg", "corr_gb", "corr_rb")
    + tuple(f"radial{i + 1}" for i in range(RADIAL_BANDS))
    + tuple(f"period{p}_{s}" for p in PERIODS for s in ("max", "mean"))
)
_LUMA = (0.299, 0.587, 0.114)


def _index(like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(0, 1, ..., n-1) and n, as float tensors, for a 1-D tensor of length n (traced, not constant, in an export)."""
    ones = torch.ones_like(like, dtype=torch.float32)
    n = ones.sum()
    return ones.cumsum(0) - 1.0, n


def _hann(i: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """numpy's symmetric ``hanning(n)`` (1 for n = 1)."""
    return torch.where(n > 1, 0.5 - 0.5 * torch.cos(2 * math.pi * i / torch.clamp(n - 1, min=1)), torch.ones_like(i))


def _dft(i: torch.Tensor, n: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of the n x n DFT matrix; the phase k * j is reduced mod n first, so float32 keeps its precision."""
    phase = torch.remainder(i[:, None] * i[None, :], n) * (2 * math.pi / n)
    return torch.cos(phase), torch.sin(phase)


def _power(gray: torch.Tensor) -> torch.Tensor:
    """log |DFT|^2 of Hann-windowed B x H x W residuals."""
    iy, h = _index(gray.sum(dim=(0, 2)))  # (not gray[0]: an empty batch has none)
    ix, w = _index(gray.sum(dim=(0, 1)))
    a = gray * (_hann(iy, h)[:, None] * _hann(ix, w)[None, :])
    ch, sh = _dft(iy, h)
    cw, sw = _dft(ix, w)
    p, q = a @ cw, a @ sw  # the DFT matrices are symmetric: A F_w = P - iQ
    re = ch @ p - sh @ q
    im = ch @ q + sh @ p
    return torch.log(re * re + im * im + 1e-6)


def _radial(power: torch.Tensor) -> torch.Tensor:
    """Mean log power in 12 radial frequency bands (0 .. 0.5 cycles per pixel), minus their mean: B x 12.

    The band of each frequency is worked out on the CPU in float64, as numpy does (radii that sit on a band's edge
    go the same way), and the sums are of the log power minus its mean (added back per band), so float32 keeps them
    exact enough on any device (Apple's MPS has no float64)."""
    iy, h = (t.double() for t in _index(power.sum(dim=(0, 2)).to("cpu")))
    ix, w = (t.double() for t in _index(power.sum(dim=(0, 1)).to("cpu")))
    fy = torch.minimum(iy, h - iy) / h  # |numpy.fft.fftfreq|
    fx = torch.minimum(ix, w - ix) / w
    radius = torch.clamp(torch.sqrt(fy[:, None] ** 2 + fx[None, :] ** 2), max=0.5)
    band = torch.clamp(torch.floor(radius / 0.5 * RADIAL_BANDS), max=RADIAL_BANDS - 1)
    bands = torch.arange(RADIAL_BANDS, dtype=torch.float64)
    onehot = (band.reshape(-1, 1) == bands).to(device=power.device, dtype=power.dtype)  # HW x 12
    mean = power.mean(dim=(1, 2))[:, None]
    counts = onehot.sum(0)
    radial = ((power.flatten(1) - mean) @ onehot + mean * counts) / torch.clamp(counts, min=1.0)  # empty bands: 0
    return radial - radial.mean(dim=1, keepdim=True)


def _peaks(power: torch.Tensor, period: int) -> torch.Tensor:
    """For the frequencies k/period (k = 1 .. period/2) on both axes and the diagonal: the log power there above the
    median of its 5 x 5 neighbourhood (wrapping round, the peak itself left out); B x 2 (max, mean). Zeros for a crop
    with a side shorter than two periods."""
    _, h = _index(power.sum(dim=(0, 2)))
    _, w = _index(power.sum(dim=(0, 1)))
    ks = torch.arange(1, period // 2 + 1, dtype=torch.float32, device=power.device)
    fy = torch.remainder(torch.round(ks * h / period), h)
    fx = torch.remainder(torch.round(ks * w / period), w)
    zero = torch.zeros_like(fy)
    ys = torch.cat([fy, zero, fy])  # (fy, 0), (0, fx), (fy, fx) for every k
    xs = torch.cat([zero, fx, fx])
    d = torch.arange(-2, 3, dtype=torch.float32, device=power.device)
    ny = torch.remainder(ys[:, None, None] + d[None, :, None], h)  # P x 5 x 1
    nx = torch.remainder(xs[:, None, None] + d[None, None, :], w)  # P x 1 x 5
    flat = (ny * w + nx).reshape(-1, 25).long()  # P x 25, row-major over the 5 x 5 window
    values = power.flatten(1)[:, flat]  # B x P x 25
    around = torch.cat([values[..., :12], values[..., 13:]], dim=-1)
    ordered, _ = torch.sort(around, dim=-1)
    lift = values[..., 12] - 0.5 * (ordered[..., 11] + ordered[..., 12])  # numpy's median of 24
    out = torch.stack([lift.max(dim=1).values, lift.mean(dim=1)], dim=1)
    big_enough = (torch.minimum(h, w) >= 2 * period).to(out.dtype)
    return out * big_enough


def luma(x: torch.Tensor) -> torch.Tensor:
    """B x H x W brightness of B x 3 x H x W float32 images (Rec. 601 weights)."""
    return (x * torch.tensor(_LUMA, dtype=torch.float32, device=x.device).view(1, 3, 1, 1)).sum(dim=1)


def colour_residual(x: torch.Tensor) -> torch.Tensor:
    """B x 3 x H x W float32 pixels minus their 3x3 mean per channel (edges replicated)."""
    box = torch.ones(3, 1, 3, 3, dtype=torch.float32, device=x.device)  # a sum, then / 9: exact on flat areas
    return x - F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), box, groups=3) / 9.0


def residual_features(pixels: torch.Tensor) -> torch.Tensor:
    """B x 24 features of B x 3 x H x W crops in pixel values (0-255, any float dtype; computed in float32)."""
    with torch.autocast(device_type=pixels.device.type, enabled=False):
        res = colour_residual(pixels.float())
        gray = luma(res)  # B x H x W
        g = gray.flatten(1)
        centred = g - g.mean(dim=1, keepdim=True)
        std = torch.sqrt((centred * centred).mean(dim=1))
        z = centred / (std[:, None] + 1e-6)
        stats = [
            torch.log(std + 1e-3),
            (z**4).mean(dim=1) - 3.0,
            (g.abs() < 1e-3).float().mean(dim=1),
        ]
        flat = res.flatten(2)  # B x 3 x HW
        flat = flat - flat.mean(dim=2, keepdim=True)
        norms = torch.sqrt((flat * flat).sum(dim=2)) + 1e-6
        for a, b in ((0, 1), (1, 2), (0, 2)):
            stats.append((flat[:, a] * flat[:, b]).sum(dim=1) / (norms[:, a] * norms[:, b]))
        power = _power(gray)
        return torch.cat([torch.stack(stats, dim=1), _radial(power), *(_peaks(power, p) for p in PERIODS)], dim=1)
