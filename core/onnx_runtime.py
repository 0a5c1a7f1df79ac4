"""CPU scans through ONNX Runtime: the same model, exported once from its safetensors, ready in half a second.

Why: on a CPU, importing PyTorch and timm takes seconds before the first crop can be scored; ONNX Runtime
imports and opens the default model in a fraction of that, and its forward pass is as fast as PyTorch fp32 on
CPUs without bf16 units (figures: `benchmarks/cpu_runtimes.py`, docs/experiments.md). A scan's first result
comes that much sooner, in the CLI as in the app; where PyTorch is faster on the machine (`core.runtime_choice`)
the scan still starts here.

The safetensors stay the source of truth. The ONNX file is a cache (`paths.cache_dir()/onnx`), exported from
them with PyTorch the first time a model scans on a CPU (about 1 s for the default model). Each export is checked
against PyTorch on a few crops before it is kept (max |dp| <= `MAX_DP`). The file name holds a key of the weights'
checksum, the crop size, the input statistics and `EXPORT_VERSION`, so changed weights never meet a stale export.
The graph takes the tiler's crops as they are (N x H x W x 3 uint8, any size up to the crop size: images smaller
than the crop give smaller crops) and normalises inside, so a scan needs neither PyTorch nor timm. A ViT's
position embedding depends on the crop's patch grid; it is an input of the graph, looked up in a table made
with the model's own code at export time (`.pos.npz` beside the graph). If smaller crops do not match PyTorch
for some model, those go to PyTorch, loaded only if such a crop comes.

An export that fails or does not match leaves a `.failed` note beside it; that model then scans with PyTorch
until PyTorch, onnx or ONNX Runtime change version.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from . import atomic, paths
from .bundle import Bundle
from .detector import Detector
from .devices import DeviceInfo, cpu_thread_limit
from .scoring import sigmoid

log = logging.getLogger(__name__)

EXPORT_VERSION = 3  # bump when the exported graph changes (inputs, outputs, normalisation; 3: unread blocks cut)
OPSET = 17
MAX_DP = 1e-4  # the largest probability difference from PyTorch an export may show on the check crops


class ExportError(RuntimeError):
    """The model could not be exported, or its export does not score as PyTorch does."""


def onnxruntime_installed() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def onnx_path(bundle: Bundle) -> Path:
    """Where `bundle`'s export is cached (whether or not it exists yet)."""
    c = bundle.card
    facts = [EXPORT_VERSION, c.arch, c.weights_sha256, c.crop_size, list(c.mean), list(c.std)]
    key = hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", c.id)[:60]
    return paths.cache_dir() / "onnx" / f"{name}-{key}.onnx"


