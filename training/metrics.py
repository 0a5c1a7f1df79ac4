"""Detection metrics (scikit-learn) and the choice of threshold and unsure band on validation data.

Operating point (README "Threshold and unsure band"):
- threshold: maximises Youden's J (TPR - FPR) on validation scores;
- unsure band [lo, hi]: `hi` is the lowest score from which "AI" verdicts were at least 95% precise on
  validation data, `lo` the highest score below which "human" verdicts were at least 95% right (where the
  data do not allow 95% while still giving the verdict to at least 5% of its class: 90%, then 80%; where
  even that fails, the verdict is (almost) never given). Between them Miwake says "unsure" rather than guess.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def _safe_auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y)) < 2:
        return math.nan
    return float(roc_auc_score(y, p))


def binary_metrics(y: ArrayLike, p: ArrayLike, threshold: float) -> dict[str, Any]:
    """AUC, F1, recall, precision, accuracy and the confusion matrix at `threshold` (AI when p >= threshold)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

    ya, pa = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    pred = (pa >= threshold).astype(int)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(ya, pred, labels=[0, 1]).ravel())
    return {
        "n": int(len(ya)),
        "auc": _safe_auc(ya, pa),
        "f1": float(f1_score(ya, pred, zero_division=0)),
        "recall": float(recall_score(ya, pred, zero_division=0)),
        "precision": float(precision_score(ya, pred, zero_division=0)),
        "accuracy": float(accuracy_score(ya, pred)),
        "threshold": float(threshold),
        "confusion": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
    }


def roc_points(y: ArrayLike, p: ArrayLike, max_points: int = 200) -> list[list[float]]:
    """ROC curve as [fpr, tpr, threshold] triples (thinned to at most `max_points`)."""
    from sklearn.metrics import roc_curve

    ya, pa = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    if len(np.unique(ya)) < 2:
        return []
    fpr, tpr, thr = roc_curve(ya, pa)
    idx = np.unique(np.linspace(0, len(fpr) - 1, min(max_points, len(fpr))).round().astype(int))
    return [[float(fpr[i]), float(tpr[i]), float(min(thr[i], 1.0))] for i in idx]


def choose_operating_point(
    y: ArrayLike,
    p: ArrayLike,
    targets: Sequence[float] = (0.95, 0.9, 0.8),
    min_support: float = 0.05,
    clamp: tuple[float, float] = (0.02, 0.98),
) -> tuple[float, tuple[float, float]]:
    """(threshold, (lo, hi)) from validation scores; see the module docstring.

    Each band end aims at the first precision in `targets` that the validation scores allow while still
    giving that verdict to at least `min_support` of its class; `band_precision` reports what was reached.
    """
    ya, pa = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    if len(np.unique(ya)) < 2:
        return 0.5, (0.35, 0.65)
    cands = np.unique(np.concatenate([pa, [0.5]]))
    pos, neg = ya == 1, ya == 0
    best_t, best_j = 0.5, -1.0
    for c in cands:
        j = float(np.mean(pa[pos] >= c) - np.mean(pa[neg] >= c))
        if j > best_j + 1e-12:
            best_t, best_j = float(c), j
    # put the threshold midway between the scores it separates (less brittle than an observed score)
    below = pa[pa < best_t]
    t = float((best_t + below.max()) / 2) if below.size else best_t
    hi = lo = None
    for target in targets:
        for c in sorted(c for c in cands if c >= t):
            flagged = pa >= c
            if flagged[pos].mean() >= min_support and ya[flagged].mean() >= target:
                hi = float(c)
                break
        if hi is not None:
            break
    for target in targets:
        for c in sorted((c for c in cands if c <= t), reverse=True):
            cleared = pa < c
            if cleared[neg].mean() >= min_support and (1 - ya[cleared]).mean() >= target:
                lo = float(c)
                break
        if lo is not None:
            break
    t = min(max(t, clamp[0]), clamp[1])
    hi = clamp[1] if hi is None else min(max(hi, t), clamp[1])  # unattainable: (almost) never say "AI"
    lo = clamp[0] if lo is None else max(min(lo, t), clamp[0])
    return float(t), (float(lo), float(hi))


def band_precision(y: ArrayLike, p: ArrayLike, band: tuple[float, float]) -> dict[str, Any]:
    """How right the "AI" and "human" verdicts of a band were on these scores, and how often each was given."""
    ya, pa = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    ai, hu = pa >= band[1], pa < band[0]
    return {
        "ai_verdict_precision": float(ya[ai].mean()) if ai.any() else None,
        "human_verdict_precision": float((1 - ya[hu]).mean()) if hu.any() else None,
        "ai_images_called_ai": float(ai[ya == 1].mean()) if (ya == 1).any() else None,
        "human_images_called_human": float(hu[ya == 0].mean()) if (ya == 0).any() else None,
        "unsure_share": float(np.mean(~ai & ~hu)),
    }


def group_breakdown(
    y: ArrayLike, p: ArrayLike, groups: Sequence[str] | np.ndarray, threshold: float, band: tuple[float, float]
) -> dict[str, dict[str, Any]]:
    """Per source (or generator): images, class, mean score, accuracy at the threshold, verdict shares,
    and the AUC of this group against every image of the other class."""
    ya, pa = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    idx_by: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        idx_by[g].append(i)
    out: dict[str, dict[str, Any]] = {}
    for g, idx in sorted(idx_by.items()):
        gi = np.asarray(idx)
        labels = set(ya[gi].tolist())
        row: dict[str, Any] = {"n": len(idx), "mean_p": float(pa[gi].mean())}
        correct = (pa[gi] >= threshold).astype(int) == ya[gi]
        row["accuracy"] = float(correct.mean())
        row["ai_verdicts"] = float(np.mean(pa[gi] >= band[1]))
        row["unsure"] = float(np.mean((pa[gi] >= band[0]) & (pa[gi] < band[1])))
        row["human_verdicts"] = float(np.mean(pa[gi] < band[0]))
        if len(labels) == 1:
            label = labels.pop()
            row["label"] = "ai" if label == 1 else "real"
            other = np.where(ya != label)[0]
            if other.size:
                sel = np.concatenate([gi, other])
                row["auc_vs_other_class"] = _safe_auc(ya[sel], pa[sel])
            key = "recall" if label == 1 else "specificity"
            row[key] = row["accuracy"]
        else:
            row["label"] = "mixed"
            row["auc"] = _safe_auc(ya[gi], pa[gi])
        out[g] = row
    return out
