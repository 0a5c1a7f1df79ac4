"""The pixel model: a timm backbone with one output logit, run on CUDA (fp16), Apple MPS or CPU."""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .bundle import Bundle
from .errors import DeviceError
from .model_factory import build_model

if TYPE_CHECKING:
    from .onnx_runtime import OnnxDetector

log = logging.getLogger(__name__)

# What PyTorch needs to find a GPU: the NVIDIA driver (CUDA) or the ROCm runtime (AMD)
_GPU_LIBRARIES = ("nvcuda.dll",) if sys.platform == "win32" else ("libcuda.so.1", "libcuda.so", "libamdhip64.so")


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # cuda | mps | cpu
    name: str  # "NVIDIA GeForce RTX 4070" / "Apple MPS" / "CPU (8 threads)"
    torch_device: str


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def resolve_device(requested: str = "auto") -> DeviceInfo:
    """`auto` picks CUDA, then Apple MPS, then CPU. An explicit choice that is unavailable is an error."""
    import torch

    req = (requested or "auto").lower()
    if req.startswith("cuda") or (req == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise DeviceError(
                "CUDA was requested but no CUDA GPU is usable (no NVIDIA GPU, driver too old, or a CPU-only "
                "PyTorch build). Choose 'auto' or 'cpu'."
            )
        dev = torch.device(req if req.startswith("cuda:") else "cuda")
        return DeviceInfo("cuda", torch.cuda.get_device_name(dev), str(dev))
    mps = getattr(torch.backends, "mps", None)
    if req == "mps" or (req == "auto" and mps is not None and mps.is_available()):
        if mps is None or not mps.is_available():
            raise DeviceError("Apple MPS was requested but is not available on this machine.")
        return DeviceInfo("mps", "Apple MPS", "mps")
    if req not in ("auto", "cpu"):
        raise DeviceError(f"Unknown device {requested!r}: use auto, cpu, cuda or mps.")
    return DeviceInfo("cpu", f"CPU ({torch.get_num_threads()} threads)", "cpu")


def gpu_possible() -> bool:
    """Could `resolve_device("auto")` pick a GPU here? False only where it surely cannot: no GPU driver library
    loads, and this is not a Mac (where MPS may serve Apple silicon and some AMD GPUs). Answered in milliseconds,
    without importing PyTorch (about 1.5 s), so a CPU scan can start on ONNX Runtime at once."""
    if "torch" in sys.modules:
        return resolve_device("auto").kind != "cpu"
    if sys.platform == "darwin":
        return True
    for name in _GPU_LIBRARIES:
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def load_scorer(bundle: Bundle, device: str = "auto", cpu_runtime: str = "auto") -> Detector | OnnxDetector:
    """`bundle` ready to score on `device`. A scan on the CPU uses ONNX Runtime (`core.onnx_runtime`) unless
    `cpu_runtime` is "pytorch", ONNX Runtime is not installed, or the model's export does not match PyTorch."""
    from . import onnx_runtime

    req = (device or "auto").lower()
    if cpu_runtime == "pytorch" or req not in ("auto", "cpu") or not onnx_runtime.onnxruntime_installed():
        return Detector(bundle, device)
    if req == "auto" and gpu_possible() and resolve_device("auto").kind != "cpu":  # PyTorch decides (imported)
        return Detector(bundle, device)
    return onnx_runtime.load_onnx(bundle, device)


class Detector:
    """A loaded bundle on a device. `logits(crops)` takes N x H x W x 3 uint8 crops."""

    loaded = True  # as `LazyDetector.loaded`: the model is in memory

    def preload(self) -> None:
        """Already loaded (as `LazyDetector.preload`)."""

    def __init__(self, bundle: Bundle, device: str = "auto", *, model: Any = None) -> None:
        """Load `bundle`'s weights, or wrap `model` (a model being trained, scored with its card's settings)."""
        import torch

        self.bundle = bundle
        self.requested_device = device
        self.card = bundle.card
        self.device = resolve_device(device)
        self._torch_device = torch.device(self.device.torch_device)
        if model is None:
            model = build_model(self.card.arch)
            model.load_state_dict(bundle.load_state_dict(verify=True), strict=True)
        model.eval()
        self.model = model.to(self._torch_device, memory_format=torch.channels_last)
        self._mean = torch.tensor(self.card.mean, device=self._torch_device).view(1, 3, 1, 1) * 255.0
        self._std = torch.tensor(self.card.std, device=self._torch_device).view(1, 3, 1, 1) * 255.0
        self.fp16 = self.device.kind == "cuda"
        log.info("Loaded model %s (%s) on %s", self.card.id, self.card.arch, self.device.name)

    @property
    def default_batch_size(self) -> int:
        # CPU: small batches keep activations in cache (measured: 8 beats 16 by ~20% on a 2-core EPYC)
        return 64 if self.device.kind == "cuda" else 8

    def logits(self, crops: np.ndarray) -> np.ndarray:
        import torch

        if crops.ndim != 4 or crops.shape[-1] != 3:
            raise ValueError(f"expected N x H x W x 3 crops, got {crops.shape}")
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(crops))
            if self.device.kind == "cuda":
                x = x.pin_memory().to(self._torch_device, non_blocking=True)
            else:
                x = x.to(self._torch_device)
            x = x.permute(0, 3, 1, 2).float()  # NHWC memory = channels_last
            x = ((x - self._mean) / self._std).contiguous(memory_format=torch.channels_last)
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=self.fp16):
                out = self.model(x)
            return out.float().reshape(-1).cpu().numpy()


class LazyDetector:
    """A scorer (`Detector`, or `OnnxDetector` on a CPU) made when first needed, or loaded ahead in a background
    thread (`preload`).

    A rescan of an unchanged folder is answered from the result store: it needs neither PyTorch (about 3 s to
    import with timm) nor the weights. What loads is `load_scorer`'s choice: ONNX Runtime on a CPU where it can.
    A scan calls `preload()` when the first file has to be decoded, so the load runs while that file is read,
    decoded and tiled; the app preloads the active model after it starts. `loaded` says whether the model was
    needed; `device` is the real device once loaded.
    """

    def __init__(self, bundle: Bundle, device: str = "auto", cpu_runtime: str = "auto") -> None:
        self.bundle = bundle
        self.card = bundle.card
        self.requested_device = device
        self.cpu_runtime = cpu_runtime
        self.load_seconds: float | None = None  # how long loading took (the log says it too)
        self._detector: Detector | OnnxDetector | None = None
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

    def load(self) -> Detector | OnnxDetector:
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
        return DeviceInfo(self.requested_device, f"{self.requested_device} (model not loaded)", "")

    @property
    def default_batch_size(self) -> int:
        return self.load().default_batch_size

    def logits(self, crops: np.ndarray) -> np.ndarray:
        return self.load().logits(crops)
