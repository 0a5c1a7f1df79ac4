"""From crop logits to an image's probability and verdict.

Aggregation (README "How the score is made"): the image probability is the sigmoid of the **mean of the
crop logits** (`mean_logit`, the default): every crop votes with its log-odds, so a few odd crops in a
large image move the score only in proportion, and a picture that is generated everywhere scores high
everywhere. `max_logit` (the most suspicious crop) is available for models trained to find local edits.
The maximum crop probability is reported beside the image probability either way.

Verdict from the model card: `ai` when p >= unsure_band[1], `human` when p < unsure_band[0], else `unsure`.
"""

from __future__ import annotations

import numpy as np

from .results import Verdict


def sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def aggregate_logits(logits: np.ndarray, method: str = "mean_logit") -> float:
    """Image-level AI probability from its crop logits."""
    z = np.asarray(logits, dtype=np.float64).ravel()
    if z.size == 0:
        raise ValueError("no crop logits")
    if method == "mean_logit":
        return float(sigmoid(z.mean()))
    if method == "max_logit":
        return float(sigmoid(z.max()))
    raise ValueError(f"unknown aggregation {method!r}")


def verdict_for(probability: float, unsure_band: tuple[float, float]) -> Verdict:
    lo, hi = unsure_band
    if probability >= hi:
        return Verdict.AI
    if probability < lo:
        return Verdict.HUMAN
    return Verdict.UNSURE
