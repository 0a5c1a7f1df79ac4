"""A horizontal strip of thumbnails, decoded in the background by the app's `ThumbnailCache`."""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from ..widgets.thumbnail_cache import ThumbnailCache

_PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SIDE = 72


class PreviewStrip(QListWidget):
    """`set_paths()` shows a fixed selection; `push()` adds the newest image in front (a live preview)."""

    def __init__(self, parent: QWidget | None = None, *, limit: int = 40) -> None:
        super().__init__(parent)
        self.limit = limit
        self.thumbnails = ThumbnailCache(self, queue_limit=limit * 2)
        self.thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(SIDE, SIDE))
        self.setGridSize(QSize(SIDE + 10, SIDE + 10))
        self.setFixedHeight(SIDE + 32)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        blank = QPixmap(SIDE, SIDE)
        blank.fill(QColor(0, 0, 0, 18))
        self._blank = QIcon(blank)

    def set_paths(self, paths: list[str]) -> None:
        self.clear()
        for p in paths[: self.limit]:
            self._add(p, self.count())

    def push(self, path: str) -> None:
        if not path:
            return
        for i in range(self.count()):
            if self.item(i).data(_PATH_ROLE) == path:
                return
        self._add(path, 0)
        while self.count() > self.limit:
            self.takeItem(self.count() - 1)

    def paths(self) -> list[str]:
        return [self.item(i).data(_PATH_ROLE) for i in range(self.count())]

    def _add(self, path: str, row: int) -> None:
        item = QListWidgetItem(self._blank, "")
        item.setData(_PATH_ROLE, path)
        item.setToolTip(path)
        item.setSizeHint(QSize(SIDE + 8, SIDE + 8))
        self.insertItem(row, item)
        self._ask(item)

    def _ask(self, item: QListWidgetItem) -> None:
        path = item.data(_PATH_ROLE)
        try:
            st = os.stat(path)
        except OSError:
            return
        pm = self.thumbnails.pixmap(path, st.st_mtime_ns, st.st_size)
        if pm is not None:
            item.setIcon(QIcon(pm))

    def _on_thumbnail_ready(self, path: str) -> None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(_PATH_ROLE) == path:
                self._ask(item)
