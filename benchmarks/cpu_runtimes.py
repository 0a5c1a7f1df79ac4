"""The default model under PyTorch, ONNX Runtime and OpenVINO on this CPU: same crops, same batch, same scores?

    python benchmarks/cpu_runtimes.py [--model ID] [--batch 8] [--repeats 2]

Exports the model as a CPU scan does (`core.onnx_runtime.export`: NHWC uint8 crops in, normalised inside, one
logit per crop out, checked against PyTorch) to a temporary folder, then times each runtime on the crops of
`resources/samples` and prints crops/s, the ratio to PyTorch and the largest per-crop probability difference.
Issue #13's rule: a runtime replaces PyTorch for CPU scans only if it is >= 1.3x faster with max |dp| < 1e-3.
ONNX Runtime (about 1.1x) was adopted for its start-up instead, 3 s shorter (see core/onnx_runtime.py).
openvino is optional (`pip install openvino`; skipped when missing); it is timed at f32 and at its CPU default
(bf16 where the CPU has it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    import torch

    from miwake.core.detector import Detector
    from miwake.core.imaging import IMAGE_EXTENSIONS, decode_image
    from miwake.core.model_choice import active_model
    from miwake.core.preprocess import make_inputs
    from miwake.core.registry import ModelRegistry
    from miwake.core.scoring import sigmoid

    reg = ModelRegistry()
    bundle = reg.get(args.model) if args.model else active_model(reg)
    det = Detector(bundle, "cpu")
    samples = sorted(p for p in (ROOT / "resources" / "samples").iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
    crops = np.concatenate([make_inputs(decode_image(p).rgb, bundle.card)[0] for p in samples])

    from miwake.core import onnx_runtime

    tmp = tempfile.TemporaryDirectory()
    onnx_path = Path(tmp.name) / "model.onnx"
    entry = onnx_runtime.export(det, onnx_path)  # what a CPU scan runs: the export and its check
    feed_extra = {"pos": entry.table[onnx_runtime.grid_key(*crops.shape[1:3], entry.patch)]} if entry.patch else {}
    runtimes = {"pytorch": det.logits, "onnxruntime": entry.run}
    try:
        import openvino as ov

        core = ov.Core()
        for label, cfg in (("openvino f32", {"INFERENCE_PRECISION_HINT": "f32"}), ("openvino default", {})):
            req = core.compile_model(str(onnx_path), "CPU", cfg).create_infer_request()
            runtimes[label] = lambda b, r=req: next(iter(r.infer({"crops": b, **feed_extra}).values()))
    except ImportError:
        print("openvino not installed: skipped")

    rates: dict[str, list[float]] = {}
    outs: dict[str, np.ndarray] = {}
    for fn in runtimes.values():
        fn(crops[: args.batch])  # warm up
    for _ in range(args.repeats):  # interleaved: a shared machine's noise hits every runtime alike
        for name, fn in runtimes.items():
            t = time.perf_counter()
            out = np.concatenate([np.asarray(fn(crops[i : i + args.batch])).reshape(-1)
                                  for i in range(0, len(crops), args.batch)])
            rates.setdefault(name, []).append(len(crops) / (time.perf_counter() - t))
            outs[name] = out
    base = np.median(rates["pytorch"])
    print(f"{len(crops)} crops of {bundle.card.crop_size} px from {len(samples)} samples, batch {args.batch}, "
          f"model {bundle.id}, {torch.get_num_threads()} threads")
    for name, rs in rates.items():
        dp = float(np.max(np.abs(sigmoid(outs[name]) - sigmoid(outs["pytorch"]))))
        print(f"  {name:<18} {np.median(rs):6.1f} crops/s  {np.median(rs) / base:5.2f}x  max |dp| {dp:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
