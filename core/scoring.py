"""From crop logits to an image's probability and verdict.

Aggregation (README "How the score is made"): the image probability is the sigmoid of the **mean of the
crop logits** (`mean_logit`, the default): every crop votes with its log-odds, so a few odd crops in a
large image move the score only in proportion, and a picture that is generated everywhere scores high
everywhere. `max_logit` (the most suspicious crop) is available for models trained to find local edits.
The maximum crop probability is reported beside the image probability either way.

Verdict from the unsure band (the model card's, or the user's override in the settings): `ai` when
p >= unsure_band[1], `human` when p < unsure_band[0], else `unsure`; metadata stating AI decides `ai`.
"""

from __future__ import annotations

import numpy as np

from .results import ImageResult, Reason, Verdict


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
    """The pixel verdict: AI at or above the band's upper end, human below its lower end, unsure between.

    The card's `threshold` (inside the band) decides nothing here: it is the single cut-off at which the
    validation figures (F1, recall, precision) were measured.
    """
    lo, hi = unsure_band
    if probability >= hi:
        return Verdict.AI
    if probability < lo:
        return Verdict.HUMAN
    return Verdict.UNSURE


def decide(r: ImageResult, unsure_band: tuple[float, float]) -> ImageResult:
    """`r` with its verdict made from its evidence and probability: metadata that states AI generation decides
    "ai" (reason "metadata"), else the band decides (README, "How the score is made")."""
    if r.evidence_states_ai:
        return r.with_(verdict=Verdict.AI, reason=Reason.METADATA)
    if r.ok and r.probability is not None:
        return r.with_(verdict=verdict_for(r.probability, unsure_band), reason=Reason.PIXELS)
    return r.with_(reason=Reason.PIXELS)