def library_versions() -> dict[str, str]:
    out = {}
    for dist in ("torch", "onnx", "onnxruntime"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = ""
    return out


def _failure_path(path: Path) -> Path:
    return path.with_suffix(".failed")


def _failed_before(path: Path) -> str | None:
    """Why this export failed with the installed versions, or None (never tried, or tried with others)."""
    try:
        note = json.loads(_failure_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or note.get("versions") != library_versions():
        return None
    return str(note.get("reason", "unknown"))


def session(model: Path) -> Any:
    """An ONNX Runtime CPU session: one thread per physical core, or the process's limit where one is set (a cluster
    worker given 2 of a node's cores, `devices.limit_cpu_threads`). Its threads do not spin when idle: on a small
    CPU the decoder threads of a scan need those cores between forward passes."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = cpu_thread_limit() or 0  # 0: ONNX Runtime's own default
    so.log_severity_level = 3  # errors only: ORT's warnings about unused initialisers mean nothing to a user
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])


def check_crops(size: int) -> np.ndarray:
    """Crops an export must score as PyTorch does: noise, a smooth gradient and flat grey (3, not the export's 2,
    so the batch axis is checked too)."""
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    ramp = np.linspace(0, 255, size, dtype=np.float32)
    gradient = np.stack([np.add.outer(ramp, ramp) / 2, np.tile(ramp, (size, 1)), np.tile(ramp[:, None], (1, size))], -1)
    grey = np.full((size, size, 3), 128, np.uint8)
    return np.stack([noise, gradient.astype(np.uint8), grey])


def small_check_crops(size: int) -> list[np.ndarray]:
    """Crops smaller than the crop size (an image smaller than the crop), of sizes that need padding."""
    rng = np.random.default_rng(1)
    shapes = [(size // 2 + 3, max(1, size - 5)), (max(1, size // 3), size)]
    return [rng.integers(0, 256, (2, h, w, 3), dtype=np.uint8) for h, w in shapes]


def grid_key(h: int, w: int, patch: int) -> str:
    """The position table's key for an h x w crop: its patch grid once padded ("7x16")."""
    return f"{-(-h // patch)}x{-(-w // patch)}"


def export(detector: Detector, path: Path) -> OnnxEntry:
    """Export `detector`'s model (PyTorch, CPU) to `path` and check it; returns the export, opened (the session
    that checked it, which holds the graph in memory). One function on purpose: export, check and publish are one
    transaction (nothing is kept unless the check passed; the graph is renamed into place last).

    The graph takes crops of any size up to the crop size. A model with a ViT branch also takes the position
    embedding of the crop's patch grid: the table of every grid is computed here, with the model's own code
    (`core.archs.grid_pos_embed`), and kept beside the graph (`.pos.npz`). Crops of the full size must match
    PyTorch, or nothing is written; where smaller ones do not, the entry says so (`any_size`: false) and they
    are scored with PyTorch. Written whole or not at all: into a hidden folder beside, then renamed, the graph
    last (its presence means the entry is complete)."""
    import torch

    from .archs import grid_pos_embed

    if detector.device.kind != "cpu":
        raise ExportError("the model to export must be on the CPU")
    size = detector.card.crop_size
    vit = getattr(detector.model, "vit", None)
    patch = int(vit.patch_embed.patch_size[0]) if vit is not None else 0
    table: dict[str, Any] = {}  # grid -> 1 x T x C array (Any: numpy's savez stub takes **kwargs as bool too)
    if vit is not None:
        with torch.inference_mode():
            n = -(-size // patch)
            table = {
                grid_key(gh * patch, gw * patch, patch): grid_pos_embed(vit, (gh, gw)).float().numpy()
                for gh in range(1, n + 1)
                for gw in range(1, n + 1)
            }
    graph = _crops_model(detector, with_pos=vit is not None)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".export-") as tmp:
        part = Path(tmp) / path.name
        example: tuple[Any, ...] = (torch.zeros(2, size, size, 3, dtype=torch.uint8),)
        names = ["crops"]
        axes: dict[str, dict[int, str]] = {"crops": {0: "n", 1: "h", 2: "w"}, "logits": {0: "n"}}
        if vit is not None:
            example += (torch.from_numpy(table[grid_key(size, size, patch)]),)
            names.append("pos")
            axes["pos"] = {1: "tokens"}
        try:
            with warnings.catch_warnings():  # TracerWarnings: timm's size checks, traced as the shapes they read
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    graph,
                    example,
                    str(part),
                    input_names=names,
                    output_names=["logits"],
                    opset_version=OPSET,
                    dynamo=False,
                    dynamic_axes=axes,
                )
            entry = OnnxEntry(session(part), table, patch, any_size=True)
            got = entry.run(check_crops(size))
        except Exception as e:  # the exporter and ORT raise many kinds; all mean "no export for this model"
            raise ExportError(f"{type(e).__name__}: {e}") from e

        def worst(crops: np.ndarray, got: np.ndarray) -> float:
            return float(np.max(np.abs(sigmoid(got) - sigmoid(detector.logits(crops)))))

        dp = worst(check_crops(size), got)
        if not dp <= MAX_DP:  # also catches NaN
            raise ExportError(f"the export scores differently from PyTorch (max |dp| {dp:.1e} > {MAX_DP:.0e})")
        try:
            dp_small = max(worst(c, entry.run(c)) for c in small_check_crops(size))
        except Exception as e:
            log.info("The ONNX export of %s cannot score smaller crops (%s): PyTorch will", detector.card.id, e)
            dp_small = float("nan")
        entry.any_size = any_size = dp_small <= MAX_DP
        meta = {
            "export_version": EXPORT_VERSION,
            "any_size": any_size,
            "patch": patch,
            "max_dp": dp,
            "max_dp_smaller": dp_small,
            "versions": library_versions(),
        }
        if table:
            np.savez(Path(tmp) / "pos.npz", **table)
            _settle(Path(tmp) / "pos.npz", _pos_path(path))
        atomic.write_text(_meta_path(path), json.dumps(meta, indent=1))
        _settle(part, path)
    _failure_path(path).unlink(missing_ok=True)
    _drop_outdated(path)
    log.info(
        "Exported %s for ONNX Runtime in %s (max |dp| vs PyTorch %.1e; smaller crops %s)",
        detector.card.id,
        path,
        dp,
        f"{dp_small:.1e}" if any_size else "by PyTorch",
    )
    return entry


def _settle(part: Path, dest: Path) -> None:
    with open(part, "rb+") as fh:  # on disk before it takes its name (as `atomic` writes)
        os.fsync(fh.fileno())
    os.replace(part, dest)


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _pos_path(path: Path) -> Path:
    return path.with_suffix(".pos.npz")


def runtime_choice_path(path: Path) -> Path:
    """The CPU runtime measured for this model on this machine (`core.runtime_choice`), kept beside the export."""
    return path.with_suffix(".runtime.json")


def _drop_outdated(path: Path) -> None:
    """Remove this model's exports made by an older `EXPORT_VERSION` (never opened again: the key changed)."""
    stem = path.name.rsplit("-", 1)[0]
    for other in path.parent.glob(f"{glob.escape(stem)}-*.onnx"):
        if other == path:
            continue
        try:
            outdated = json.loads(_meta_path(other).read_text(encoding="utf-8")).get("export_version") != EXPORT_VERSION
        except (OSError, ValueError, AttributeError):
            outdated = True  # no readable note: version 1, or half-removed
        if outdated:
            for p in (other, _meta_path(other), _pos_path(other), _failure_path(other), runtime_choice_path(other)):
                with contextlib.suppress(OSError):
                    p.unlink()


def _sweep(folder: Path, older_than_s: float = 600.0) -> None:
    """Remove the half-made exports of processes that were stopped mid-export (a closed app, a killed scan)."""
    for d in folder.glob(".export-*"):
        with contextlib.suppress(OSError):
            if time.time() - d.stat().st_mtime > older_than_s:
                shutil.rmtree(d)


def _crops_model(detector: Detector, *, with_pos: bool) -> Any:
    import torch

    class CropsModel(torch.nn.Module):
        """N x H x W x 3 uint8 crops (and the ViT's position embedding for their grid) -> N logits, normalised
        as `Detector.logits` does."""

        mean: torch.Tensor
        std: torch.Tensor

        def __init__(self) -> None:
            super().__init__()
            self.model = detector.model
            self.register_buffer("mean", detector._mean.detach().clone())
            self.register_buffer("std", detector._std.detach().clone())

        def forward(self, crops: torch.Tensor, pos: torch.Tensor | None = None) -> torch.Tensor:
            x = (crops.permute(0, 3, 1, 2).float() - self.mean) / self.std
            return (self.model(x, pos) if with_pos else self.model(x)).reshape(-1)

    return CropsModel().eval()


class OnnxEntry:
    """An opened export: the session, the position table (ViT models) and what it may score."""

    def __init__(self, ort_session: Any, table: Any, patch: int, *, any_size: bool) -> None:
        self.session = ort_session
        self.table = table  # grid ("7x16") -> 1 x T x C position embedding; an `np.load` file or a dict
        self.patch = patch
        self.any_size = any_size
        self._pos: dict[str, np.ndarray] = {}

    def run(self, crops: np.ndarray) -> np.ndarray:
        feed = {"crops": np.ascontiguousarray(crops, dtype=np.uint8)}
        if self.patch:
            key = grid_key(crops.shape[1], crops.shape[2], self.patch)
            if key not in self._pos:
                self._pos[key] = np.asarray(self.table[key], dtype=np.float32)
            feed["pos"] = self._pos[key]
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32).reshape(-1)

    @classmethod
    def open(cls, path: Path) -> OnnxEntry:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        patch = int(meta["patch"])
        table: dict[str, Any] = {}
        if patch:  # read whole and closed: an open .npz would keep Windows from deleting the model's export
            with np.load(_pos_path(path)) as z:
                table = {k: z[k] for k in z.files}
        return cls(session(path), table, patch, any_size=bool(meta["any_size"]))


