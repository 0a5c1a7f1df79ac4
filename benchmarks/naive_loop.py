"""The naive per-image loop issue #13 compares `miwake scan` with, as a command of its own (a whole process).

    python benchmarks/naive_loop.py FOLDER [--model ID]

Pillow decode, the scan's own tiles (`core.preprocess.make_inputs`), one PyTorch forward per image with all of
its crops, no threads, no store, no evidence. Time it beside the scan with farm-bench, e.g.

    farm-bench -n 3 --warmup 0 --timeout 850 --vs "python benchmarks/naive_loop.py DIR" -- \\
        sh -c 'rm -rf /tmp/d; MIWAKE_DATA_DIR=/tmp/d exec miwake scan DIR -q'
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--model", default="default")
    args = ap.parse_args()

    from miwake.core.model_factory import build_model
    from miwake.core.preprocess import make_inputs
    from miwake.core.registry import ModelRegistry

    bundle = ModelRegistry().get(args.model)
    model = build_model(bundle.card.arch)
    model.load_state_dict(bundle.load_state_dict())
    model.eval()
    mean = torch.tensor(bundle.card.mean).view(1, 3, 1, 1) * 255
    std = torch.tensor(bundle.card.std).view(1, 3, 1, 1) * 255
    n = 0
    for f in sorted(Path(args.folder).iterdir()):
        with Image.open(f) as im:
            rgb = np.asarray(im.convert("RGB"))
        tiles, _ = make_inputs(rgb, bundle.card)
        with torch.inference_mode():
            x = torch.from_numpy(tiles).permute(0, 3, 1, 2).float()
            torch.sigmoid(model((x - mean) / std)).mean()
        n += 1
    print(f"{n} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
