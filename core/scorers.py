"""The scorer a scan uses: which runtime runs the model on this machine, and when it loads.

- A GPU (CUDA fp16, Apple MPS): PyTorch (`core.detector.Detector`).
- A CPU: the runtime and precision measured fastest for this model on this processor (`core.runtime_choice`):
  ONNX Runtime fp32 (`core.onnx_runtime`), PyTorch fp32 or PyTorch bf16. Where PyTorch won, the scan starts on
  ONNX Runtime (0.3 s to open) while PyTorch loads in the background (about 3 s), then goes on with it
  (`StagedScorer`), so the first result comes as soon as before.
- `LazyDetector` makes that choice only when a file needs scoring: a rescan of unchanged files loads nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from . import runtime_choice
from .bundle import Bundle
from .detector import Detector
from .devices import DeviceInfo, cpu_bf16_possible, gpu_possible, resolve_device
from .onnx_runtime import OnnxDetector, load_onnx, onnx_path, onnxruntime_installed
from .settings import CPU_RUNTIMES

log = logging.getLogger(__name__)
_MEASURE_LOCK = threading.Lock()  # see load_scorer


Scorer = Detector | OnnxDetector


class StagedScorer:
    """Scores with `first` (ONNX Runtime, open at once) until `load_final()` (PyTorch, the faster runtime here)
    has loaded in a background thread, then with that. Where the final one fails to load, `first` goes on (and
    the log says why). `device` names what scored the crops: the final runtime, and how many crops `first` did."""

    loaded = True

    def __init__(
        self, bundle: Bundle, first: Scorer, load_final: Callable[[], Detector], *, requested_device: str = "auto"
    ) -> None:
        self.bundle = bundle
        self.card = bundle.card
        self.requested_device = requested_device
        self.first = first
        self.final: Detector | None = None
        self.first_crops = 0  # crops `first` scored before the switch
        self._load_final = load_final
        self._loader = threading.Thread(target=self._load, name="miwake-runtime-load", daemon=True)
        self._loader.start()

    def _load(self) -> None:
        try:
            self.final = self._load_final()
        except Exception:
            log.warning(
                "The faster CPU runtime for %s could not be loaded; scanning on with %s",
                self.bundle.id,
                self.first.device.runtime_text,
                exc_info=True,
            )

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the final runtime (tests, benchmarks); whether it is in use."""
        self._loader.join(timeout)
        return self.final is not None

    def preload(self) -> None:
        """Already loading (as `LazyDetector.preload`)."""

    @property
    def default_batch_size(self) -> int:
        return self.first.default_batch_size

    @property
    def device(self) -> DeviceInfo:
        final = self.final
        if final is None:
            return self.first.device
        if not self.first_crops:
            return final.device
        return replace(
            final.device,
            note=f"{self.first.device.runtime_text} for the first {self.first_crops} crops, while it loaded",
        )

    def logits(self, crops: np.ndarray) -> np.ndarray:
        final = self.final
        if final is not None:
            return final.logits(crops)
        out = self.first.logits(crops)
        self.first_crops += len(crops)
        return out


def load_scorer(bundle: Bundle, device: str = "auto", cpu_runtime: str = "auto") -> Scorer | StagedScorer:
    """`bundle` ready to score on `device`. On a CPU, `cpu_runtime` "auto" takes the runtime measured fastest on
    this processor (measured now if it never was: a few seconds, once); "onnxruntime", "pytorch" and
    "pytorch-bf16" force one (bf16 only where the processor has bf16 units and its precision check passed;
    otherwise fp32, and the log and the scorer's `device` say so)."""
    req = (device or "auto").lower()
    if req not in ("auto", "cpu"):
        return Detector(bundle, device)
    if req == "auto" and gpu_possible() and resolve_device("auto").kind != "cpu":  # PyTorch decides (imported)
        return Detector(bundle, device)
    if cpu_runtime not in CPU_RUNTIMES:
        raise ValueError(f"unknown CPU runtime {cpu_runtime!r}: use one of {', '.join(CPU_RUNTIMES)}")
    if cpu_runtime == "pytorch":
        return Detector(bundle, device)
    if cpu_runtime == "onnxruntime":
        return _from_choice(bundle, device, "onnxruntime")
    forced_bf16 = cpu_runtime == "pytorch-bf16"
    choice = runtime_choice.cached_choice(bundle)
    if choice is None:
        # one measurement at a time in a process (the app's preload and a scan's own load can meet here): two at
        # once slow each other down, and whichever finished last would be the choice kept for good
        with _MEASURE_LOCK:
            choice = runtime_choice.cached_choice(bundle)
            if choice is None:
                return _measured(bundle, device, forced_bf16)
    return _from_choice(bundle, device, _target(choice, forced_bf16))


