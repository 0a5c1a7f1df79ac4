"""Every CPU path for a model on this machine: crops/s, how far its scores are from PyTorch fp32, and what a scan
would choose (issue #26).

    python benchmarks/cpu_runtimes.py [--model ID] [--batch 8] [--repeats 2] [--max-crops 48] [--no-bf16]

The crops are those a scan makes of `resources/samples` (the card's tiling). Candidates, timed interleaved on the
same crops, best of `--repeats`:
  onnxruntime fp32   the model's export, as CPU scans ran it before the choice was measured (the 1.00x row)
  pytorch fp32       PyTorch as loaded for scans (for the default: only the blocks its head reads)
  pytorch bf16       bfloat16 autocast; where PyTorch has no bf16 kernels on this CPU it is emulated, slowly,
                     and never chosen (its numbers still show what bf16 does to the scores)
  pytorch fp32, all blocks   for DINOv2 layer models: every block run, as before the unread ones were cut
  openvino f32 / default     only where `openvino` is installed (default: bf16 where the CPU has it)
For scale, "JPEG q90 re-save": the fp32 scores of the same crops after a JPEG quality-90 round trip, a change
the card's figures include as a view. Reduced precision must move the scores less than that
(`core.runtime_choice.MAX_DP_REDUCED`) and keep every sample's verdict.
The last line says which candidate `auto` would choose here (`core.runtime_choice.pick`).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def jpeg_q90(crops: np.ndarray) -> np.ndarray:
    from PIL import Image

    out = []
    for c in crops:
        buf = io.BytesIO()
        Image.fromarray(c).save(buf, "JPEG", quality=90)
        out.append(np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")))
    return np.stack(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--max-crops", type=int, default=48, help="crops per candidate and round (default 48)")
    ap.add_argument("--no-bf16", action="store_true", help="skip bf16 (slow where it is emulated)")
    args = ap.parse_args()

    import torch

    from miwake.core import onnx_runtime
    from miwake.core.detector import Detector
    from miwake.core.devices import cpu_bf16_possible, cpu_fingerprint
    from miwake.core.model_choice import active_model
    from miwake.core.registry import ModelRegistry
    from miwake.core.runtime_choice import (
        MAX_DP_REDUCED,
        Measurement,
        batched_logits,
        pick,
        sample_crops,
        time_candidates,
    )
    from miwake.core.scoring import aggregate_logits, sigmoid, verdict_for

    reg = ModelRegistry()
    bundle = reg.get(args.model) if args.model else active_model(reg)
    card = bundle.card
    det = Detector(bundle, "cpu")
    per_image = sample_crops(bundle)
    crops = np.concatenate(per_image)[: args.max_crops]
    bf16_native = cpu_bf16_possible()

    tmp = tempfile.TemporaryDirectory()
    onnx_path = Path(tmp.name) / "model.onnx"
    entry = onnx_runtime.export(det, onnx_path)  # what a CPU scan runs: the export and its check
    runtimes: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "onnxruntime fp32": entry.run,
        "pytorch fp32": det.logits,
    }
    if not args.no_bf16:
        runtimes["pytorch bf16"] = Detector(bundle, "cpu", model=det.model, precision="bf16").logits
    if hasattr(det.model, "blocks_read"):
        every = Detector(bundle, "cpu", model=det.model)

        def all_blocks(b: np.ndarray) -> np.ndarray:
            cut = det.model.blocks_read
            det.model.blocks_read = lambda: len(det.model.dino.blocks)
            try:
                return every.logits(b)
            finally:
                det.model.blocks_read = cut

        runtimes["pytorch fp32, all blocks"] = all_blocks
    try:
        import openvino as ov

        feed_extra = {"pos": entry.table[onnx_runtime.grid_key(*crops.shape[1:3], entry.patch)]} if entry.patch else {}
        core = ov.Core()
        for label, cfg in (("openvino f32", {"INFERENCE_PRECISION_HINT": "f32"}), ("openvino default", {})):
            req = core.compile_model(str(onnx_path), "CPU", cfg).create_infer_request()
            runtimes[label] = lambda b, r=req: np.asarray(next(iter(r.infer({"crops": b, **feed_extra}).values())))
    except ImportError:
        print("openvino not installed: skipped")

    def run(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
        return batched_logits(fn, x, args.batch)

    # interleaved, best of --repeats: a shared machine's noise hits every runtime alike (what a scan measures too)
    timed = time_candidates(runtimes, crops, batch=args.batch, rounds=args.repeats)
    rates = {name: rate for name, (rate, _) in timed.items()}
    outs = {name: logits for name, (_, logits) in timed.items()}
    ref = sigmoid(outs["pytorch fp32"])
    base = rates["onnxruntime fp32"]

    def verdicts(fn: Callable[[np.ndarray], np.ndarray]) -> list[str]:
        return [verdict_for(aggregate_logits(run(fn, c), card.aggregation), card.unsure_band).value for c in per_image]

    ref_verdicts = verdicts(det.logits)
    print(
        f"model {bundle.id} ({card.arch}), {len(crops)} crops of {card.crop_size} px from {len(per_image)} samples, "
        f"batch {args.batch}, {torch.get_num_threads()} threads"
    )
    print(f"CPU: {cpu_fingerprint()}; PyTorch bf16 kernels: {'yes' if bf16_native else 'no (bf16 emulated)'}")
    print(f"  {'':26} {'crops/s':>8} {'vs ORT':>7} {'max |dp|':>9} {'median |dp|':>12} {'verdicts changed':>17}")
    measured = []
    for name, rate in rates.items():
        dp = np.abs(sigmoid(outs[name]) - ref)
        changed = (
            ""
            if name.startswith("pytorch fp32")
            else str(sum(a != b for a, b in zip(ref_verdicts, verdicts(runtimes[name]), strict=True)))
            + f" of {len(per_image)}"
        )
        print(f"  {name:<26} {rate:8.1f} {rate / base:6.2f}x {dp.max():9.2e} {np.median(dp):12.2e} {changed:>17}")
        candidate = {"onnxruntime fp32": "onnxruntime", "pytorch fp32": "pytorch", "pytorch bf16": "pytorch-bf16"}
        if name in candidate and (name != "pytorch bf16" or bf16_native):
            ok = name != "pytorch bf16" or (dp.max() <= MAX_DP_REDUCED and changed.startswith("0 "))
            measured.append(Measurement(candidate[name], rate, float(dp.max()), None if ok else "refused"))
    jp = np.abs(sigmoid(run(det.logits, jpeg_q90(crops))) - ref)
    print(f"  {'JPEG q90 re-save (scale)':<26} {'':>8} {'':>7} {jp.max():9.2e} {np.median(jp):12.2e}")
    print(
        f"reduced precision allowed up to max |dp| {MAX_DP_REDUCED} with no verdict changed; "
        f"auto would choose here: {pick(measured)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
