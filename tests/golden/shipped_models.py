"""Golden scores of the bundled models on the bundled samples: a change to preprocessing, tiling,
aggregation, the architectures or the weights that moves a score fails `tests/test_shipped_models.py`.

Regenerate after an intended change (and say why in the commit):

    python -m tests.golden.shipped_models --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "resources" / "models"
SAMPLES = ROOT / "resources" / "samples"
GOLDEN = Path(__file__).with_name("shipped_models.json")


def score_samples(model_dir: Path) -> dict[str, Any]:
    """The pixel probability and pixel verdict of every sample, as a CPU scan computes them."""
    from miwake.core.bundle import read_bundle
    from miwake.core.detector import Detector
    from miwake.core.imaging import IMAGE_EXTENSIONS, decode_image
    from miwake.core.model_factory import validate_bundle
    from miwake.core.preprocess import make_inputs
    from miwake.core.scoring import aggregate_logits, verdict_for

    bundle = read_bundle(model_dir)
    validate_bundle(bundle)
    det = Detector(bundle, "cpu")
    out = {}
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix.lower() not in IMAGE_EXTENSIONS:
            continue
        crops, grid = make_inputs(decode_image(p).rgb, bundle.card)
        prob = aggregate_logits(det.logits(crops), bundle.card.aggregation)
        out[p.name] = {
            "p": round(prob, 6),
            "verdict": verdict_for(prob, bundle.card.unsure_band).value,
            "crops": grid.count,
        }
    return {"weights_sha256": bundle.card.weights_sha256, "samples": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"write {GOLDEN.name}")
    args = ap.parse_args()
    golden = {d.name: score_samples(d) for d in sorted(MODELS.iterdir()) if (d / "model.json").is_file()}
    text = json.dumps(golden, indent=1, sort_keys=True) + "\n"
    if args.write:
        GOLDEN.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
