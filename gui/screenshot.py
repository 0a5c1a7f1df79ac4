"""`miwake gui --screenshot PNG [FOLDER]`: the window as a user sees it after a scan, drawn to a PNG (the README's
picture, and a check that the app comes up and scans). Drives the window through its public parts only."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from .main_window import MainWindow

log = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1400, 900)


class ScreenshotDirector(QObject):
    """Scan (or load the last scan), select the first row, wait for pictures and thumbnails, grab, save, exit."""

    def __init__(self, window: MainWindow, folder: str | None, out: str, timeout_s: float = 900) -> None:
        super().__init__(window)
        self.window, self.folder, self.out = window, folder, out
        self.failed = False
        self._done = False
        self._polls = 0
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._on_timeout)
        self._timeout.start(int(timeout_s * 1000))

    def start(self) -> None:
        w = self.window
        w.resize(*SCREENSHOT_SIZE)
        w.show()
        if self.folder:
            w.controller.scan_finished.connect(self._on_results_ready)
            w.controller.scan_failed.connect(self._on_failed)
            w.open_paths([os.path.abspath(self.folder)])
        else:
            w.controller.last_scan_loaded.connect(self._on_results_ready)
            w.controller.scan_failed.connect(self._on_failed)  # a last scan that cannot be loaded must not hang
            if not w.controller.is_busy():
                QTimer.singleShot(0, self._on_results_ready)

    def _on_failed(self, error: BaseException) -> None:
        self.failed = True
        log.error("Screenshot scan failed: %s", error)
        QTimer.singleShot(0, self._settle)

    def _on_results_ready(self, *_: object) -> None:
        w = self.window
        if w.model.rowCount() == 0:
            QTimer.singleShot(0, self._settle)
            return
        w.detail.image_ready.connect(self._on_image_ready)
        QTimer.singleShot(20_000, self._settle)  # a picture that never loads must not stop the screenshot
        w.results.select_row(0)
        w.results.table.setFocus()

    def _on_image_ready(self, _path: str) -> None:
        if self._done:
            return
        self._hover_most_suspicious_crop()
        QTimer.singleShot(0, self._settle)

    def _hover_most_suspicious_crop(self) -> None:
        """Show the per-crop probability read-out, as a user pointing at the picture would see it."""
        r = self.window.detail.current_result()
        view = self.window.detail.view
        if r is None or r.heatmap is None or not view.has_picture():
            return
        _, row, col = max((p, r_, c_) for r_, c_, _, _, p in r.heatmap.tiles())
        pos = view.tile_center(row, col)
        if pos is None:
            return
        ev = QMouseEvent(
            QEvent.Type.MouseMove,
            pos,
            view.mapToGlobal(pos),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(view, ev)

    def _settle(self) -> None:
        """Paint once (that asks for the visible thumbnails), then wait until they are decoded."""
        if self._done or self._polls < 0:
            return
        if self._polls == 0:
            self.window.grab()
        self._polls += 1
        if self.window.thumbnails.pending() and self._polls < 150:
            QTimer.singleShot(100, self._settle)
            return
        self._polls = -1  # grab exactly once
        QTimer.singleShot(50, self._grab)

    def _grab(self) -> None:
        if self._done:
            return
        self._done = True
        self._timeout.stop()
        pixmap = self.window.grab()
        ok = pixmap.save(self.out, "PNG")
        if not ok:
            log.error("Could not write the screenshot to %s", self.out)
            print(f"miwake: could not write the screenshot to {self.out}", file=sys.stderr)
        QApplication.instance().exit(0 if ok and not self.failed else 1)

    def _on_timeout(self) -> None:
        log.error("Screenshot timed out")
        self.failed = True
        self._grab()