class OnnxDetector:
    """A bundle scored by ONNX Runtime on the CPU, with `Detector`'s interface.

    Crops up to the card's size go to ONNX Runtime. Where the export could not score smaller crops as PyTorch
    does (`any_size` false), those go to a PyTorch `Detector`, made at the first one."""

    loaded = True
    fp16 = False

    def __init__(
        self, bundle: Bundle, entry: OnnxEntry, *, requested_device: str = "auto", pytorch: Detector | None = None
    ) -> None:
        self.bundle = bundle
        self.card = bundle.card
        self.requested_device = requested_device
        threads = cpu_thread_limit() or os.cpu_count()
        self.device = DeviceInfo("cpu", f"CPU ({threads} threads)", "cpu", runtime="onnxruntime")
        self.any_size = entry.any_size
        self._entry = entry
        self._pytorch = pytorch
        self._pytorch_lock = threading.Lock()

    def preload(self) -> None:
        """Already loaded (as `LazyDetector.preload`)."""

    @property
    def default_batch_size(self) -> int:
        return 8  # as PyTorch on a CPU: small batches keep activations in cache

    def pytorch(self) -> Detector:
        """The same model in PyTorch (for crops the export does not take); loaded at the first call."""
        with self._pytorch_lock:
            if self._pytorch is None:
                log.info("Loading %s in PyTorch for crops of a size its ONNX export does not take", self.card.id)
                self._pytorch = Detector(self.bundle, "cpu")
            return self._pytorch

    def logits(self, crops: np.ndarray) -> np.ndarray:
        if crops.ndim != 4 or crops.shape[-1] != 3:
            raise ValueError(f"expected N x H x W x 3 crops, got {crops.shape}")
        s = self.card.crop_size
        full = crops.shape[1:3] == (s, s)
        if not full and not (self.any_size and crops.shape[1] <= s and crops.shape[2] <= s):
            return self.pytorch().logits(crops)
        return self._entry.run(crops)


