"""Keep the bundled default selectable under its own id before a new default replaces it.

    python -m miwake.training.recipes.retire_default --id dinov2-v3 --label "2026-12, pool v3" \
        --before "the default v4" --before-ja "v4"

Copies ``resources/models/default`` to ``resources/models/ID`` with the card renamed and its description saying
what it was. Its scores do not change: a head that reads only DINOv2 blocks 1-6 of an every-block network is
repackaged as the network cut after block 6 (``core.archs`` ``miwake_dinov2_s14_b6``: the blocks it never ran are
not shipped, half the size), checked by scoring crops with both. Run it before
``training.recipes.default_model`` writes the new default.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from miwake.core.bundle import Bundle, read_bundle, save_bundle

from .common import ROOT
from .default_model import B6, LAYERS

MODELS = ROOT / "resources" / "models"


def cut_after_block6(bundle: Bundle) -> tuple[str, dict[str, Any]]:
    """(architecture, weights) of `bundle`, cut after block 6 where its head reads nothing later."""
    from miwake.core.detector import Detector

    det = Detector(bundle, "cpu")
    state = det.model.state_dict()
    if bundle.card.arch != LAYERS or det.model.blocks_read() > 6:
        return bundle.card.arch, state
    keep = {k: v for k, v in state.items() if not (k.startswith("dino.blocks.") and int(k.split(".")[2]) >= 6)}
    keep["head.weight"] = state["head.weight"][:, : 6 * 768]
    return B6, keep


def check_same_scores(old: Bundle, new: Bundle) -> float:
    """The largest probability difference between two bundles on check crops (noise, gradient, grey, a small one)."""
    from miwake.core.detector import Detector
    from miwake.core.onnx_runtime import check_crops, small_check_crops
    from miwake.core.scoring import sigmoid

    a, b = Detector(old, "cpu"), Detector(new, "cpu")
    crops = [check_crops(old.card.crop_size), *small_check_crops(old.card.crop_size)]
    return max(float(np.max(np.abs(sigmoid(a.logits(c)) - sigmoid(b.logits(c))))) for c in crops)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", required=True, help="the id it keeps (e.g. dinov2-v3)")
    ap.add_argument("--label", required=True, help='when and on what it was fitted, e.g. "2026-12, pool v3"')
    ap.add_argument("--label-ja", help="the label in Japanese (default: the label)")
    ap.add_argument("--before", required=True, help='what replaces it, e.g. "the default v4"')
    ap.add_argument("--before-ja", required=True, help='the same in Japanese, e.g. "v4"')
    args = ap.parse_args()
    src = read_bundle(MODELS / "default")
    dest = MODELS / args.id
    if dest.exists():
        raise SystemExit(f"{dest} exists already")
    arch, state = cut_after_block6(src)
    card = src.card
    name = card.display_name.removeprefix("Miwake default (").removesuffix(")")
    ja = dict(card.translations.get("ja", {}))
    if ja:
        ja_name = ja.get("display_name", "").removeprefix("Miwake 標準モデル（").removesuffix("）")
        ja["display_name"] = f"Miwake DINOv2（{args.label_ja or args.label}）（{ja_name}）"
        ja["description"] = f"{args.before_ja} 以前の標準モデル（選択できるよう残しています）。" + ja.get(
            "description", ""
        )
    new = card.with_(
        id=args.id,
        arch=arch,
        display_name=f"Miwake DINOv2 ({args.label}) ({name})",
        description=f"The default model before {args.before} (kept selectable): {card.description}",
        translations={**card.translations, "ja": ja} if ja else card.translations,
    )
    out = save_bundle(dest, new, state)
    dp = check_same_scores(src, read_bundle(dest))
    size = (dest / "model.safetensors").stat().st_size
    print(f"{card.id} kept as {out.card.id} ({arch}, {size / 1e6:.1f} MB); max |dp| against it: {dp:.1e}")
    if dp > 1e-4:
        raise SystemExit("the kept model does not score as the default did")


if __name__ == "__main__":
    main()
