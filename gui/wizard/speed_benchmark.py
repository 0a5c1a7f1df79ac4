"""A short measured benchmark for the training-time estimate: the real `train` job in a child process, on a small
manifest of the run's own images, with the chosen architecture, crop, batch and device; it is stopped after a few
steps and the time per step (first step left out: it includes start-up) is scaled to the whole run."""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from miwake.training.folder_scan import FolderScan, benchmark_manifest
from miwake.training.jobs import TrainJob
from miwake.training.run_state import RunState

from .job_runner import JobRunner

log = logging.getLogger(__name__)

BENCH_STEPS = 5  # timed steps after the first
BENCH_MAX_S = 40.0  # stop measuring after this long (slow CPUs, big models)


class SpeedBenchmark(QObject):
    measured = Signal(float)  # seconds per training step
    failed = Signal(dict)  # the failed JobResult (error_kind, message)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = JobRunner(self)
        self.runner.event_received.connect(self._on_event)
        self.runner.job_finished.connect(self._on_job_finished)
        self._folder: Path | None = None
        self._times: list[float] = []
        self._result: float | None = None
        self._stopped = False

    @property
    def running(self) -> bool:
        return self.runner.running

    def start(self, state: RunState, human: FolderScan, ai: FolderScan) -> bool:
        """False when there is too little data to measure (fewer than 2 usable images of a class)."""
        if self.runner.running:
            return False
        t = state.train
        base = state.folder if state.run_id else Path(tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        self._folder = Path(tempfile.mkdtemp(prefix="benchmark-", dir=base))
        manifest = self._folder / "manifest.csv"
        per_batch = max(1, t.batch // 2)
        if not benchmark_manifest(human, ai, t.crop, t.mode, (BENCH_STEPS + 2) * per_batch + 2, str(manifest)):
            shutil.rmtree(self._folder, ignore_errors=True)
            return False
        cfg = replace(
            state.train_config(),
            out_dir=str(self._folder / "model"),
            model_id="benchmark",
            epochs=1,
            max_steps_per_epoch=BENCH_STEPS + 2,
            val_sources=("bench-val-real", "bench-val-ai"),
            val_tiles=1,
            checkpoint_every_s=1e9,
        )
        self._times, self._result, self._stopped = [], None, False
        return self.runner.start(TrainJob(cfg, manifest=str(manifest)).spec())

    def stop(self) -> None:
        self._stopped = True
        self.runner.kill()

    def _on_event(self, ev: dict[str, Any]) -> None:
        if ev.get("event") != "TrainProgress" or ev.get("phase") != "train" or self._result is not None:
            return
        self._times.append(float(ev["received_at"]))
        t = self._times
        if len(t) > BENCH_STEPS or (len(t) >= 2 and t[-1] - t[0] > BENCH_MAX_S):
            self._result = (t[-1] - t[0]) / (len(t) - 1)
            self.runner.kill()

    def _on_job_finished(self, result: dict[str, Any]) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        t = self._times
        if self._result is None and len(t) >= 2:  # fewer steps than asked for (tiny data): use what came
            self._result = (t[-1] - t[0]) / (len(t) - 1)
        if self._result is not None:
            self.measured.emit(self._result)
        elif not self._stopped:
            self.failed.emit(result if result.get("status") == "failed" else {"error_kind": "invalid", "message": ""})
        self.finished.emit()
