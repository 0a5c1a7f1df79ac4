"""Experimental noise features beside `core.residual`'s 24 (issue #23): measured through `crossval --with`, shipped
only if the protocol says they help.

- **Periodic noise level** (21): the residual's energy at each position modulo p (p = 2, 4, 8: GAN and latent-decoder
  upsampling make some positions of every p x p block noisier than others), as the magnitudes of the 2-D DFT of
  that p x p map (independent of where the crop starts within the block grid), relative to its mean, logged: for p = 2
  the 3 non-constant terms; p = 4 and 8: the terms (0, k), (k, 0), (k, k) for k = 1 .. p/2.
- **Noise against brightness** (4): over 8 x 8 blocks, the spread of the log residual energy, its correlation and
  slope against the block's brightness (a camera's shot noise grows with the light; a generator's need not) and
  the share of blocks without noise (flat digital paint).
"""

from __future__ import annotations

import torch

from miwake.core.residual import colour_residual, luma

from .features import numpy_pooled

DIMS = 25
NAMES = (
    ("cyc2_01", "cyc2_10", "cyc2_11")
    + tuple(f"cyc{p}_{a}{b}_{k}" for p in (4, 8) for k in range(1, p // 2 + 1) for a, b in ((0, 1), (1, 0), (1, 1)))
    + ("block_logvar_std", "block_corr", "block_slope", "block_flat")
)


def _cyclic(r2: torch.Tensor, p: int) -> torch.Tensor:
    b, h, w = r2.shape
    hh, ww = h // p * p, w // p * p
    if hh == 0 or ww == 0:
        return torch.zeros(b, 3 if p == 2 else 3 * (p // 2))
    m = r2[:, :hh, :ww].reshape(b, hh // p, p, ww // p, p).mean(dim=(1, 3))  # B x p x p
    m = m / (m.mean(dim=(1, 2), keepdim=True) + 1e-6)
    mag = torch.log(torch.fft.fft2(m).abs() / (p * p) + 1e-3)
    if p == 2:
        idx = [(0, 1), (1, 0), (1, 1)]
    else:
        idx = [(a * k, b_ * k) for k in range(1, p // 2 + 1) for a, b_ in ((0, 1), (1, 0), (1, 1))]
    return torch.stack([mag[:, i, j] for i, j in idx], dim=1)


def _blocks(r: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    b, h, w = r.shape
    hh, ww = h // 8 * 8, w // 8 * 8
    if hh == 0 or ww == 0:
        return torch.zeros(b, 4)
    var = (r[:, :hh, :ww] ** 2).reshape(b, hh // 8, 8, ww // 8, 8).mean(dim=(2, 4)).flatten(1)
    bright = g[:, :hh, :ww].reshape(b, hh // 8, 8, ww // 8, 8).mean(dim=(2, 4)).flatten(1) / 255.0
    lv = torch.log(var + 1e-2)
    lc, bc = lv - lv.mean(1, keepdim=True), bright - bright.mean(1, keepdim=True)
    cov = (lc * bc).mean(1)
    sd_l, sd_b = lc.pow(2).mean(1).sqrt(), bc.pow(2).mean(1).sqrt()
    return torch.stack([sd_l, cov / (sd_l * sd_b + 1e-6), cov / (sd_b**2 + 1e-4), (var < 0.05).float().mean(1)], dim=1)


def extra_features(pixels: torch.Tensor) -> torch.Tensor:
    """B x 25 features of B x 3 x H x W crops in pixel values."""
    x = pixels.float()
    r, g = luma(colour_residual(x)), luma(x)  # the gray residual of `core.residual`, and the brightness
    r2 = r * r
    return torch.cat([_cyclic(r2, 2), _cyclic(r2, 4), _cyclic(r2, 8), _blocks(r, g)], dim=1)


extra_pooled = numpy_pooled(extra_features, DIMS)
