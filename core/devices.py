"""Where a model runs: the compute device a user asks for, what the machine has, and what its CPU can do.

Kept apart from the model code so that a scan can ask "could there be a GPU?" and "which CPU is this?" without
importing PyTorch (about 1.5 s), and so that the scorers (`core.scorers`) and the runtimes they choose between
(`core.detector`, `core.onnx_runtime`) import this room instead of each other.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import sys
from dataclasses import dataclass
from functools import cache

from .errors import DeviceError

# What PyTorch needs to find a GPU: the NVIDIA driver (CUDA) or the ROCm runtime (AMD)
_GPU_LIBRARIES = ("nvcuda.dll",) if sys.platform == "win32" else ("libcuda.so.1", "libcuda.so", "libamdhip64.so")

RUNTIME_NAMES = {"pytorch": "PyTorch", "onnxruntime": "ONNX Runtime"}


@dataclass(frozen=True)
class DeviceInfo:
    """The device a scorer runs on, and with what: `runtime` (pytorch | onnxruntime) and `precision`
    (fp32 | bf16 | fp16) are what reports and the scan record name, so a user can tell what scored the files."""

    kind: str  # cuda | mps | cpu
    name: str  # "NVIDIA GeForce RTX 4070" / "Apple MPS" / "CPU (8 threads)"
    torch_device: str
    runtime: str = "pytorch"  # "" where nothing is loaded yet
    precision: str = "fp32"
    note: str = ""  # e.g. which runtime scored the first crops while this one loaded

    @property
    def runtime_text(self) -> str:
        """ "PyTorch bf16", "ONNX Runtime fp32"."""
        return f"{RUNTIME_NAMES.get(self.runtime, self.runtime)} {self.precision}"

    @property
    def description(self) -> str:
        """The device and what ran on it, as the summary line, the scan record and reports say it:
        "CPU (8 threads), PyTorch bf16"."""
        if not self.runtime:
            return self.name
        return f"{self.name}, {self.runtime_text}" + (f" ({self.note})" if self.note else "")


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


_thread_limit: int | None = None


def limit_cpu_threads(threads: int) -> None:
    """Run the model on at most `threads` CPU threads in this process, PyTorch and ONNX Runtime alike (a cluster
    worker that was given part of a node's cores). Call before the model loads."""
    global _thread_limit
    import torch

    _thread_limit = max(1, int(threads))
    torch.set_num_threads(_thread_limit)


def cpu_thread_limit() -> int | None:
    """The limit `limit_cpu_threads` set, or None (each runtime's own default: one thread per core)."""
    return _thread_limit


def cpu_threads() -> int:
    """The threads PyTorch runs with on this CPU (its default: one per core it may use)."""
    import torch

    return int(torch.get_num_threads())


def resolve_device(requested: str = "auto") -> DeviceInfo:
    """`auto` picks CUDA, then Apple MPS, then CPU. An explicit choice that is unavailable is an error.
    The precision is what `core.detector.Detector` runs there by default (fp16 on CUDA)."""
    import torch

    req = (requested or "auto").lower()
    if req.startswith("cuda") or (req == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise DeviceError(
                "CUDA was requested but no CUDA GPU is usable (no NVIDIA GPU, driver too old, or a CPU-only "
                "PyTorch build). Choose 'auto' or 'cpu'."
            )
        dev = torch.device(req if req.startswith("cuda:") else "cuda")
        return DeviceInfo("cuda", torch.cuda.get_device_name(dev), str(dev), precision="fp16")
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


def cpu_bf16_possible() -> bool:
    """Whether PyTorch's CPU kernels (oneDNN) run bfloat16 here: AVX-512 (BF16/AMX where the CPU has them) or
    Arm's BF16 extension. A CPU without them would emulate it, slower than fp32, so it is no candidate there;
    where it is, `core.runtime_choice` still measures it before using it."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a PyTorch built without oneDNN
        return False


@cache
def cpu_fingerprint() -> str:
    """Which processor this is, as a short stable text: model name and a hash of its feature flags (Linux), or
    what the platform says (Windows, macOS). A measured runtime choice is only valid on the same processor."""
    model, flags = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("model name", "Model", "CPU part") and not flags:
                    model = value.strip() or model
                elif key in ("flags", "Features"):
                    flags = value.strip()
                    break
    except OSError:
        pass
    digest = hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:12] if flags else "-"
    return f"{model} [{platform.machine()}, {os.cpu_count()} cpus, flags {digest}]"
