"""Long jobs as plain data: what the retraining wizard asks a worker process to do.

A `JobSpec` (kind + parameters, JSON-serialisable) goes to `run_job`, which calls the training API and
reports every event as a JSON-ready dict. The GUI never imports torch for these jobs: it writes a spec,
starts `training.worker` in a child process and reads the events (see `training/process.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miwake.core import extras
from miwake.core.errors import MissingExtraError, MiwakeError

log = logging.getLogger(__name__)

Emit = Callable[[dict[str, Any]], None]
KINDS = ("generate", "reconstruct", "train", "evaluate")


@dataclass(frozen=True)
class JobSpec:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> JobSpec:
        if d.get("kind") not in KINDS:
            raise ValueError(f"unknown job kind {d.get('kind')!r}")
        return cls(d["kind"], dict(d.get("params") or {}))


def _clean(v: Any) -> Any:
    """JSON-safe values (NaN -> None, paths -> str, tuples -> lists)."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def event_dict(ev: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(ev):
        return {"event": type(ev).__name__, **_clean(dataclasses.asdict(ev))}
    return _clean(dict(ev))


def error_kind(e: BaseException) -> str:
    """A stable name the GUI uses to pick its advice (smaller batch, free disk, pick a file...)."""
    from .generate_errors import (
        HubUnreachableError,
        InsufficientDiskSpaceError,
        ModelFilesError,
        OutOfGpuMemoryError,
    )
    from .train import TrainOutOfMemoryError

    if isinstance(e, (OutOfGpuMemoryError, TrainOutOfMemoryError)):
        return "out_of_memory"
    if isinstance(e, InsufficientDiskSpaceError) or (isinstance(e, OSError) and getattr(e, "errno", None) == 28):
        return "disk_full"
    if isinstance(e, HubUnreachableError):
        return "hub_unreachable"
    if isinstance(e, ModelFilesError):
        return "model_files"
    if isinstance(e, MissingExtraError):
        return "missing_extra"
    if isinstance(e, MiwakeError):
        return "invalid"
    return "internal"


def _train(p: dict[str, Any], emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .augment import AugmentConfig
    from .dataset import load_samples
    from .train import TrainConfig, Trainer

    cfgd = dict(p["config"])
    if isinstance(cfgd.get("augment"), dict):
        cfgd["augment"] = AugmentConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfgd["augment"].items()})
    cfgd["val_sources"] = tuple(cfgd.get("val_sources") or ())
    cfg = TrainConfig(**cfgd)
    from .checkpoint import has_checkpoint

    resume = has_checkpoint(Path(cfg.out_dir) / "training" / "checkpoint")
    samples = [] if resume else load_samples(p.get("real", []), p.get("ai", []), p.get("manifest"))
    fin = Trainer(cfg, samples, resume=resume, on_event=lambda ev: emit(event_dict(ev)), cancel_event=cancel).run()
    return {"status": fin.status, "bundle_path": fin.bundle_path, "report_path": fin.report_path}


def _evaluate(p: dict[str, Any], emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    import json

    from miwake.core.bundle import read_bundle
    from miwake.core.detector import Detector
    from miwake.core.registry import ModelRegistry

    from .dataset import Sample
    from .evaluate import evaluate, write_roc_png

    model = p["model"]
    bundle = read_bundle(model) if Path(model).exists() else ModelRegistry().get(model)
    det = Detector(bundle, p.get("device", "auto"))
    samples = [Sample(**s) for s in p["samples"]]
    report = evaluate(det, samples, jpeg90=p.get("jpeg90", True), cancel=cancel,
                      on_progress=lambda ph, d, t: emit({"event": "EvalProgress", "phase": ph, "done": d, "total": t}))
    out = Path(p["report"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_clean(report.to_dict()), indent=1), encoding="utf-8")
    if p.get("roc"):
        write_roc_png(report, p["roc"])
    return {"status": "cancelled" if cancel.is_set() else "finished", "report_path": str(out)}


def _generate(p: dict[str, Any], emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .generate import GenerateConfig, generate

    s = generate(GenerateConfig(**p["config"]), on_event=lambda ev: emit(event_dict(ev)), cancel=cancel)
    return {"status": "cancelled" if s.cancelled else "finished", "summary": event_dict(s)}


def _reconstruct(p: dict[str, Any], emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .generate import reconstruct

    kw = {k: v for k, v in p.items() if k not in ("model", "real_dir", "out_dir")}
    s = reconstruct(p["model"], p["real_dir"], p["out_dir"], on_event=lambda ev: emit(event_dict(ev)), cancel=cancel, **kw)
    return {"status": "cancelled" if s.cancelled else "finished", "summary": event_dict(s)}


_RUNNERS: dict[str, Callable[[dict[str, Any], Emit, threading.Event], dict[str, Any]]] = {
    "train": _train,
    "evaluate": _evaluate,
    "generate": _generate,
    "reconstruct": _reconstruct,
}


_NEEDS = {
    "train": (extras.TRAINING, "Training"),
    "evaluate": (extras.TRAINING, "Evaluating a model"),
    "generate": (extras.GENERATION, "Generating images with Stable Diffusion"),
    "reconstruct": (extras.GENERATION, "Reconstructing images with a Stable Diffusion VAE"),
}


def run_job(spec: JobSpec, emit: Emit, cancel: threading.Event | None = None) -> dict[str, Any]:
    """Run one job in this process; emits events and returns the final result dict (never raises for
    job failures: they come back as {"status": "failed", "error_kind", "message"})."""
    cancel = cancel or threading.Event()
    try:
        needs, what = _NEEDS[spec.kind]
        extras.require(needs, what)  # before any work: a missing library is named now, not after an epoch
        result = _RUNNERS[spec.kind](spec.params, emit, cancel)
    except Exception as e:
        kind = error_kind(e)
        if kind == "internal":
            log.exception("Job %s failed", spec.kind)
        return {"status": "failed", "error_kind": kind, "message": str(e) or type(e).__name__}
    return _clean(result)


def free_disk_bytes(path: str | Path) -> int:
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free
