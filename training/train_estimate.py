"""How long a training run will take, from a measured time per step (the wizard's short benchmark)."""

from __future__ import annotations

import math
from dataclasses import dataclass

VAL_FRACTION = 0.2  # the training API's default split
STARTUP_S = 30.0


@dataclass(frozen=True)
class Estimate:
    seconds: float
    per_step_s: float
    steps_per_epoch: int
    epochs: int


def estimate(per_step_s: float, usable: int, batch: int, epochs: int, crops_per_image: int = 2) -> Estimate:
    """Training time from the measured seconds per step: training steps, per-epoch validation (4 tiles per image,
    also as JPEG), the final validation (more tiles), and start-up."""
    per_batch = max(1, batch // crops_per_image)
    n_val = max(1, round(usable * VAL_FRACTION))
    steps = max(1, math.ceil((usable - n_val) / per_batch))
    forward_per_crop = per_step_s / (per_batch * crops_per_image) / 3  # no backward pass, no augmentation
    train = steps * epochs * per_step_s
    validation = epochs * n_val * 4 * 2 * forward_per_crop + n_val * 16 * 2 * forward_per_crop
    return Estimate(train + validation + STARTUP_S, per_step_s, steps, epochs)
