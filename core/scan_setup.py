"""A ready scan from what the user chose: settings → model → detector → options → store → `ScanJob`.

The CLI (`scan`, `inspect`), the app and the self-test all scan through `prepare_scan`, so a scan means
the same everywhere: the same model choice, band, tiling and batch settings, and the same evidence reading.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from .bundle import Bundle
from .evidence import EVIDENCE_VERSION, read_evidence
from .model_choice import active_model
from .registry import ModelRegistry
from .scan_batching import Scorer
from .scan_events import ScanEvent
from .scan_options import ScanOptions
from .scanner import EvidenceReader, ScanJob
from .scorers import LazyDetector
from .settings import Settings, load_settings
from .store import ResultStore

if TYPE_CHECKING:
    from .cluster_scan import ClusterOptions, ClusterScanJob


class ModelInfo(Protocol):
    """What a driver says of the model before and after a scan."""

    @property
    def requested_device(self) -> str: ...
    @property
    def loaded(self) -> bool: ...


class ScanDriver(Protocol):
    """A scan as the CLI drives it: a local `ScanJob` or a `ClusterScanJob`."""

    @property
    def bundle(self) -> Bundle: ...
    @property
    def detector(self) -> ModelInfo: ...
    def events(self) -> Iterator[ScanEvent]: ...
    def cancel(self) -> None: ...


def fits(detector: Scorer | None, bundle: Bundle, device: str, cpu_runtime: str) -> bool:
    """Whether a detector kept from an earlier scan can score this one (same weights, device and CPU runtime)."""
    if detector is None or detector.bundle.key != bundle.key or detector.requested_device != device:
        return False
    return getattr(detector, "cpu_runtime", "auto") == cpu_runtime


def prepare_scan(
    roots: Sequence[str | os.PathLike[str]],
    *,
    model: str | None = None,
    bundle: Bundle | None = None,
    device: str | None = None,
    cpu_runtime: str | None = None,
    settings: Settings | None = None,
    store: ResultStore | None = None,
    evidence: bool | EvidenceReader = True,
    detector: Scorer | None = None,
    cancel_event: threading.Event | None = None,
    options: ScanOptions | None = None,
) -> ScanJob:
    """A `ScanJob` over `roots`.

    - `model`: an installed model id (`builtin:ID` / `user:ID` work); None = the active model.
    - `bundle`: a model read already (a cluster worker's copy of the driver's model); replaces `model`.
    - `device`: "auto", "cpu", "cuda", "cuda:1", "mps"; None = the settings' device.
    - `cpu_runtime`: "auto" (the CPU runtime measured fastest here, `core.scorers`), or one of
      `settings.CPU_RUNTIMES` to force it; None = the settings'.
    - `settings`: None = the user's saved settings (pass `Settings()` for the defaults).
    - `evidence`: True reads metadata, C2PA and watermarks; False skips them; a callable reads them its way.
    - `detector`: one kept from an earlier scan, used when it `fits` (same model, device, CPU runtime); otherwise a
      `LazyDetector` is made, which loads the weights only when a file needs scoring.
    - `options`: None = `ScanOptions.from_settings(settings)`; a caller that changes some builds them from the same
      settings and `dataclasses.replace`s the rest (`core.cli`).
    """
    settings = settings if settings is not None else load_settings()
    bundle = bundle or resolve_model(model)
    wanted_device = device or settings.device
    runtime = cpu_runtime or settings.cpu_runtime
    if detector is None or not fits(detector, bundle, wanted_device, runtime):
        detector = LazyDetector(bundle, wanted_device, runtime)
    if evidence is True:
        reader: EvidenceReader | None = read_evidence
    else:
        reader = evidence or None
    return ScanJob(
        roots,
        detector,
        options=options if options is not None else ScanOptions.from_settings(settings),
        store=store,
        evidence_reader=reader,
        evidence_version=EVIDENCE_VERSION if reader is not None else 0,
        cancel_event=cancel_event,
    )


def resolve_model(model: str | None) -> Bundle:
    """An installed model by id (`builtin:ID` / `user:ID` work); None = the active model."""
    registry = ModelRegistry()
    return registry.get(model) if model else active_model(registry)


def prepare_cluster_scan(
    roots: Sequence[str | os.PathLike[str]],
    cluster: ClusterOptions,
    *,
    model: str | None = None,
    device: str | None = None,
    cpu_runtime: str | None = None,
    settings: Settings | None = None,
    store: ResultStore | None = None,
    evidence: bool = True,
    options: ScanOptions | None = None,
) -> ClusterScanJob:
    """A scan of `roots` on a Ray cluster (`core.cluster_scan`), with the same choices as `prepare_scan`: the workers
    scan with the model, device, CPU runtime, evidence reading and options a local scan would use."""
    from .cluster_scan import ClusterScanJob

    settings = settings if settings is not None else load_settings()
    return ClusterScanJob(
        roots,
        resolve_model(model),
        cluster,
        device=device or settings.device,
        cpu_runtime=cpu_runtime or settings.cpu_runtime,
        options=options if options is not None else ScanOptions.from_settings(settings),
        store=store,
        evidence=evidence,
    )
