"""Which runtime and precision score a model's crops on this CPU: measured once per machine, then remembered.

Why measure: which CPU path is fastest depends on the processor. On an Intel Xeon with AMX, PyTorch under
bfloat16 autocast ran the default model about 3x faster than fp32; on CPUs without bf16 units, ONNX Runtime and
PyTorch fp32 are within 10 % of each other, in either order (figures: docs/experiments.md, "CPU runtimes";
`benchmarks/cpu_runtimes.py` prints them for any machine). No fixed rule holds for every CPU, so the first CPU
scan of a model times the candidates on the same crops and keeps the fastest:

- ``onnxruntime``: ONNX Runtime fp32 on the model's export (`core.onnx_runtime`); opens in 0.3 s.
- ``pytorch``: PyTorch fp32.
- ``pytorch-bf16``: PyTorch under bfloat16 autocast, where PyTorch's CPU kernels run bf16 (`cpu_bf16_possible`),
  and only after `check_precision` found that it keeps the model's verdicts.

PyTorch replaces ONNX Runtime only when at least `MIN_GAIN` times faster: it takes seconds more to load (the
scan starts on ONNX Runtime meanwhile, `core.scorers.StagedScorer`), so a smaller gain is not worth its memory.

The choice is kept beside the model's export (``<export>.runtime.json``) with the key it is valid for: the
weights, crop size, processor (`cpu_fingerprint`), thread count and library versions. Any change of these
measures again. `--cpu-runtime` and Settings can force a candidate instead.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import atomic, onnx_runtime, paths
from .bundle import Bundle
from .devices import cpu_fingerprint
from .imaging import IMAGE_EXTENSIONS, decode_image
from .onnx_runtime import check_crops, onnx_path, runtime_choice_path
from .preprocess import make_inputs
from .scoring import aggregate_logits, sigmoid, verdict_for

log = logging.getLogger(__name__)

CHOICE_VERSION = 1  # bump when the measurement or the candidates change: every machine measures again
CANDIDATES = ("onnxruntime", "pytorch", "pytorch-bf16")
PRECISION = {"onnxruntime": "fp32", "pytorch": "fp32", "pytorch-bf16": "bf16"}
MIN_GAIN = 1.15
# The largest change of a crop's probability a reduced precision may make. bf16 keeps 8 bits of mantissa; it
# moved the default model's crop probabilities by at most about 0.02 (issue #26's dev crops; the samples'
# crops in `benchmarks/cpu_runtimes.py`). A JPEG re-save at quality 90, a view the card's figures include and a
# change every shared picture goes through, moves the same crops by a median of about 0.05: a bound of 0.03
# lets a precision change the scores less than a typical re-save does, and `check_precision` also requires every
# sample image to keep its verdict.
MAX_DP_REDUCED = 0.03
TIMING_CROPS = 8  # per candidate and round: one batch
TIMING_ROUNDS = 3  # interleaved, best of: the first round warms up, and the other core's work slows all alike


@dataclass(frozen=True)
class PrecisionCheck:
    """What a reduced precision did to the model's scores, against fp32, on its check crops and the samples."""

    precision: str
    max_dp: float  # largest crop probability change
    images: int  # sample images compared
    verdicts_changed: int
    refused: str | None  # why it may not be used, or None

    @property
    def passed(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class Measurement:
    candidate: str
    crops_per_s: float | None  # None: not timed (refused, or could not run)
    max_dp: float | None = None  # against ONNX Runtime / PyTorch fp32 on the timing crops
    refused: str | None = None


@dataclass(frozen=True)
class Choice:
    """The candidate that scores this model on this CPU, why, and the key it is valid for."""

    runtime: str
    key: dict[str, Any]
    measurements: tuple[Measurement, ...] = ()
    precision_check: PrecisionCheck | None = None
    measured_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def choice_key(bundle: Bundle) -> dict[str, Any]:
    """What a measured choice depends on. Made without importing PyTorch (a cached choice is read before it)."""
    c = bundle.card
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "version": CHOICE_VERSION,
        "weights": c.weights_sha256,
        "crop_size": c.crop_size,
        "cpu": cpu_fingerprint(),
        "threads": threads,
        "versions": onnx_runtime.library_versions(),
    }


def choice_path(bundle: Bundle) -> Path:
    return runtime_choice_path(onnx_path(bundle))


def cached_choice(bundle: Bundle) -> Choice | None:
    """The choice measured on this machine for this model, or None (never measured, or measured for another key:
    other weights, processor, thread count or library versions)."""
    try:
        raw = json.loads(choice_path(bundle).read_text(encoding="utf-8"))
        if raw.get("key") != choice_key(bundle) or raw.get("runtime") not in CANDIDATES:
            return None
        check = raw.get("precision_check")
        return Choice(
            runtime=raw["runtime"],
            key=raw["key"],
            measurements=tuple(Measurement(**m) for m in raw.get("measurements", ())),
            precision_check=PrecisionCheck(**check) if check else None,
            measured_at=float(raw.get("measured_at", 0.0)),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def store_choice(bundle: Bundle, choice: Choice) -> None:
    """Keep `choice` beside the export; a cache folder that cannot be written only means measuring again."""
    path = choice_path(bundle)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, choice.to_json())
    except OSError as e:
        log.warning("Could not keep the CPU runtime choice in %s: %s", path, e)


def forget_choice(bundle: Bundle) -> None:
    choice_path(bundle).unlink(missing_ok=True)


# -- reduced precision ---------------------------------------------------------------------------------------
LogitsFn = Callable[[np.ndarray], np.ndarray]


