"""A small line chart drawn with QPainter (loss and AUC curves, ROC curves): no plotting dependency."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_POINTS = 2000  # per series; older points are thinned (every other one) beyond that

NEW_COLOR = QColor("#d73027")
OLD_COLOR = QColor("#4575b4")


@dataclass
class Series:
    name: str
    color: QColor
    points: list[tuple[float, float]] = field(default_factory=list)
    dashed: bool = False
    markers: bool = False

    def add(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        self.points.append((x, y))
        if len(self.points) > MAX_POINTS:
            self.points = self.points[::2] if len(self.points) % 2 else self.points[::2] + [self.points[-1]]


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / target
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


class ChartWidget(QWidget):
    """Series of (x, y) points on linear axes. Fixed ranges (`x_range`, `y_range`) or fitted to the data."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        x_range: tuple[float, float] | None = None,
        y_range: tuple[float, float] | None = None,
        diagonal: bool = False,
        square: bool = False,
    ) -> None:
        super().__init__(parent)
        self.series: list[Series] = []
        self.title = ""
        self.x_label = ""
        self.y_label = ""
        self.placeholder = ""
        self.x_range, self.y_range = x_range, y_range
        self.diagonal = diagonal
        self.square = square
        self.setMinimumSize(220, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(360, 300 if self.square else 220)

    def set_series(self, series: list[Series]) -> None:
        self.series = series
        self.update()

    def set_labels(self, title: str, x_label: str, y_label: str, placeholder: str = "") -> None:
        self.title, self.x_label, self.y_label, self.placeholder = title, x_label, y_label, placeholder
        self.update()

    def point_count(self) -> int:
        return sum(len(s.points) for s in self.series)

    # -- drawing ------------------------------------------------------------------------------------------------
    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [x for s in self.series for x, _ in s.points]
        ys = [y for s in self.series for _, y in s.points]
        x0, x1 = self.x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
        y0, y1 = self.y_range or ((min(ys), max(ys)) if ys else (0.0, 1.0))
        if x1 <= x0:
            x1 = x0 + 1.0
        if y1 <= y0:
            y0, y1 = y0 - 0.5, y1 + 0.5
        if self.y_range is None:
            pad = (y1 - y0) * 0.08
            y0, y1 = (max(0.0, y0 - pad) if y0 >= 0 else y0 - pad), y1 + pad
        return x0, x1, y0, y1

    def _plot_rect(self, fm: QFontMetrics) -> QRectF:
        left = fm.horizontalAdvance("0.000") + fm.height() + 10
        top = fm.height() + 10 if self.title else 8
        bottom = fm.height() * 2 + 8
        r = QRectF(left, top, max(10, self.width() - left - 12), max(10, self.height() - top - bottom))
        if self.square:
            side = min(r.width(), r.height())
            r = QRectF(r.left(), r.top(), side, side)
        return r

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(pal.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(40)
        fm = p.fontMetrics()
        r = self._plot_rect(fm)
        x0, x1, y0, y1 = self._ranges()

        def to_px(x: float, y: float) -> QPointF:
            return QPointF(r.left() + (x - x0) / (x1 - x0) * r.width(), r.bottom() - (y - y0) / (y1 - y0) * r.height())

        p.fillRect(r, pal.color(pal.ColorRole.Base))
        if self.title:
            p.setPen(text)
            p.drawText(QRectF(r.left(), 2, r.width(), fm.height() + 4), int(Qt.AlignmentFlag.AlignLeft), self.title)
        for t in nice_ticks(y0, y1):
            pt = to_px(x0, t)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(r.left(), pt.y()), QPointF(r.right(), pt.y()))
            p.setPen(text)
            label = _tick_label(t, y1 - y0)
            p.drawText(
                QRectF(0, pt.y() - fm.height() / 2, r.left() - 4, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        for t in nice_ticks(x0, x1):
            pt = to_px(t, y0)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(pt.x(), r.top()), QPointF(pt.x(), r.bottom()))
            p.setPen(text)
            p.drawText(
                QRectF(pt.x() - 30, r.bottom() + 2, 60, fm.height()),
                int(Qt.AlignmentFlag.AlignHCenter),
                _tick_label(t, x1 - x0),
            )
        p.setPen(text)
        half = min(r.center().x(), self.width() - r.center().x())
        p.drawText(
            QRectF(r.center().x() - half, r.bottom() + fm.height() + 4, 2 * half, fm.height()),
            int(Qt.AlignmentFlag.AlignHCenter),
            self.x_label,
        )
        p.save()
        p.translate(2, r.center().y())
        p.rotate(-90)
        p.drawText(
            QRectF(-r.height() / 2, 0, r.height(), fm.height()), int(Qt.AlignmentFlag.AlignHCenter), self.y_label
        )
        p.restore()
        p.setPen(QPen(grid.darker(150), 1))
        p.drawRect(r)
        if self.diagonal:
            p.setPen(QPen(grid.darker(200), 1, Qt.PenStyle.DotLine))
            p.drawLine(to_px(x0, y0), to_px(x1, y1))
        p.save()
        p.setClipRect(r.adjusted(-3, -3, 3, 3))
        for s in self.series:
            if not s.points:
                continue
            pen = QPen(s.color, 2, Qt.PenStyle.DashLine if s.dashed else Qt.PenStyle.SolidLine)
            p.setPen(pen)
            path = QPainterPath(to_px(*s.points[0]))
            for x, y in s.points[1:]:
                path.lineTo(to_px(x, y))
            p.drawPath(path)
            if s.markers or len(s.points) == 1:
                p.setBrush(s.color)
                for x, y in s.points:
                    p.drawEllipse(to_px(x, y), 3, 3)
                p.setBrush(Qt.BrushStyle.NoBrush)
        p.restore()
        if not self.point_count() and self.placeholder:
            p.setPen(grid.darker(250))
            p.drawText(r, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.placeholder)
        self._draw_legend(p, r, fm)
        p.end()

    def _draw_legend(self, p: QPainter, r: QRectF, fm: QFontMetrics) -> None:
        named = [s for s in self.series if s.name]
        if not named:
            return
        w = max(fm.horizontalAdvance(s.name) for s in named) + 34
        h = fm.height() * len(named) + 8
        box = QRectF(r.right() - w - 6, r.bottom() - h - 6, w, h)
        bg = self.palette().color(self.palette().ColorRole.Base)
        bg.setAlpha(220)
        p.fillRect(box, bg)
        for i, s in enumerate(named):
            y = box.top() + 4 + fm.height() * (i + 0.5)
            p.setPen(QPen(s.color, 2, Qt.PenStyle.DashLine if s.dashed else Qt.PenStyle.SolidLine))
            p.drawLine(QPointF(box.left() + 6, y), QPointF(box.left() + 24, y))
            p.setPen(self.palette().color(self.palette().ColorRole.WindowText))
            p.drawText(
                QRectF(box.left() + 28, y - fm.height() / 2, w - 28, fm.height()),
                int(Qt.AlignmentFlag.AlignVCenter),
                s.name,
            )


def _tick_label(v: float, span: float) -> str:
    if span >= 20:
        return f"{v:.0f}"
    if span >= 2:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}"
