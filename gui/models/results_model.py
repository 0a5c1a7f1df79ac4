"""The results table: a Qt item model that mirrors a list of `ImageResult`s, and its sort/filter proxy.

Rows are appended in batches (`append_results`); the scan controller paces the batches. Sorting happens in
the source model, in Python, on sort keys made once per row (numbers for numbers, not their text): 10,000
rows sort in milliseconds, where the proxy's own sort would call `data()` some 300,000 times. The proxy
keeps the model's order and filters by verdict and by text; rows that arrive while sorted are put in place.
"""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from miwake.core.heatmap import probability_color
from miwake.core.results import ImageResult, Verdict
from miwake.core.textsafe import for_utf8

from .. import i18n

RESULT_ROLE = Qt.ItemDataRole.UserRole + 1  # the ImageResult
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a number or a folded string
PROBABILITY_ROLE = Qt.ItemDataRole.UserRole + 3  # float | None, for the bar delegate

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    THUMBNAIL = 0
    NAME = 1
    FOLDER = 2
    PROBABILITY = 3
    VERDICT = 4
    CROPS = 5
    DIMENSIONS = 6
    FILE_SIZE = 7
    EVIDENCE = 8
    ERROR = 9


_VERDICT_RANK = {Verdict.AI: 3, Verdict.UNSURE: 2, Verdict.HUMAN: 1, Verdict.ERROR: 0}
_VERDICT_COLOR = {
    Verdict.AI: QColor(*probability_color(1.0)).darker(115),
    Verdict.HUMAN: QColor(*probability_color(0.0)).darker(115),
    Verdict.UNSURE: QColor(110, 110, 110),
    Verdict.ERROR: QColor(176, 96, 0),
}


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, thumbnails: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ImageResult] = []
        self._keys: list[tuple[Any, ...]] = []  # sort keys per row, made once (sorting 10,000 rows asks ~300,000 times)
        self._row_of: dict[str, int] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._thumbs = thumbnails
        self._roots: list[str] = []  # the scanned folders: the Folder column shows paths relative to them
        self._bold = QFont()
        self._bold.setBold(True)
        if thumbnails is not None:
            thumbnails.thumbnail_ready.connect(self._on_thumbnail_ready)

    # -- contents -------------------------------------------------------------------------------------
    def set_roots(self, roots: list[str]) -> None:
        """The scanned folders; the Folder column shows each file's folder relative to its root."""
        self._roots = [os.path.join(os.path.abspath(r), "") for r in roots if os.path.isdir(r)]
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.FOLDER), self.index(len(self._rows) - 1, Column.FOLDER))

    def folder_of(self, r: ImageResult) -> str:
        """The file's folder relative to the scanned root that holds it ("." for the root itself)."""
        parent = os.path.dirname(r.path)
        for root in self._roots:
            if os.path.join(parent, "").startswith(root):
                rel = os.path.relpath(parent, root)
                return for_utf8(rel)
        return for_utf8(parent)

    def spans_folders(self) -> bool:
        """Whether the rows sit in more than one folder (else the Folder column says nothing)."""
        first = os.path.dirname(self._rows[0].path) if self._rows else ""
        return any(os.path.dirname(r.path) != first for r in self._rows)

    def has_errors(self) -> bool:
        return any(not r.ok for r in self._rows)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._keys.clear()
        self._row_of.clear()
        self.endResetModel()

    def append_results(self, results: list[ImageResult], *, resort: bool = True) -> None:
        """Add a batch; a result for a path already shown replaces that row.

        With `resort=False` the new rows stay at the end until `resort()` (several batches, one sort).
        """
        fresh: list[ImageResult] = []
        for r in results:
            row = self._row_of.get(r.path)
            if row is None:
                fresh.append(r)
            else:
                self._rows[row] = r
                self._keys[row] = self._sort_keys(r)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
        if not fresh:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        for i, r in enumerate(fresh):
            self._row_of[r.path] = first + i
        self._rows.extend(fresh)
        self._keys.extend(self._sort_keys(r) for r in fresh)
        self.endInsertRows()
        if resort:
            self.resort()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if 0 <= column < len(Column) else None
        self.resort()

    def resort(self) -> None:
        """Reorder rows by the current sort (stable); selections and the current row follow their rows."""
        if self._sort is None or len(self._rows) < 2:
            return
        col, order = self._sort
        keys = self._keys
        perm = sorted(range(len(keys)), key=lambda i: keys[i][col], reverse=order == Qt.SortOrder.DescendingOrder)
        if all(i == p for i, p in enumerate(perm)):
            return
        self.layoutAboutToBeChanged.emit()
        new_row = [0] * len(perm)
        for new, old in enumerate(perm):
            new_row[old] = new
        before = self.persistentIndexList()
        after = [self.index(new_row[i.row()], i.column()) if i.isValid() else QModelIndex() for i in before]
        self._rows = [self._rows[i] for i in perm]
        self._keys = [keys[i] for i in perm]
        self._row_of = {r.path: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def result(self, row: int) -> ImageResult | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def results(self) -> list[ImageResult]:
        return list(self._rows)

    def row_of(self, path: str) -> int | None:
        return self._row_of.get(path)

    def _on_thumbnail_ready(self, path: str) -> None:
        row = self._row_of.get(path)
        if row is not None:
            idx = self.index(row, Column.THUMBNAIL)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))

    # -- Qt model API ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            Column.THUMBNAIL: "",
            Column.NAME: self.tr("File"),
            Column.FOLDER: self.tr("Folder"),
            Column.PROBABILITY: self.tr("AI probability"),
            Column.VERDICT: self.tr("Verdict"),
            Column.CROPS: self.tr("Crops"),
            Column.DIMENSIONS: self.tr("Dimensions"),
            Column.FILE_SIZE: self.tr("File size"),
            Column.EVIDENCE: self.tr("Evidence"),
            Column.ERROR: self.tr("Error"),
        }
        return titles.get(Column(section), "")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == SORT_ROLE:  # first: the proxy asks for it most
            return self._keys[index.row()][index.column()]
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == RESULT_ROLE:
            return r
        if role == PROBABILITY_ROLE:
            return r.probability if r.ok else None
        if role == Qt.ItemDataRole.DecorationRole and col == Column.THUMBNAIL and self._thumbs is not None:
            return self._thumbs.pixmap(r.path, r.mtime_ns, r.size)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.VERDICT:
            return _VERDICT_COLOR.get(r.verdict)
        if role == Qt.ItemDataRole.FontRole and col == Column.VERDICT and r.verdict is Verdict.AI:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (Column.CROPS, Column.DIMENSIONS, Column.FILE_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: ImageResult, col: int) -> str | None:
        if col == Column.NAME:  # for_utf8: Qt would silently drop the bytes of a name that is not UTF-8
            return for_utf8(Path(r.path).name)
        if col == Column.FOLDER:
            return self.folder_of(r)
        if col == Column.PROBABILITY:
            return f"{r.probability:.3f}" if r.ok and r.probability is not None else ""
        if col == Column.VERDICT:
            return i18n.result_verdict_text(r)
        if col == Column.CROPS:
            return str(r.crops) if r.crops else ""
        if col == Column.DIMENSIONS:
            return f"{r.width} × {r.height}" if r.width and r.height else ""
        if col == Column.FILE_SIZE:
            return i18n.format_bytes(r.size)
        if col == Column.EVIDENCE:
            return i18n.evidence_badge(r)[0]
        if col == Column.ERROR:
            return i18n.error_kind_label(r.error_kind) if r.error_kind else ""
        return None

    @classmethod
    def _sort_keys(cls, r: ImageResult) -> tuple[Any, ...]:
        return tuple(cls._sort_key(r, col) for col in Column)

    @staticmethod
    def _sort_key(r: ImageResult, col: int) -> Any:
        if col in (Column.NAME, Column.THUMBNAIL):
            return Path(r.path).name.casefold()
        if col == Column.FOLDER:
            return r.path.casefold()
        if col == Column.PROBABILITY:
            return r.probability if r.ok and r.probability is not None else -1.0
        if col == Column.VERDICT:
            return _VERDICT_RANK[r.verdict] * 10.0 + (r.probability or 0.0)
        if col == Column.CROPS:
            return r.crops
        if col == Column.DIMENSIONS:
            return (r.width or 0) * (r.height or 0)
        if col == Column.FILE_SIZE:
            return r.size
        if col == Column.EVIDENCE:
            return i18n.evidence_badge(r)[1]
        if col == Column.ERROR:
            return r.error_kind.value if r.error_kind else ""
        return None

    def _tooltip(self, r: ImageResult, col: int) -> str | None:
        if col in (Column.NAME, Column.FOLDER, Column.THUMBNAIL):
            return for_utf8(r.path)
        if col == Column.EVIDENCE and r.evidence:
            return "\n".join(e.token() for e in r.evidence)
        if col == Column.ERROR and r.error:
            return r.error
        if col == Column.PROBABILITY and r.ok and r.max_crop_probability is not None:
            return self.tr("Most suspicious crop: %1").replace("%1", f"{r.max_crop_probability:.3f}")
        if col == Column.VERDICT and r.reused:
            return self.tr("Reused from an earlier scan of the unchanged file")
        return None


