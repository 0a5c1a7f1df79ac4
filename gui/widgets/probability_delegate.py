"""Draws the AI probability as a coloured bar (blue = human-like … red = AI-like) with the number beside it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from miwake.core.heatmap import probability_color

from ..models.results_model import PROBABILITY_ROLE

_TEXT_WIDTH = 44


class ProbabilityDelegate(QStyledItemDelegate):
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        prob = index.data(PROBABILITY_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if prob is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(6, 0, -6, 0)
        bar_h = min(12, max(6, r.height() // 4))
        track = QRect(r.left(), r.center().y() - bar_h // 2, max(10, r.width() - _TEXT_WIDTH - 6), bar_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 28))
        painter.drawRoundedRect(track, bar_h / 2, bar_h / 2)
        fill = QRect(track)
        fill.setWidth(max(bar_h, round(track.width() * float(prob))))
        col = QColor(*probability_color(float(prob)))
        painter.setBrush(col)
        painter.setPen(col.darker(135))
        painter.drawRoundedRect(fill.adjusted(0, 0, -1, -1), bar_h / 2, bar_h / 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        text_rect = QRect(track.right() + 6, r.top(), _TEXT_WIDTH, r.height())
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{float(prob):.3f}"
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(150, super().sizeHint(option, index).height())