def batched_logits(fn: LogitsFn, crops: np.ndarray, batch: int = 8) -> np.ndarray:
    """`fn`'s logits for `crops`, `batch` at a time, as one float64 vector."""
    return np.concatenate(
        [np.asarray(fn(crops[i : i + batch]), np.float64).reshape(-1) for i in range(0, len(crops), batch)]
    )


def sample_crops(bundle: Bundle, folder: Path | None = None, limit: int = 12) -> list[np.ndarray]:
    """The crops a scan would score of each bundled sample image (one array per image), at the card's tiling."""
    folder = folder or paths.samples_dir()
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)[:limit]
    except OSError:
        return []
    out = []
    for p in files:
        try:
            out.append(make_inputs(decode_image(p).rgb, bundle.card)[0])
        except Exception as e:  # a sample that cannot be read weakens the check, it does not stop the scan
            log.info("Sample %s left out of the precision check: %s", p.name, e)
    return out


def check_precision(
    bundle: Bundle,
    reference: LogitsFn,
    candidate: LogitsFn,
    precision: str,
    images: Sequence[np.ndarray] | None = None,
    batch: int = 8,
) -> PrecisionCheck:
    """Compare `candidate` (a reduced precision) with `reference` (fp32) on the model's check crops and on
    `images` (default: the bundled samples' crops): refused when any crop's probability moves more than
    `MAX_DP_REDUCED` or any image's verdict (the card's aggregation and band) changes."""
    card = bundle.card
    images = sample_crops(bundle) if images is None else images

    def run(fn: LogitsFn, crops: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [np.asarray(fn(crops[i : i + batch]), np.float64).reshape(-1) for i in range(0, len(crops), batch)]
        )

    try:
        fixed = check_crops(card.crop_size)
        worst = float(np.max(np.abs(sigmoid(run(candidate, fixed)) - sigmoid(run(reference, fixed)))))
        changed = 0
        for crops in images:
            ref, got = run(reference, crops), run(candidate, crops)
            worst = max(worst, float(np.max(np.abs(sigmoid(got) - sigmoid(ref)))))
            before = verdict_for(aggregate_logits(ref, card.aggregation), card.unsure_band)
            after = verdict_for(aggregate_logits(got, card.aggregation), card.unsure_band)
            changed += before != after
    except Exception as e:  # a precision whose kernels fail here is refused, not a failed scan
        return PrecisionCheck(precision, float("nan"), len(images), 0, f"it failed: {type(e).__name__}: {e}")
    refused = None
    if not worst <= MAX_DP_REDUCED:  # NaN too
        refused = f"crop probabilities moved by up to {worst:.3f} (allowed {MAX_DP_REDUCED})"
    elif changed:
        refused = f"{changed} of {len(images)} sample images changed verdict"
    return PrecisionCheck(precision, worst, len(images), changed, refused)


# -- timing --------------------------------------------------------------------------------------------------
def timing_crops(size: int, n: int = TIMING_CROPS) -> np.ndarray:
    return np.random.default_rng(2).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def time_candidates(
    scorers: dict[str, LogitsFn], crops: np.ndarray, *, batch: int = 8, rounds: int = TIMING_ROUNDS
) -> dict[str, tuple[float, np.ndarray]]:
    """crops/s of each scorer (best of `rounds`, interleaved) and its logits on `crops`."""
    out: dict[str, tuple[float, np.ndarray]] = {}
    for _ in range(rounds):
        for name, fn in scorers.items():
            t = time.perf_counter()
            logits = batched_logits(fn, crops, batch)
            rate = len(crops) / max(time.perf_counter() - t, 1e-9)
            out[name] = (max(rate, out[name][0]) if name in out else rate, logits)
    return out


def pick(measurements: Sequence[Measurement]) -> str:
    """The fastest usable candidate; PyTorch only where `MIN_GAIN` faster than ONNX Runtime (when that ran)."""
    timed = {m.candidate: m.crops_per_s for m in measurements if m.crops_per_s and m.refused is None}
    if not timed:
        return "pytorch"
    best = max(timed, key=lambda k: timed[k])
    onnx = timed.get("onnxruntime")
    if onnx and best != "onnxruntime" and timed[best] < MIN_GAIN * onnx:
        return "onnxruntime"
    return best


def measure(
    bundle: Bundle, scorers: dict[str, LogitsFn], *, precision_check: PrecisionCheck | None = None, batch: int = 8
) -> Choice:
    """Time `scorers` (candidate -> logits function; a reduced precision only if `precision_check` passed) on
    the same crops and return the choice (not yet stored)."""
    usable = dict(scorers)
    refused: list[Measurement] = []
    if precision_check is not None and not precision_check.passed:
        for name in [n for n in usable if PRECISION[n] == precision_check.precision]:
            usable.pop(name)
            refused.append(Measurement(name, None, precision_check.max_dp, precision_check.refused))
    timed = time_candidates(usable, timing_crops(bundle.card.crop_size), batch=batch)
    ref_name = "onnxruntime" if "onnxruntime" in timed else "pytorch"
    ref = sigmoid(timed[ref_name][1]) if ref_name in timed else None
    found = [
        Measurement(n, round(rate, 2), None if ref is None else float(np.max(np.abs(sigmoid(z) - ref))))
        for n, (rate, z) in timed.items()
    ]
    measurements = tuple(found + refused)
    choice = Choice(pick(measurements), choice_key(bundle), measurements, precision_check)
    log.info(
        "CPU runtimes for %s on %s: %s; chosen: %s",
        bundle.id,
        cpu_fingerprint(),
        ", ".join(
            f"{m.candidate} {m.crops_per_s} crops/s" if m.crops_per_s else f"{m.candidate} refused ({m.refused})"
            for m in measurements
        ),
        choice.runtime,
    )
    return choice