def _measured(bundle: Bundle, device: str, forced_bf16: bool) -> Scorer:
    """Measure the CPU runtimes for `bundle` here (the first CPU scan of a model on this processor) and return
    the scorer the choice names, reusing what the measurement loaded."""
    first = load_onnx(bundle, device) if onnxruntime_installed() else None
    onnx = first if isinstance(first, OnnxDetector) else None
    pytorch = (
        first if isinstance(first, Detector) else (onnx.pytorch() if onnx is not None else Detector(bundle, device))
    )
    choice = measure_here(bundle, pytorch, onnx, with_bf16=cpu_bf16_possible())
    target = _target(choice, forced_bf16)
    if target == "onnxruntime" and onnx is not None:
        return onnx
    if target == "pytorch-bf16":
        return Detector(bundle, device, model=pytorch.model, precision="bf16")
    return pytorch


def measure_here(
    bundle: Bundle, pytorch: Detector, onnx: OnnxDetector | None, *, with_bf16: bool
) -> runtime_choice.Choice:
    """Measure the CPU candidates for `bundle` with the loaded scorers and keep the choice; a few seconds."""
    t0 = time.perf_counter()
    scorers: dict[str, runtime_choice.LogitsFn] = {}
    if onnx is not None:
        scorers["onnxruntime"] = onnx.logits
    scorers["pytorch"] = pytorch.logits
    check = None
    if with_bf16:
        bf16 = Detector(bundle, "cpu", model=pytorch.model, precision="bf16")
        check = runtime_choice.check_precision(
            bundle, scorers["onnxruntime" if onnx else "pytorch"], bf16.logits, "bf16"
        )
        scorers["pytorch-bf16"] = bf16.logits
    choice = runtime_choice.measure(bundle, scorers, precision_check=check, batch=pytorch.default_batch_size)
    runtime_choice.store_choice(bundle, choice)
    log.info("Measured the CPU runtimes for %s in %.1f s", bundle.id, time.perf_counter() - t0)
    return choice


def _target(choice: runtime_choice.Choice, forced_bf16: bool) -> str:
    if not forced_bf16:
        return choice.runtime
    check = choice.precision_check
    if check is not None and check.passed:
        return "pytorch-bf16"
    if check is None:
        log.warning(
            "bf16 was asked for, but this processor has no bf16 units (PyTorch would emulate them, several "
            "times slower than fp32): scanning with PyTorch fp32"
        )
    else:
        log.warning(
            "bf16 was asked for, but it does not keep this model's verdicts (%s): scanning with PyTorch fp32",
            check.refused,
        )
    return "pytorch"


def _from_choice(bundle: Bundle, device: str, target: str) -> Scorer | StagedScorer:
    """The scorer for a measured choice. PyTorch starts behind ONNX Runtime where the model's export is cached."""
    if target == "onnxruntime":
        return load_onnx(bundle, device) if onnxruntime_installed() else Detector(bundle, device)
    precision = runtime_choice.PRECISION[target]
    if onnxruntime_installed() and onnx_path(bundle).is_file():
        first = load_onnx(bundle, device)
        if isinstance(first, OnnxDetector):
            return StagedScorer(
                bundle, first, lambda: Detector(bundle, device, precision=precision), requested_device=device
            )
    return Detector(bundle, device, precision=precision)


class LazyDetector:
    """A scorer made when first needed (`load_scorer`'s choice), or loaded ahead in a background thread
    (`preload`).

    A rescan of an unchanged folder is answered from the result store: it needs neither PyTorch (about 3 s to
    import with timm) nor the weights. A scan calls `preload()` when the first file has to be decoded, so the load
    runs while that file is read, decoded and tiled; the app preloads the active model after it starts. `loaded`
    says whether the model was needed; `device` is the real device once loaded.
    """

    def __init__(self, bundle: Bundle, device: str = "auto", cpu_runtime: str = "auto") -> None:
        self.bundle = bundle
        self.card = bundle.card
        self.requested_device = device
        self.cpu_runtime = cpu_runtime
        self.load_seconds: float | None = None  # how long loading took (the log says it too)
        self._detector: Scorer | StagedScorer | None = None
        self._load_lock = threading.Lock()
        self._preload: threading.Thread | None = None

    @property
    def loaded(self) -> bool:
        return self._detector is not None

    def preload(self) -> None:
        """Start loading in a background thread, once; `load()` then waits for it instead of starting again."""
        if self._detector is None and self._preload is None:
            self._preload = threading.Thread(target=self._load_quietly, name="miwake-model-load", daemon=True)
            self._preload.start()

    def _load_quietly(self) -> None:
        try:
            self.load()
        except Exception:  # the scan's own load() raises it again, where it can be reported
            log.debug("Preloading %s failed", self.bundle.id, exc_info=True)

    def load(self) -> Scorer | StagedScorer:
        with self._load_lock:
            if self._detector is None:
                t0 = time.perf_counter()
                self._detector = load_scorer(self.bundle, self.requested_device, self.cpu_runtime)
                self.load_seconds = time.perf_counter() - t0
                log.info("Model %s ready in %.1f s", self.bundle.id, self.load_seconds)
        return self._detector

    @property
    def device(self) -> DeviceInfo:
        if self._detector is not None:
            return self._detector.device
        return DeviceInfo(self.requested_device, f"{self.requested_device} (model not loaded)", "", runtime="")

    @property
    def default_batch_size(self) -> int:
        return self.load().default_batch_size

    def logits(self, crops: np.ndarray) -> np.ndarray:
        return self.load().logits(crops)
