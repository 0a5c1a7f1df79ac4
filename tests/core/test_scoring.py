import math

import numpy as np
import pytest

from miwake.core.results import Verdict
from miwake.core.scoring import aggregate_logits, verdict_for


def test_mean_logit_is_sigmoid_of_mean():
    z = np.array([2.0, -1.0, 0.5])
    assert aggregate_logits(z) == pytest.approx(1 / (1 + math.exp(-z.mean())))


def test_max_logit():
    assert aggregate_logits(np.array([-3.0, 1.0]), "max_logit") == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_mean_logit_resists_one_odd_crop():
    z = np.array([-4.0] * 15 + [6.0])
    assert aggregate_logits(z) < 0.1 < aggregate_logits(z, "max_logit")


def test_unknown_and_empty():
    with pytest.raises(ValueError):
        aggregate_logits(np.array([1.0]), "median")
    with pytest.raises(ValueError):
        aggregate_logits(np.array([]))


@pytest.mark.parametrize(
    "p,expected",
    [
        (0.0, Verdict.HUMAN),
        (0.349, Verdict.HUMAN),
        (0.35, Verdict.UNSURE),
        (0.5, Verdict.UNSURE),
        (0.649, Verdict.UNSURE),
        (0.65, Verdict.AI),
        (1.0, Verdict.AI),
    ],
)
def test_verdict_band(p, expected):
    assert verdict_for(p, (0.35, 0.65)) is expected


def test_core_makes_openmp_wait_passively():
    """Spinning OpenMP threads made scans 15x slower beside another busy program (see core/__init__.py)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run(
        [sys.executable, "-c", "import miwake.core, os; print(os.environ['OMP_WAIT_POLICY'])"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert out == "PASSIVE"
