"""The status bar's scan read-out: a message, and while scanning a progress bar with count, rate and ETA."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from miwake.core.scan_events import ScanProgress
from miwake.core.timefmt import clock_duration

from .elided_label import ElidedLabel


class StatusWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = ElidedLabel(self)  # long file names elide instead of running into the speed
        self.rate = QLabel(self)
        self.rate.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(260)
        self.bar.setTextVisible(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.rate)
        layout.addWidget(self.bar)
        self._progress: ScanProgress | None = None
        self._make: Callable[[], str] | None = None  # the message, made again after a language switch
        self._detail: Callable[[], str] | None = None  # more about it, in its tooltip
        self.set_busy(False)

    def show_message(
        self,
        text: str | Callable[[], str],
        detail: Callable[[], str] | None = None,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        """Show `text`, and `detail` under it in the tooltip (where a narrow window cannot cut it); a callable is
        called again after a language switch, so the message follows the language. `elide`: which part gives way
        when the bar is too narrow (the middle of a file name; the end of a summary, whose counts come first)."""
        self.message.set_elide_mode(elide)
        self._make = text if callable(text) else None
        self._detail = detail
        self._show(text() if callable(text) else text)

    def _show(self, text: str) -> None:
        self.message.setText(text)
        extra = self._detail() if self._detail is not None else ""
        if extra:
            self.message.setToolTip(f"{text}\n{extra}")

    def set_busy(self, busy: bool, indeterminate: bool = False) -> None:
        self.bar.setVisible(busy)
        self.rate.setVisible(busy)
        if busy:
            self.bar.setRange(0, 0 if indeterminate else max(1, self.bar.maximum()))
            self.rate.setText("")
        else:
            self._progress = None

    def show_progress(self, p: ScanProgress) -> None:
        self._progress = p
        self.bar.setRange(0, max(1, p.total))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done} / {p.total}")
        parts = []
        if p.images_per_s > 0:
            parts.append(self.tr("%1 images/s").replace("%1", f"{p.images_per_s:.1f}"))
        if p.eta_s is not None and p.done < p.total:
            parts.append(self.tr("%1 left").replace("%1", clock_duration(p.eta_s)))
        if p.reused:
            parts.append(self.tr("%1 reused").replace("%1", str(p.reused)))
        self.rate.setText("  ·  ".join(parts))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            if self._progress is not None:
                self.show_progress(self._progress)
            if self._make is not None:
                self._show(self._make())
        super().changeEvent(event)
