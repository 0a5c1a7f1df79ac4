"""Optional dependency groups (`pip install "miwake[training]"`), checked when a command or job starts.

Training, evaluation and generation import their libraries lazily (so `miwake --help` and scans stay fast);
without this check a missing library surfaces an epoch later, or as "a bug in Miwake".
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

from .errors import MissingExtraError

# import name -> the PyPI distribution users know it by
_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "matplotlib": "matplotlib",
    "diffusers": "diffusers",
    "transformers": "transformers",
    "accelerate": "accelerate",
    "ray": "ray",
}

TRAINING = ("sklearn",)  # train, eval: metrics and thresholds
GENERATION = ("diffusers", "transformers")  # generate, reconstruct: Stable Diffusion
CLUSTER = ("ray",)  # scan --cluster: Ray actors on a cluster's nodes


def missing(modules: Sequence[str]) -> list[str]:
    """The import names among `modules` that cannot be imported here (checked without importing them)."""
    out = []
    for m in modules:
        try:
            found = importlib.util.find_spec(m) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(m)
    return out


def require(modules: Sequence[str], what: str, extra: str = "training") -> None:
    """Raise `MissingExtraError` naming the fix when any of `modules` is missing; `what` is the task."""
    gone = missing(modules)
    if not gone:
        return
    names = ", ".join(_DISTRIBUTIONS.get(m, m) for m in gone)
    if getattr(sys, "frozen", False) and extra != "training":
        fix = f'The installed app does not include them; use Miwake from pip: pip install "miwake[{extra}]"'
    elif getattr(sys, "frozen", False):
        fix = "This build of Miwake was made without them; use a build that includes training."
    else:
        fix = f'Install them with: pip install "miwake[{extra}]"'
    raise MissingExtraError(f"{what} needs {names}, which is not installed. {fix}")
