"""The picture with its crop heatmap drawn over it; hovering a crop shows that crop's probability.

The pixmap may be downscaled (large images are shown at ≤ 2048 px): tile coordinates are in the scanned
image's pixels (`ImageResult.width/height`) and are mapped onto whatever is displayed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from miwake.core.heatmap import UNSCORED_RGBA, probability_color
from miwake.core.results import Heatmap

_MARGIN = 6


class HeatmapView(QWidget):
    hovered = Signal(object)  # the probability under the mouse (float) or None
    hovered_unscored = Signal()  # the mouse is on a part of the picture that no crop scored

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table keeps the keyboard
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self._pixmap: QPixmap | None = None
        self._scaled: QPixmap | None = None
        self._heatmap: Heatmap | None = None
        self._image_size = QSize()  # the scanned image's size (heatmap coordinates)
        self._show = True
        self._opacity = 0.45
        self._message = ""
        self._hover: tuple[QPointF, float, tuple[int, int]] | None = None

    # -- state ----------------------------------------------------------------------------------------
    def set_content(self, pixmap: QPixmap | None, heatmap: Heatmap | None, image_size: QSize | None) -> None:
        self._pixmap, self._scaled = pixmap, None
        self._heatmap = heatmap
        self._image_size = (
            image_size
            if image_size is not None and image_size.isValid()
            else (pixmap.size() if pixmap is not None else QSize())
        )
        self._hover = None
        self._message = ""
        self.update()

    def set_message(self, text: str) -> None:
        """Shown instead of a picture (loading…, cannot be shown…)."""
        self._message = text
        self._pixmap = self._scaled = None
        self._hover = None
        self.update()

    def set_heatmap_visible(self, show: bool) -> None:
        self._show = show
        self.update()

    def heatmap_visible(self) -> bool:
        return self._show

    def set_opacity(self, opacity: float) -> None:
        self._opacity = min(1.0, max(0.0, opacity))
        self.update()

    def has_picture(self) -> bool:
        return self._pixmap is not None

    # -- geometry -------------------------------------------------------------------------------------
    def _target(self) -> QRect:
        if self._pixmap is None:
            return QRect()
        area = self.rect().adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)
        size = self._pixmap.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if size.width() > self._pixmap.width() * 2:  # small images: at most 2x, no blur parade
            size = self._pixmap.size() * 2
        x = area.left() + (area.width() - size.width()) // 2
        y = area.top() + (area.height() - size.height()) // 2
        return QRect(x, y, size.width(), size.height())

    def _scale(self, target: QRect) -> tuple[float, float]:
        w = self._image_size.width() or target.width()
        h = self._image_size.height() or target.height()
        return target.width() / w, target.height() / h

    def image_point(self, pos: QPointF) -> QPointF | None:
        """Widget position → scanned-image pixel (None outside the picture)."""
        t = self._target()
        if t.isNull() or not QRectF(t).contains(pos):
            return None
        sx, sy = self._scale(t)
        return QPointF((pos.x() - t.left()) / sx, (pos.y() - t.top()) / sy)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._scaled = None
        super().resizeEvent(event)

    # -- painting -------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().window())
        if self._pixmap is None:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self._message,
            )
            return
        t = self._target()
        if self._scaled is None or self._scaled.size() != t.size():
            self._scaled = self._pixmap.scaled(
                t.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        p.drawPixmap(t.topLeft(), self._scaled)
        if self._show and self._heatmap is not None:
            self._paint_heatmap(p, t)
        if self._hover is not None:
            self._paint_hover(p, t)

    def tile_center(self, row: int, col: int) -> QPointF | None:
        """Where the centre of tile (`row`, `col`) is drawn, in widget coordinates (None without a picture)."""
        h, t = self._heatmap, self._target()
        if h is None or t.isNull():
            return None
        return self._tile_rect(t, col, row).center()

    def _tile_rect(self, t: QRect, c: int, r: int) -> QRectF:
        h = self._heatmap
        assert h is not None
        sx, sy = self._scale(t)
        return QRectF(t.left() + h.xs[c] * sx, t.top() + h.ys[r] * sy, h.tile_w * sx, h.tile_h * sy)

    def _paint_heatmap(self, p: QPainter, t: QRect) -> None:
        h = self._heatmap
        assert h is not None
        alpha = round(255 * self._opacity)
        p.save()
        p.setClipRect(t)
        tiles = h.tiles()
        unscored = QRegion(t)
        for r, c, *_ in tiles:
            unscored = unscored.subtracted(QRegion(self._tile_rect(t, c, r).toAlignedRect()))
        if not unscored.isEmpty():  # what no crop looked at: a grey hatch, as in the PNG reports
            p.save()
            p.setClipRegion(unscored)
            p.fillRect(t, QColor(*UNSCORED_RGBA))
            p.fillRect(
                t, QBrush(QColor(*UNSCORED_RGBA[:3], min(255, 2 * UNSCORED_RGBA[3])), Qt.BrushStyle.BDiagPattern)
            )
            p.restore()
        for r, c, _, _, prob in tiles:  # row-major: a later tile lies on top, as in the PNG reports
            col = QColor(*probability_color(prob))
            rect = self._tile_rect(t, c, r)
            fill = QColor(col)
            fill.setAlpha(alpha)
            p.fillRect(rect, fill)
            edge = QColor(col)
            edge.setAlpha(min(255, alpha + 90))
            p.setPen(QPen(edge, 1))
            p.drawRect(rect.adjusted(0, 0, -1, -1))
        p.restore()

    def _paint_hover(self, p: QPainter, t: QRect) -> None:
        assert self._hover is not None
        pos, prob, (c, r) = self._hover
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._heatmap is not None:
            p.setPen(QPen(QColor(255, 255, 255), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self._tile_rect(t, c, r))
        text = f"{prob:.2f}"
        f = QFont(self.font())
        f.setBold(True)
        p.setFont(f)
        fm = p.fontMetrics()
        box = QRectF(0, 0, fm.horizontalAdvance(text) + 16, fm.height() + 8)
        box.moveTopLeft(pos + QPointF(14, 14))
        if box.right() > self.width():
            box.moveRight(pos.x() - 6)
        if box.bottom() > self.height():
            box.moveBottom(pos.y() - 6)
        col = QColor(*probability_color(prob))
        p.setPen(QPen(col.darker(150), 1))
        p.setBrush(QColor(30, 30, 30, 220))
        p.drawRoundedRect(box, 5, 5)
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        p.restore()

    # -- hover ----------------------------------------------------------------------------------------
    def probability_at_widget(self, pos: QPointF) -> tuple[float, tuple[int, int]] | None:
        pt = self.image_point(pos)
        h = self._heatmap
        if pt is None or h is None:
            return None
        cell = h.tile_at(pt.x(), pt.y())
        if cell is None:
            return None
        prob = h.probs[cell[0]][cell[1]]
        assert prob is not None
        return prob, (cell[1], cell[0])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.probability_at_widget(event.position()) if self._show else None
        self._hover = (event.position(), hit[0], hit[1]) if hit else None
        if hit is None and self._show and self._heatmap is not None and self.image_point(event.position()) is not None:
            self.hovered_unscored.emit()
        else:
            self.hovered.emit(hit[0] if hit else None)
        self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        if self._hover is not None:
            self._hover = None
            self.hovered.emit(None)
            self.update()
        super().leaveEvent(event)
