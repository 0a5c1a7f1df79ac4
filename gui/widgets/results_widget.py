"""The results table with its filter bar (verdict and text); it reports the current row for the detail pane."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProxyStyle,
    QStyle,
    QStyleOptionHeader,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from miwake.core.results import ImageResult, Verdict

from .. import i18n
from ..models.results_model import RESULT_ROLE, Column, ResultsModel, ResultsProxyModel
from .probability_delegate import ProbabilityDelegate

ROW_HEIGHT = 52
NAME_MIN_WIDTH = 200  # below this the File column shows only "img_....png"
# Widths that fit the table's pane at 1024 px and up (the File column takes what is left); Folder and Error are
# shown only when they tell rows apart (files in several folders, some errors).
_WIDTHS = {
    Column.THUMBNAIL: 56,
    Column.NAME: 180,
    Column.FOLDER: 120,
    Column.PROBABILITY: 120,
    Column.VERDICT: 110,
    Column.CROPS: 56,
    Column.DIMENSIONS: 96,
    Column.FILE_SIZE: 76,
    Column.EVIDENCE: 96,
    Column.ERROR: 120,
}


_GIVE_WAY = (Column.FILE_SIZE, Column.DIMENSIONS, Column.CROPS)  # hidden in this order when the pane is narrow


class _SortArrowStyle(QProxyStyle):
    """Header arrows that point the way the values run: "highest first" points down.

    Qt draws an ascending sort as a down arrow (SortDown) and a descending one as an up arrow, which people read
    the other way round ("the up arrow put the highest last?"). This swaps the two in the results header only.
    """

    def drawPrimitive(self, element, option, painter, widget=None):
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(option, QStyleOptionHeader):
            flipped = QStyleOptionHeader(option)
            flipped.sortIndicator = (
                QStyleOptionHeader.SortIndicator.SortUp
                if option.sortIndicator == QStyleOptionHeader.SortIndicator.SortDown
                else QStyleOptionHeader.SortIndicator.SortDown
            )
            return super().drawPrimitive(element, flipped, painter, widget)
        return super().drawPrimitive(element, option, painter, widget)


class SearchEdit(QLineEdit):
    """The filter box. Ctrl+<letter> is the window's (Ctrl+E exports) even while the box has focus: QLineEdit
    otherwise takes Ctrl+E, Ctrl+K … for its own line editing on Linux; Ctrl+A/C/V/X/Z/Y stay the box's."""

    OWN = frozenset({Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_V, Qt.Key.Key_X, Qt.Key.Key_Z, Qt.Key.Key_Y})

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent):
            ctrl_only = e.modifiers() == Qt.KeyboardModifier.ControlModifier
            if ctrl_only and Qt.Key.Key_A <= e.key() <= Qt.Key.Key_Z and e.key() not in self.OWN:
                e.ignore()  # not overridden: the window's shortcut fires
                return False
        return super().event(e)