class ResultsProxyModel(QSortFilterProxyModel):
    """Keeps the source model's order (which it asks to sort); filters by verdict (None = all) and by text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._verdict: Verdict | None = None
        self._text = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        src = self.sourceModel()
        if src is not None:
            src.sort(column, order)  # the proxy itself stays unsorted (sortColumn -1): it shows the model's order

    @property
    def verdict_filter(self) -> Verdict | None:
        return self._verdict

    def set_verdict_filter(self, verdict: Verdict | None) -> None:
        if verdict != self._verdict:
            self._change_filter(lambda: setattr(self, "_verdict", verdict))

    def set_text_filter(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self._change_filter(lambda: setattr(self, "_text", text))

    def _change_filter(self, change: Any) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # older Qt
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        src = self.sourceModel()
        r = src.result(source_row) if isinstance(src, ResultsModel) else None
        if r is None:
            return True
        if self._verdict is not None and r.verdict is not self._verdict:
            return False
        if self._text:
            haystack = r.path.casefold()
            if r.evidence:
                haystack += " " + r.evidence_tokens().casefold()
            return self._text in haystack
        return True

    def result_at(self, proxy_row: int) -> ImageResult | None:
        idx = self.index(proxy_row, 0)
        return idx.data(RESULT_ROLE) if idx.isValid() else None

    def visible_results(self) -> list[ImageResult]:
        return [self.index(i, 0).data(RESULT_ROLE) for i in range(self.rowCount())]
