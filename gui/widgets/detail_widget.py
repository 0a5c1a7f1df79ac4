"""The detail pane: the picture with its heatmap, the verdict and why, the evidence, the model, and actions.

It follows the table's current row; it never takes the keyboard focus on a click, so arrow keys keep
moving through the table. The picture is decoded in the background (at most 2048 px on its long side);
only the newest request is shown when the user moves quickly.
"""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QProcess, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from miwake.core.bundle import Bundle
from miwake.core.results import ImageResult

from ..image_reader import DisplayImageError, read_scaled
from ..workers import pool, run_task
from . import detail_text
from .elided_label import ElidedLabel
from .heatmap_view import HeatmapView

log = logging.getLogger(__name__)

DISPLAY_MAX_SIDE = 2048


def read_for_display(path: str) -> QImage | str:
    """The picture (≤ DISPLAY_MAX_SIDE), or why it cannot be shown (an expected outcome, not an error)."""
    try:
        return read_scaled(path, DISPLAY_MAX_SIDE)
    except DisplayImageError as e:
        return str(e)


class DetailWidget(QWidget):
    image_ready = Signal(str)  # path; the picture (or a message why not) is on screen
    open_failed = Signal(str)  # what could not be opened (no viewer or file manager set up); its path was copied

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: ImageResult | None = None
        self.rows_exist: Callable[[], bool] = lambda: False  # the window says whether the table holds rows
        self._bundles: dict[str, Bundle] = {}
        self._band_override: tuple[float, float] | None = None
        self._images: OrderedDict[str, QImage] = OrderedDict()  # small LRU for back-and-forth browsing
        self._loading: str | None = None

        self.view = HeatmapView(self)
        self.heatmap_box = QCheckBox(self)
        self.heatmap_box.setChecked(True)
        self.opacity_label = QLabel(self)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(5, 95)
        self.opacity.setValue(45)
        self.opacity.setMaximumWidth(160)
        self.hover_label = ElidedLabel(
            self, Qt.TextElideMode.ElideRight
        )  # long hints (Japanese) elide, full in tooltip
        self.hover_label.setMinimumWidth(120)
        self.info = QTextBrowser(self)
        self.info.setOpenLinks(False)
        self.info.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_button = QPushButton(self)
        self.reveal_button = QPushButton(self)
        self.copy_button = QPushButton(self)
        for w in (self.heatmap_box, self.opacity, self.open_button, self.reveal_button, self.copy_button):
            w.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click does not steal the table's keyboard focus

        controls = QHBoxLayout()
        controls.addWidget(self.heatmap_box)
        controls.addSpacing(12)
        controls.addWidget(self.opacity_label)
        controls.addWidget(self.opacity)
        controls.addStretch(1)
        actions = QHBoxLayout()
        for b in (self.open_button, self.reveal_button, self.copy_button):
            actions.addWidget(b)
        actions.addStretch(1)

        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.view, 1)
        tl.addLayout(controls)
        tl.addWidget(self.hover_label)  # a row of its own: beside the controls a narrow pane cut the hint (Japanese)
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.info, 1)
        bl.addLayout(actions)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.heatmap_box.toggled.connect(self._on_heatmap_toggled)
        self.opacity.valueChanged.connect(self._on_opacity_changed)
        self.view.hovered.connect(self._on_view_hovered)
        self.view.hovered_unscored.connect(self._on_view_hovered_unscored)
        self.open_button.clicked.connect(self.open_in_viewer)
        self.reveal_button.clicked.connect(self.show_in_file_manager)
        self.copy_button.clicked.connect(self.copy_path)
        self.retranslate_ui()
        self.show_result(None)

    # -- public ---------------------------------------------------------------------------------------
    def set_models(
        self,
        bundles: dict[str, Bundle],
        band_override: tuple[float, float] | None,
    ) -> None:
        """Installed models (for the model card summary) and the user's unsure band, if they set one."""
        self._bundles = dict(bundles)
        self._band_override = band_override
        self._refresh_text()

    def current_result(self) -> ImageResult | None:
        return self._result

    def show_result(self, r: ImageResult | None) -> None:
        self._result = r
        for b in (self.open_button, self.reveal_button, self.copy_button):
            b.setEnabled(r is not None)
        self._refresh_text()
        if r is None:
            self.view.set_message(self._empty_text())
            return
        cached = self._images.get(r.path)
        if cached is not None:
            self._images.move_to_end(r.path)
            self._show_image(r, cached)
            return
        self.view.set_message(self.tr("Loading the picture…"))
        if self._loading is None:
            self._load(r.path)

    # -- picture --------------------------------------------------------------------------------------
    def _load(self, path: str) -> None:
        self._loading = path
        run_task(
            read_for_display,
            path,
            on_done=lambda result, error: self._on_image_loaded(path, result, error),
            parent=self,
            thread_pool=pool("image"),
        )

    def _on_image_loaded(self, path: str, result: QImage | str | None, error: BaseException | None) -> None:
        self._loading = None
        r = self._result
        image = result if isinstance(result, QImage) else None
        if image is not None:
            self._images[path] = image
            while len(self._images) > 8:
                self._images.popitem(last=False)
        if r is None:
            return
        if r.path != path:  # the user moved on: load what is wanted now
            if r.path in self._images:
                self._show_image(r, self._images[r.path])
            else:
                self._load(r.path)
            return
        if image is None:
            why = result if isinstance(result, str) else str(error or "")
            self.view.set_message(self.tr("The picture cannot be shown: %1").replace("%1", why))
            self.image_ready.emit(path)
            return
        self._show_image(r, image)

    def _show_image(self, r: ImageResult, image: QImage) -> None:
        size = QSize(r.width, r.height) if r.width and r.height else image.size()
        self.view.set_content(QPixmap.fromImage(image), r.heatmap if r.ok else None, size)
        self.image_ready.emit(r.path)

    # -- text -----------------------------------------------------------------------------------------
    def _refresh_text(self) -> None:
        r = self._result
        bundle = self._bundles.get(r.model_id) if r is not None else None
        self.info.setHtml(detail_text.result_html(r, bundle, self._band_override) if r else "")
        self._refresh_hover_hint()

    def _on_view_hovered(self, prob: float | None) -> None:
        if prob is None:
            self._refresh_hover_hint()
        else:
            self.hover_label.setText(self.tr("This crop: AI probability %1").replace("%1", f"{prob:.3f}"))

    def _on_view_hovered_unscored(self) -> None:
        self.hover_label.setText(
            self.tr("Not scored here: no crop covers this part (Settings → Most crops per image adds crops).")
        )

    def _refresh_hover_hint(self) -> None:
        r = self._result
        self.hover_label.setText(
            "" if r is None or not r.ok else self.tr("Point at the picture to see each crop's probability.")
        )

    def _on_heatmap_toggled(self, on: bool) -> None:
        self.view.set_heatmap_visible(on)
        self.opacity.setEnabled(on)

    def _on_opacity_changed(self, value: int) -> None:
        self.view.set_opacity(value / 100.0)

    # -- actions --------------------------------------------------------------------------------------
    def open_in_viewer(self) -> None:
        if self._result is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(self._result.path)):
            self._say_not_opened(self._result.path)

    def show_in_file_manager(self) -> None:
        if self._result is None:
            return
        path = str(Path(self._result.path))
        if sys.platform == "win32":
            ok = _started(QProcess.startDetached("explorer", ["/select,", path]))
        elif sys.platform == "darwin":
            ok = _started(QProcess.startDetached("open", ["-R", path]))
        else:
            ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))
        if not ok:
            self._say_not_opened(str(Path(path).parent))

    def _say_not_opened(self, path: str) -> None:
        """Nothing on this system opens it (no default viewer, no file manager): copy the path and say so."""
        QGuiApplication.clipboard().setText(path)
        self.open_failed.emit(path)

    def copy_path(self) -> None:
        if self._result is not None:
            QGuiApplication.clipboard().setText(self._result.path)

    # -- language -------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.heatmap_box.setText(self.tr("Heatmap"))
        self.heatmap_box.setToolTip(self.tr("Colour each crop by its AI probability: blue = human-like, red = AI-like"))
        self.opacity_label.setText(self.tr("Opacity"))
        self.open_button.setText(self.tr("Open"))
        self.open_button.setToolTip(self.tr("Open the image in the system's viewer"))
        self.reveal_button.setText(self.tr("Show in folder"))
        self.reveal_button.setToolTip(self.tr("Show the file in the file manager"))
        self.copy_button.setText(self.tr("Copy path"))
        self._refresh_text()
        if self._result is None:
            self.view.set_message(self._empty_text())

    def _empty_text(self) -> str:
        """What the picture area says with no row chosen: how to start, or — with rows there — to pick one."""
        if self.rows_exist():
            return self.tr(
                "Pick a row to see its picture and where the evidence sits (the filter may hide the row "
                "you had chosen)."
            )
        return self.tr("Open a folder and scan it; then pick a row to see where the evidence sits.")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def _started(result: object) -> bool:
    """`QProcess.startDetached`'s answer: (ok, pid) in PySide6, a bool in some bindings."""
    return bool(result[0]) if isinstance(result, tuple) else bool(result)
