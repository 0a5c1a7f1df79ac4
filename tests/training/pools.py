"""Crop-feature pools the training tests make: labelled sources with a class signal and a source style."""

from __future__ import annotations

import numpy as np

from miwake.training.crossval import Pool
from miwake.training.features import KINDS


def synthetic_pool(seed: int = 0, dim: int = 6, crops: int = 4) -> Pool:
    """12 sources (6 per class, 3 AI families). Feature 0 carries the class; feature 1 a per-source offset
    that is useless across sources; the rest is noise."""
    rng = np.random.default_rng(seed)
    labels, sources, families = [], [], []
    for s in range(12):
        lab = int(s < 6)
        fam = ["sd1", "sdxl", "flux"][s % 3] if lab else "human"
        n = 30 if s == 0 else 12
        labels += [lab] * n
        sources += [f"src{s}"] * n
        families += [fam] * n
    labels = np.array(labels)
    n = len(labels)
    feats, image, kind = [], [], []
    offsets = rng.normal(0, 3, 12)
    for i in range(n):
        src = int(sources[i][3:])
        for k in KINDS:
            for _ in range(crops):
                f = rng.normal(0, 1, dim)
                f[0] += 2.0 * (labels[i] - 0.5)
                f[1] += offsets[src]
                feats.append(f)
                image.append(i)
                kind.append(KINDS.index(k))
    return Pool(
        np.array(feats, np.float32),
        np.array(image),
        np.array(kind, np.int8),
        labels,
        np.array(sources),
        np.array(families),
    )