_EXPORT_LOCK = threading.Lock()  # one export (or cache look-up while one runs) at a time in this process


def load_onnx(bundle: Bundle, requested_device: str = "cpu") -> OnnxDetector | Detector:
    """`bundle` ready to score on the CPU: from its cached export, else exported now (PyTorch loads for that),
    else, where the export fails or does not match, the PyTorch `Detector` (and a note says why)."""
    path = onnx_path(bundle)
    with _EXPORT_LOCK:  # torch.onnx.export is not reentrant: the app's preload and its first scan must not race
        _sweep(path.parent)  # an export of a killed process may have left a graph behind
        if path.is_file():
            try:
                return OnnxDetector(bundle, OnnxEntry.open(path), requested_device=requested_device)
            except Exception as e:  # a damaged or incomplete cache entry: export again
                log.warning("The cached ONNX export %s cannot be opened (%s); exporting it again", path, e)
                path.unlink(missing_ok=True)
        return _export_or_pytorch(bundle, path, requested_device)


def _export_or_pytorch(bundle: Bundle, path: Path, requested_device: str) -> OnnxDetector | Detector:
    detector = Detector(bundle, requested_device)
    if detector.device.kind != "cpu":  # PyTorch found a GPU after all: use it
        return detector
    reason = _failed_before(path)
    if reason is None:
        try:
            return OnnxDetector(bundle, export(detector, path), requested_device=requested_device, pytorch=detector)
        except Exception as e:  # whatever failed, this scan goes on with PyTorch
            reason = f"{type(e).__name__}: {e}" if isinstance(e, OSError) else str(e)
            with contextlib.suppress(OSError):  # a cache folder that cannot be written: no note, no export
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic.write_text(_failure_path(path), json.dumps({"reason": reason, "versions": library_versions()}))
    log.warning("%s scans with PyTorch on this CPU: its ONNX export cannot be used (%s)", bundle.id, reason)
    return detector


def forget(bundle: Bundle) -> None:
    """Remove `bundle`'s cached export, its side files and failure note (the model was deleted)."""
    path = onnx_path(bundle)
    for p in (path, _meta_path(path), _pos_path(path), _failure_path(path), runtime_choice_path(path)):
        p.unlink(missing_ok=True)