class ResultsWidget(QWidget):
    current_result_changed = Signal(object)  # ImageResult | None

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ResultsProxyModel(self)
        self.proxy.setSourceModel(model)

        self.show_label = QLabel(self)
        self.verdict_combo = QComboBox(self)
        self.verdict_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = SearchEdit(self)
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel(self)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.show_label)
        bar.addWidget(self.verdict_combo)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)

        self.table = QTableView(self)
        t = self.table
        t.setModel(self.proxy)
        t.setItemDelegateForColumn(Column.PROBABILITY, ProbabilityDelegate(t))
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.setShowGrid(False)
        t.setWordWrap(False)
        t.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        t.setIconSize(QSize(48, 48))
        t.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = t.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row size hints: 10,000 rows scroll smoothly
        vh.setDefaultSectionSize(ROW_HEIGHT)
        hh = t.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)  # the name takes the free width
        hh.setStretchLastSection(False)
        hh.setHighlightSections(False)
        # its own instance of the app's style: a proxy owns (and deletes) its base style
        self._arrow_style = _SortArrowStyle(hh.style().name())
        self._arrow_style.setParent(self)
        hh.setStyle(self._arrow_style)
        for col, w in _WIDTHS.items():
            t.setColumnWidth(col, w)
        for col in (Column.FOLDER, Column.ERROR):
            t.setColumnHidden(col, True)
        t.setSortingEnabled(True)
        t.sortByColumn(Column.PROBABILITY, Qt.SortOrder.DescendingOrder)  # most suspicious first

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(t, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(
            lambda: (self.proxy.set_text_filter(self.search.text()), self._keep_current_in_view())
        )
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.verdict_combo.currentIndexChanged.connect(self._on_verdict_filter_changed)
        t.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(100)
        self._count_timer.timeout.connect(self._update_count)
        for sig in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset, self.proxy.layoutChanged):
            sig.connect(lambda *_: self._count_timer.start() if not self._count_timer.isActive() else None)
        self._count_timer.timeout.connect(self._update_columns)
        self.model.modelReset.connect(lambda: self.current_result_changed.emit(None))
        self.retranslate_ui()

    # -- queries --------------------------------------------------------------------------------------
    def current_result(self) -> ImageResult | None:
        idx = self.table.currentIndex()
        return idx.data(RESULT_ROLE) if idx.isValid() else None

    def selected_results(self) -> list[ImageResult]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.proxy.result_at(r) for r in rows if self.proxy.result_at(r) is not None]

    def visible_results(self) -> list[ImageResult]:
        return self.proxy.visible_results()

    def select_row(self, row: int) -> None:
        idx = self.proxy.index(row, Column.NAME)
        if idx.isValid():
            self.table.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.scrollTo(idx)

    def set_verdict_filter(self, verdict: Verdict | None) -> None:
        i = self.verdict_combo.findData(verdict.value if verdict else "")
        self.verdict_combo.setCurrentIndex(max(0, i))

    # -- slots ----------------------------------------------------------------------------------------
    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_result_changed.emit(current.data(RESULT_ROLE) if current.isValid() else None)

    def _on_verdict_filter_changed(self, _: int) -> None:
        value = self.verdict_combo.currentData()
        self.proxy.set_verdict_filter(Verdict(value) if value else None)
        self._keep_current_in_view()

    def _keep_current_in_view(self) -> None:
        """After a filter change the selected row (still in the detail pane) stays visible (once the view has
        laid out the new rows)."""

        def scroll() -> None:
            idx = self.table.currentIndex()
            if idx.isValid():
                self.table.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)

        QTimer.singleShot(0, scroll)

    def clear_filters(self) -> None:
        self.set_verdict_filter(None)
        self.search.clear()
        self.proxy.set_text_filter("")

    def _fit_headers(self) -> None:
        """Every column at least as wide as its title in the current language (クロップ数 was cut)."""
        fm = self.table.horizontalHeader().fontMetrics()
        for col, w in _WIDTHS.items():
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            need = fm.horizontalAdvance(title) + 28  # padding and the sort arrow
            if self.table.columnWidth(col) < need:
                self.table.setColumnWidth(col, max(w, need))

    def _update_columns(self) -> None:
        """Show Folder only when rows sit in different folders, Error only when some row has one; where the pane is
        too narrow for the File column to keep `NAME_MIN_WIDTH`, give it the room of File size, then Dimensions,
        then Crops (the detail pane shows all three)."""
        t = self.table
        t.setColumnHidden(Column.FOLDER, not self.model.spans_folders())
        t.setColumnHidden(Column.ERROR, not self.model.has_errors())
        room = t.viewport().width()
        for col in _GIVE_WAY:
            t.setColumnHidden(col, False)
        for col in _GIVE_WAY:
            used = sum(t.columnWidth(c) for c in _WIDTHS if c != Column.NAME and not t.isColumnHidden(c))
            if room - used >= NAME_MIN_WIDTH:
                break
            t.setColumnHidden(col, True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_columns()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if total == 0:
            self.count_label.setText("")
        elif shown == total:
            self.count_label.setText(self.tr("%n image(s)", "", total))
        else:
            self.count_label.setText(self.tr("%1 of %2 shown").replace("%1", str(shown)).replace("%2", str(total)))

    # -- language -------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.show_label.setText(self.tr("Show:"))
        current = self.verdict_combo.currentData() or ""
        self.verdict_combo.blockSignals(True)
        self.verdict_combo.clear()
        self.verdict_combo.addItem(self.tr("All verdicts"), "")
        for v in (Verdict.AI, Verdict.UNSURE, Verdict.HUMAN, Verdict.ERROR):
            self.verdict_combo.addItem(i18n.verdict_label(v), v.value)
        self.verdict_combo.setCurrentIndex(max(0, self.verdict_combo.findData(current)))
        self.verdict_combo.blockSignals(False)
        self.search.setPlaceholderText(self.tr("Filter by file name, folder or evidence…"))
        self.model.retranslate()
        self._fit_headers()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
