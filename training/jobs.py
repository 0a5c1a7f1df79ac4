"""Long jobs as plain data: what the retraining wizard asks a worker process to do.

Each kind of job has typed parameters (`TrainJob`, `EvaluateJob`, `GenerateJob`, `ReconstructJob`); `spec()`
turns them into a `JobSpec` (kind + JSON-ready params) and `run_job` builds them again on the other side of
the process boundary (`from_params`: an unknown or mistyped field is an error, not silently dropped), calls
the training API and reports every event as a JSON-ready dict. The GUI never imports torch for these jobs:
it writes a spec, starts `miwake.training.worker` in a child process and reads the events (`training/process.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from miwake.core import extras
from miwake.core.errors import MissingExtraError, MiwakeError

from .dataset import Sample
from .generate import GenerateConfig
from .plain import from_plain, json_ready, to_plain
from .train import TrainConfig

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


class JobSpecError(MiwakeError):
    """A job's parameters do not describe a job (a bug in the caller, or a spec from another version)."""


class _Job:
    """Typed parameters of one kind of job; `spec()` / `from_params()` cross the process boundary."""

    kind: ClassVar[str]

    def spec(self) -> JobSpec:
        return JobSpec(self.kind, to_plain(self))

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Any:
        try:
            return from_plain(cls, params)
        except (TypeError, ValueError, KeyError) as e:
            raise JobSpecError(f"not a valid {cls.kind} job: {e}") from e


@dataclass(frozen=True)
class TrainJob(_Job):
    kind: ClassVar[str] = "train"
    config: TrainConfig
    real: tuple[str, ...] = ()  # folders of human-made images
    ai: tuple[str, ...] = ()  # folders of AI images
    manifest: str | None = None  # or a manifest CSV (path, label, source, generator)


@dataclass(frozen=True)
class EvaluateJob(_Job):
    kind: ClassVar[str] = "evaluate"
    model: str  # a bundle folder or an installed model id
    samples: tuple[Sample, ...]
    report: str  # where the JSON report goes
    roc: str | None = None  # and the ROC curve PNG
    device: str = "auto"
    jpeg90: bool = True


@dataclass(frozen=True)
class GenerateJob(_Job):
    kind: ClassVar[str] = "generate"
    config: GenerateConfig


@dataclass(frozen=True)
class ReconstructJob(_Job):
    kind: ClassVar[str] = "reconstruct"
    model: str
    real_dir: str
    out_dir: str
    device: str = "auto"
    limit: int | None = None
    allow_download: bool = True


def event_dict(ev: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(ev) and not isinstance(ev, type):
        return {"event": type(ev).__name__, **json_ready(dataclasses.asdict(ev))}
    return json_ready(dict(ev))


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


def _train(job: TrainJob, emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .checkpoint import has_checkpoint
    from .dataset import load_samples
    from .train import Trainer

    cfg = job.config
    resume = has_checkpoint(Path(cfg.out_dir) / "training" / "checkpoint")
    samples = [] if resume else load_samples(list(job.real), list(job.ai), job.manifest)
    fin = Trainer(cfg, samples, resume=resume, on_event=lambda ev: emit(event_dict(ev)), cancel_event=cancel).run()
    return {"status": fin.status, "bundle_path": fin.bundle_path, "report_path": fin.report_path}


def _evaluate(job: EvaluateJob, emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    import json

    from miwake.core.bundle import read_bundle
    from miwake.core.detector import Detector
    from miwake.core.registry import ModelRegistry

    from .evaluate import evaluate, write_roc_png

    bundle = read_bundle(job.model) if Path(job.model).exists() else ModelRegistry().get(job.model)
    det = Detector(bundle, job.device)
    report = evaluate(
        det,
        list(job.samples),
        jpeg90=job.jpeg90,
        cancel=cancel,
        on_progress=lambda ph, d, t: emit({"event": "EvalProgress", "phase": ph, "done": d, "total": t}),
    )
    out = Path(job.report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(json_ready(report.to_dict()), indent=1), encoding="utf-8")
    if job.roc:
        write_roc_png(report, job.roc)
    return {"status": "cancelled" if cancel.is_set() else "finished", "report_path": str(out)}


def _generate(job: GenerateJob, emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .generate import generate

    s = generate(job.config, on_event=lambda ev: emit(event_dict(ev)), cancel=cancel)
    return {"status": "cancelled" if s.cancelled else "finished", "summary": event_dict(s)}


def _reconstruct(job: ReconstructJob, emit: Emit, cancel: threading.Event) -> dict[str, Any]:
    from .generate import reconstruct

    s = reconstruct(
        job.model,
        job.real_dir,
        job.out_dir,
        device=job.device,
        limit=job.limit,
        allow_download=job.allow_download,
        on_event=lambda ev: emit(event_dict(ev)),
        cancel=cancel,
    )
    return {"status": "cancelled" if s.cancelled else "finished", "summary": event_dict(s)}


_RUNNERS: dict[str, tuple[type[_Job], Callable[[Any, Emit, threading.Event], dict[str, Any]]]] = {
    "train": (TrainJob, _train),
    "evaluate": (EvaluateJob, _evaluate),
    "generate": (GenerateJob, _generate),
    "reconstruct": (ReconstructJob, _reconstruct),
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
        job_type, runner = _RUNNERS[spec.kind]
        result = runner(job_type.from_params(spec.params), emit, cancel)
    except Exception as e:
        kind = error_kind(e)
        if kind == "internal":
            log.exception("Job %s failed", spec.kind)
        return {"status": "failed", "error_kind": kind, "message": str(e) or type(e).__name__}
    return json_ready(result)


def free_disk_bytes(path: str | Path) -> int:
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free
