"""The figures of the results page: a metrics table (new model beside the previous one) and confusion matrices."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

METRIC_ROWS = ("auc", "f1", "recall", "precision", "accuracy", "threshold", "n")


def _fmt(key: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if key == "n":
        return str(int(v))
    return f"{float(v):.3f}"


class MetricsTable(QTableWidget):
    """Rows: AUC, F1, recall, precision, accuracy, threshold, images; one column per model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(len(METRIC_ROWS), 2, parent)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._metrics: list[dict[str, Any] | None] = [None, None]
        self._names = ["", ""]
        self.retranslate_ui()

    def set_column(self, col: int, name: str, metrics: dict[str, Any] | None) -> None:
        self._names[col] = name
        self._metrics[col] = metrics
        self._fill()

    def value(self, col: int, key: str) -> str:
        item = self.item(METRIC_ROWS.index(key), col)
        return item.text() if item else ""

    def _fill(self) -> None:
        # the header keeps the short first line ("New model", "Before"): a model's long name was cut there; the
        # whole name is the tooltip, and the confusion matrices below name both models
        self.setHorizontalHeaderLabels([n.split("\n")[0] for n in self._names])
        for c, name in enumerate(self._names):
            header = self.horizontalHeaderItem(c)
            if header is not None:
                header.setToolTip(name.replace("\n", " "))
        new, old = self._metrics
        for r, key in enumerate(METRIC_ROWS):
            for c, m in enumerate(self._metrics):
                item = QTableWidgetItem(_fmt(key, m.get(key)) if m else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                better = (
                    key not in ("threshold", "n")
                    and new
                    and old
                    and c == 0
                    and isinstance(new.get(key), (int, float))
                    and isinstance(old.get(key), (int, float))
                    and new[key] > old[key] + 0.005
                )
                if better:
                    item.setForeground(QColor("#1b5e20"))
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.setItem(r, c, item)
        height = self.horizontalHeader().sizeHint().height() + self.verticalHeader().length() + 2 * self.frameWidth()
        self.setFixedHeight(height + 2)

    def retranslate_ui(self) -> None:
        self.setVerticalHeaderLabels(
            [
                self.tr("AUC (1.0 = perfect)"),
                self.tr("F1"),
                self.tr("Recall (AI images caught)"),
                self.tr("Precision (AI verdicts that were right)"),
                self.tr("Accuracy"),
                self.tr("Threshold"),
                self.tr("Validation images"),
            ]
        )
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class ConfusionWidget(QGroupBox):
    """A 2 x 2 confusion matrix: rows = what the image is, columns = what the model said."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        self.heads = [QLabel(self) for _ in range(4)]
        self.cells = [QLabel(self) for _ in range(4)]  # tp, fn, fp, tn
        for h in self.heads:
            h.setStyleSheet("color:#555")
        grid.addWidget(self.heads[0], 0, 1, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.heads[1], 0, 2, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(self.heads[2], 1, 0)
        grid.addWidget(self.heads[3], 2, 0)
        for i, cell in enumerate(self.cells):
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setMinimumSize(64, 30)
            grid.addWidget(cell, 1 + i // 2, 1 + i % 2)
        self._confusion: dict[str, int] | None = None
        self.retranslate_ui()

    def set_confusion(self, title: str, confusion: dict[str, int] | None) -> None:
        # a long model name must not widen the page past a 1024 px screen: elided, whole in the tooltip
        self.setTitle(self.fontMetrics().elidedText(title, Qt.TextElideMode.ElideMiddle, 200))
        self.setToolTip(title)
        self._confusion = confusion
        c = confusion or {}
        good, bad = "background:#e3f2e3; border-radius:3px;", "background:#fbe3e1; border-radius:3px;"
        for cell, key, style in zip(self.cells, ("tp", "fn", "fp", "tn"), (good, bad, bad, good)):
            cell.setText(str(c.get(key, "–")) if confusion else "–")
            cell.setStyleSheet(style if confusion else "")

    def retranslate_ui(self) -> None:
        for h, text in zip(
            self.heads, (self.tr("said AI"), self.tr("said human"), self.tr("AI image"), self.tr("human-made"))
        ):
            h.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
