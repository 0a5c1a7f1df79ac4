"""A linear head on frozen crop features: fitted by logistic regression, folded into a ``core.archs`` model.

Why a linear head: frozen self-supervised / ImageNet features with a linear classifier generalise to
generators and sources the training never saw far better than a network trained end to end on a few
hundred images (UnivFD, B-Free); it is also cheap on a CPU once the features exist (``training.features``).

- Rows are crops (augmented training crops and scan tiles); an image's logit is the mean of its crop
  logits, which for a linear head equals the head applied to the image's mean crop feature.
- Sources are balanced: each row is weighted 1 / n_source ** `source_power` and the classes are given
  equal total weight, so one large source (282 SD 1.5 images) cannot define "AI". With `families`, each
  source is further weighted 1 / (sources of its family) ** `family_power`, so a family with many sources
  (SD 1.x) cannot define it either.
- Features are standardised for the fit; the scaling is folded back into the head's weight and bias.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LinearHead:
    weight: np.ndarray  # D
    bias: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.weight + self.bias

    def scaled(self, scale: float, shift: float) -> LinearHead:
        """The head whose logit is ``scale * logit + shift`` (a calibration folded into the weights)."""
        return LinearHead(self.weight * scale, self.bias * scale + shift)

    @staticmethod
    def average(
        heads: Sequence[tuple[LinearHead, slice]], dim: int, weights: Sequence[float] | np.ndarray | None = None
    ) -> LinearHead:
        """One head over the full feature vector whose logit is the mean of `heads`' logits (each multiplied by
        its weight, if given), each of which reads its own slice of the features (stacking by averaging,
        expressible as one linear layer)."""
        w = np.zeros(dim)
        b = 0.0
        for (h, sl), a in zip(heads, np.ones(len(heads)) if weights is None else weights, strict=True):
            w[sl] += a * h.weight / len(heads)
            b += a * h.bias / len(heads)
        return LinearHead(w, b)


def row_weights(
    labels: np.ndarray,
    groups: Sequence[str] | np.ndarray,
    source_power: float = 1.0,
    families: Sequence[str] | np.ndarray | None = None,
    family_power: float = 0.0,
) -> np.ndarray:
    """Weights that give every source (power 1: equally), every family (`family_power` 1: equally, its
    sources sharing its say) and both classes the same total say."""
    labels = np.asarray(labels)
    counts = Counter(groups)
    w = np.array([1.0 / counts[g] ** source_power for g in groups])
    if families is not None and family_power:
        per_family = Counter(f for f, _ in set(zip(families, groups)))  # sources per family
        w *= np.array([1.0 / per_family[f] ** family_power for f in families])
    for c in (0, 1):
        m = labels == c
        if m.any():
            w[m] *= 0.5 * len(w) / w[m].sum()
    return w


def fit_head(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str] | np.ndarray,
    *,
    c: float = 0.1,
    source_power: float = 1.0,
    max_iter: int = 500,
    families: Sequence[str] | np.ndarray | None = None,
    family_power: float = 0.0,
    source_axes: int = 0,
) -> LinearHead:
    """L2 logistic regression on standardised `x` (rows = crops), returned in raw-feature terms; with
    `source_axes`, blind to the directions in which sources of one class differ most (`source_axes_of`)."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(x, dtype=np.float32)
    mu = x.mean(axis=0)
    sd = x.std(axis=0) + 1e-6
    xs = (x - mu) / sd
    v = source_axes_of(xs, np.asarray(y), np.asarray(groups), source_axes) if source_axes else None
    if v is not None:
        xs = xs - (xs @ v) @ v.T
    clf = LogisticRegression(C=c, max_iter=max_iter, tol=1e-4)
    clf.fit(xs, np.asarray(y), sample_weight=row_weights(y, groups, source_power, families, family_power))
    coef = clf.coef_.ravel().astype(np.float64)
    if v is not None:  # w . (x - V V^T x) = (w - V V^T w) . x: the projection folded into the weights
        coef = coef - v.astype(np.float64) @ (v.T.astype(np.float64) @ coef)
    w = coef / sd
    b = float(clf.intercept_[0] - np.dot(w, mu))
    return LinearHead(w, b)


def source_axes_of(x: np.ndarray, y: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """D x k orthonormal directions along which the mean features of the sources of one class differ most.

    Every source of the development pool is of one class, so a head can only learn how sources differ; the directions in
    which human sources differ among themselves (and AI sources among themselves) are content, style and
    collection — a head that leans on them fails on the next source. These are the top principal axes of the
    source means, each centred on its class's mean of source means (every source one say)."""
    means, labels = [], []
    for g in np.unique(groups):
        m = groups == g
        means.append(x[m].mean(axis=0))
        labels.append(int(np.round(y[m].mean())))
    mm, lab = np.asarray(means, dtype=np.float64), np.asarray(labels)
    for cls in (0, 1):
        if (lab == cls).any():
            mm[lab == cls] -= mm[lab == cls].mean(axis=0)
    _, _, vt = np.linalg.svd(mm, full_matrices=False)
    return vt[: min(k, len(vt))].T.astype(np.float32)


def platt(logits: np.ndarray, y: np.ndarray, groups: Sequence[str] | np.ndarray) -> tuple[float, float]:
    """(scale, shift) so that sigmoid(scale * logit + shift) is calibrated on these (out-of-fold) scores.

    A linear head on thousands of standardised features is right about the order of images but far too
    sure of itself (most scores end up within 1e-3 of 0 or 1); Platt scaling, with the same source
    balance as the fit, makes the probability mean what it says and lets the unsure band sit where it should."""
    from sklearn.linear_model import LogisticRegression

    z = np.clip(np.asarray(logits, dtype=np.float64), -50, 50).reshape(-1, 1)
    clf = LogisticRegression(C=1e4, max_iter=1000)
    clf.fit(z, np.asarray(y), sample_weight=row_weights(y, groups))
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def install_head(model: Any, head: LinearHead) -> Any:
    """Write `head` into `model.head` (a 1-logit ``nn.Linear`` over ``model.pooled`` features)."""
    import torch

    lin = model.get_classifier()
    if tuple(lin.weight.shape) != (1, len(head.weight)):
        raise ValueError(f"head of {len(head.weight)} features does not fit {tuple(lin.weight.shape)}")
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(head.weight.astype(np.float32)).view(1, -1))
        lin.bias.fill_(float(head.bias))
    return model
