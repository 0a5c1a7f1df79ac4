"""The one comparison every bundled model's card carries: the same images, from sources none of them learned from.

    python -m miwake.training.recipes.comparison --model efficientnetv2-b0 [--write]

Cards measured their own way cannot be compared: the EfficientNetV2 card's figures come from one fixed split of
sources much like its training sources, the default's from cross-validation over sources. This scores a bundled
model, with the scan's own code (tiles, aggregation, the card's tile budget), on the development pool's sources
that came after the first pool (``crossval.FIRST_POOL``: the sources the first models were fitted on), as the
files are and after JPEG q90, and (with ``--write``) stores the result as ``metrics.comparison`` in its card.
The default model's figure comes from the protocol instead (fitted on the first pool only, scored on the same
sources: ``default_model.py``), so both stand on the same images and the same footing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from miwake.core import atomic

from ..dataset import from_manifest
from ..metrics import _safe_auc
from .common import DEV_MANIFEST, ROOT
from .crossval import FIRST_POOL

TEST = (
    "the development pool's {n_src} sources added after the first pool ({n} images: {n_ai} AI-generated, "
    "{n_hu} human-made), which no bundled model was fitted on"
)


def later_samples(manifest: Path = DEV_MANIFEST) -> list[Any]:
    return [s for s in from_manifest(manifest) if s.source not in FIRST_POOL]


def describe(samples: list[Any]) -> str:
    n_ai = sum(1 for s in samples if s.label == 1)
    return TEST.format(n_src=len({s.source for s in samples}), n=len(samples), n_ai=n_ai, n_hu=len(samples) - n_ai)


def comparison_block(auc_raw: float, auc_jpeg90: float | None, samples: list[Any], how: str) -> dict[str, Any]:
    return {
        "test": describe(samples),
        "auc": auc_raw,
        "auc_jpeg90": auc_jpeg90,
        "n": len(samples),
        "sources": len({s.source for s in samples}),
        "how": how,
    }


def score_bundle(model_dir: Path, samples: list[Any], jpeg90: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities as the files are, after JPEG q90 — NaN without `jpeg90`) with the scan's tiling and
    aggregation."""
    from miwake.core.bundle import read_bundle
    from miwake.core.imaging import decode_image
    from miwake.core.preprocess import make_inputs
    from miwake.core.scorers import load_scorer
    from miwake.core.scoring import aggregate_logits

    from ..augment import reencode

    bundle = read_bundle(model_dir)
    det = load_scorer(bundle, "cpu")
    raw, jpeg = np.full(len(samples), np.nan), np.full(len(samples), np.nan)
    for i, s in enumerate(samples):
        try:
            rgb = decode_image(s.path).rgb
        except Exception:
            continue
        for out, img in ((raw, rgb), (jpeg, reencode(rgb, "JPEG", 90))) if jpeg90 else ((raw, rgb),):
            crops, _ = make_inputs(img, bundle.card)
            out[i] = aggregate_logits(det.logits(crops), bundle.card.aggregation)
        if i % 50 == 0:
            print(f"{i}/{len(samples)}", flush=True)
    return raw, jpeg


def write_comparison(model_dir: Path, block: dict[str, Any]) -> None:
    """Store `block` as the card's ``metrics.comparison`` (the weights and their checksum are untouched)."""
    card_path = model_dir / "model.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card.setdefault("metrics", {})["comparison"] = block
    atomic.write_text(card_path, json.dumps(card, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a bundled model's folder name under resources/models")
    ap.add_argument("--write", action="store_true", help="store the result in the model's card")
    ap.add_argument("--no-jpeg", action="store_true", help="skip the JPEG q90 copies (half the time)")
    args = ap.parse_args()
    samples = later_samples()
    model_dir = ROOT / "resources" / "models" / args.model
    raw, jpeg = score_bundle(model_dir, samples, jpeg90=not args.no_jpeg)
    y = np.array([s.label for s in samples])
    ok = ~np.isnan(raw)
    block = comparison_block(
        _safe_auc(y[ok], raw[ok]),
        None if args.no_jpeg else _safe_auc(y[ok], jpeg[ok]),
        samples,
        "the shipped weights, scanned as a scan does",
    )
    print(json.dumps(block, indent=1))
    if args.write:
        write_comparison(model_dir, block)


if __name__ == "__main__":
    main()
