"""Exports (CSV, JSON, heatmap PNGs) in a worker, with the same writers as the CLI (`core.reports`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

from miwake.core.bundle import Bundle
from miwake.core.reports import write_csv, write_heatmaps, write_json
from miwake.core.results import ImageResult

from .workers import run_task

log = logging.getLogger(__name__)

KINDS = ("csv", "json", "heatmaps")


def _export(
    kind: str,
    results: list[ImageResult],
    dest: str,
    bundle: Bundle | None,
    scan: dict[str, Any] | None,
    unsure_band: tuple[float, float] | None = None,
    skipped: list[tuple[str, str]] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    if kind == "csv":
        return write_csv(results, dest)
    if kind == "json":
        return write_json(results, dest, bundle=bundle, scan=scan, unsure_band=unsure_band)
    if kind == "heatmaps":
        return write_heatmaps(results, dest, skipped=skipped, on_progress=on_progress, cancel=cancel)
    raise ValueError(f"unknown export kind {kind!r}")


class ExportController(QObject):
    export_finished = Signal(str, int, str)  # kind, rows (or PNGs) written, destination
    export_failed = Signal(str, object)  # kind, exception
    export_skipped = Signal(str, object)  # kind, [(path, reason)] of files left out (changed since the scan)
    export_progress = Signal(str, int, int)  # kind, done, total (heatmaps: each picture is decoded again)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running = 0
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop the heatmap export between two pictures (the PNGs written so far stay)."""
        self._cancel.set()

    def is_busy(self) -> bool:
        return self._running > 0

    def export(
        self,
        kind: str,
        results: Sequence[ImageResult],
        dest: str,
        bundle: Bundle | None = None,
        scan: dict[str, Any] | None = None,
        unsure_band: tuple[float, float] | None = None,
    ) -> None:
        """`unsure_band`: the user's band override that decided the rows' verdicts (None: each model's own)."""
        if kind not in KINDS:
            raise ValueError(f"unknown export kind {kind!r}")
        self._running += 1
        skipped: list[tuple[str, str]] = []

        def done(result: int | None, error: BaseException | None) -> None:
            self._running -= 1
            if error is not None:
                self.export_failed.emit(kind, error)
            else:
                self.export_finished.emit(kind, int(result or 0), dest)
                if skipped:  # after "finished": its notification is the one left showing
                    self.export_skipped.emit(kind, list(skipped))

        self._cancel.clear()

        def progress(n: int, total: int) -> None:  # from the worker thread: the signal is queued to the GUI
            self.export_progress.emit(kind, n, total)

        run_task(
            _export,
            kind,
            list(results),
            dest,
            bundle,
            scan,
            unsure_band,
            skipped,
            progress,
            self._cancel,
            on_done=done,
            parent=self,
        )
