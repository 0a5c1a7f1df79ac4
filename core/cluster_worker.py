"""What runs on each node of a cluster scan: a worker that loads the model once and scans the files it is sent
with the local scan's own code (`prepare_scan` → `ScanJob`: decoding, evidence, tiling, batching, scoring).

Nothing here imports Ray: the driver (`core.cluster_scan`) makes `ScanWorker` a Ray actor. A worker keeps no
result library; its results go back to the driver, which alone writes the library and the reports.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .bundle import ARCHIVE_SUFFIX, Bundle, read_bundle
from .devices import DeviceInfo, limit_cpu_threads
from .discovery import DiscoveryOptions
from .results import ImageResult
from .scan_events import ScanFinished
from .scan_options import ScanOptions
from .scan_setup import prepare_scan
from .scorers import LazyDetector
from .settings import Settings


@dataclass(frozen=True)
class WorkerSpec:
    """How every worker scans: the driver's choices, sent once when the worker starts."""

    device: str  # auto | cpu | cuda: where the worker runs the model (auto takes a GPU that Ray gave it)
    cpu_runtime: str  # as `miwake scan --cpu-runtime`: each node measures its own CPU once (`core.runtime_choice`)
    options: ScanOptions  # the driver's tiling, band, batch and size limits
    evidence: bool  # read provenance metadata, C2PA and watermarks, as a local scan does
    threads: int | None = None  # CPU threads for the model (the cores Ray gave this worker); None = all


class WorkerFailed(RuntimeError):
    """The worker could not scan (its model failed to load or to run): not one file's problem, so the driver stops
    the scan with this message instead of sending the files elsewhere."""


class ScanWorker:
    """One model, loaded once, scanning batches of files (paths every node can read)."""

    def __init__(self, archive: bytes, spec: WorkerSpec) -> None:
        self.spec = spec
        # A GPU worker decodes with every core it was given (a local scan's 4 decode threads would starve the GPU)
        decoders = spec.options.workers or (spec.threads if spec.device.startswith("cuda") else None)
        # Every file is named by the driver, which has applied the user's include/exclude rules already; a worker
        # keeps no result library, so nothing is reused here (the driver reused what it could); nobody waits for a
        # batch's first row, so its files are decoded side by side from the start
        self.options = replace(
            spec.options,
            reuse=False,
            discovery=DiscoveryOptions(recursive=False),
            first_file_alone=False,
            workers=decoders,
        )
        self._folder = tempfile.TemporaryDirectory(prefix="miwake-worker-")
        self._broken: Exception | None = None  # raised by `ready()`: an actor that fails to start tells Ray less
        try:
            if spec.threads:
                limit_cpu_threads(spec.threads)
            path = Path(self._folder.name) / f"model{ARCHIVE_SUFFIX}"
            path.write_bytes(archive)
            self.bundle: Bundle = read_bundle(path)
            self.detector = LazyDetector(self.bundle, spec.device, spec.cpu_runtime)
        except Exception as e:
            self._broken = e

    def ready(self) -> DeviceInfo:
        """Load the model (and, on a node's first scan, measure its CPU runtimes); returns what scores the crops
        (its `description` as a local scan's summary says it: "CPU (4 threads), ONNX Runtime fp32")."""
        try:
            if self._broken is not None:
                raise self._broken
            self.detector.load()
        except Exception as e:
            raise WorkerFailed(f"the model could not be loaded on a worker: {e}") from e
        return self.detector.device

    def scan(self, files: list[str]) -> list[ImageResult]:
        """One result per file, exactly as a local scan without a result library gives them."""
        job = prepare_scan(
            files,
            bundle=self.bundle,
            device=self.spec.device,
            cpu_runtime=self.spec.cpu_runtime,
            settings=Settings(),
            store=None,
            evidence=self.spec.evidence,
            detector=self.detector,
            options=self.options,
        )
        results: list[ImageResult] = []
        finished: ScanFinished | None = None
        for ev in job.events():
            if isinstance(ev, ImageResult):
                results.append(ev)
            elif isinstance(ev, ScanFinished):
                finished = ev
        if finished is not None and finished.failure:
            raise WorkerFailed(finished.failure)
        return results
