"""Windows that fit the screen they open on, and come back where the user left them.

A window opens at its preferred size only where the screen's available area (without panels and docks)
allows it; otherwise it takes that area less a margin, centred. Its size, position and maximised state are
remembered per window in ``<data dir>/windows.ini`` (QSettings' INI format, so nothing goes to the registry)
and restored only when the saved frame still lies on a screen and fits it — after a monitor was unplugged or
the resolution lowered, the window is fitted again instead of opening off-screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from miwake.core import paths

MARGIN = 24  # px kept free around a fitted window, so its frame and the desktop's edges stay visible


def _settings() -> QSettings:
    return QSettings(str(paths.data_dir() / "windows.ini"), QSettings.Format.IniFormat)


def _screen_for(widget: QWidget) -> QScreen | None:
    parent = widget.parentWidget()
    anchor = parent.window() if parent is not None else None
    screen = anchor.screen() if anchor is not None and anchor.isVisible() else None
    return screen or QGuiApplication.screenAt(widget.frameGeometry().center()) or QGuiApplication.primaryScreen()


def fitted(preferred: QSize, available: QRect, minimum: QSize | None = None) -> QRect:
    """The preferred size, shrunk to the available area less a margin (never below `minimum` where the screen
    has room for it), centred in that area."""
    room = available.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    w, h = min(preferred.width(), room.width()), min(preferred.height(), room.height())
    if minimum is not None:
        w, h = max(w, min(minimum.width(), available.width())), max(h, min(minimum.height(), available.height()))
    rect = QRect(0, 0, w, h)
    rect.moveCenter(available.center())
    return rect


def fit_to_screen(widget: QWidget, preferred: QSize) -> None:
    """Give `widget` its preferred size where the screen allows it, else the available area; centred."""
    screen = _screen_for(widget)
    if screen is None:
        widget.resize(preferred)
        return
    frame = _frame_extra(widget)
    available = screen.availableGeometry()
    inner = available.adjusted(0, 0, -frame.width(), -frame.height())
    rect = fitted(preferred, inner, widget.minimumSizeHint())
    widget.resize(rect.size())
    widget.move(rect.topLeft())


def _frame_extra(widget: QWidget) -> QSize:
    """What the window manager's frame adds to the client area (title bar, borders); a guess before it is shown."""
    if widget.isVisible():
        fg, g = widget.frameGeometry(), widget.geometry()
        return QSize(fg.width() - g.width(), fg.height() - g.height())
    return QSize(8, 32)


def on_some_screen(frame: QRect) -> bool:
    """Whether a saved frame still fits inside one screen's available area (its title bar reachable)."""
    for screen in QGuiApplication.screens():
        area = screen.availableGeometry()
        if (
            area.contains(frame.topLeft() + QPoint(8, 8))
            and frame.width() <= area.width()
            and (frame.height() <= area.height())
        ):
            return True
    return False


def restore(widget: QWidget, name: str, preferred: QSize) -> bool:
    """Put `widget` where it was last closed if that still fits a screen, else fit it; True when restored.
    Maximised windows come back maximised (call ``show_restored`` to show it that way)."""
    s = _settings()
    data = s.value(f"{name}/geometry")
    if isinstance(data, QByteArray) and not data.isEmpty() and widget.restoreGeometry(data):
        frame = widget.frameGeometry() if widget.isVisible() else widget.geometry()
        if on_some_screen(frame):
            return True
    fit_to_screen(widget, preferred)
    return False


def was_maximized(name: str) -> bool:
    return str(_settings().value(f"{name}/maximized", "false")).lower() == "true"


def show_restored(widget: QWidget, name: str) -> None:
    """Show the window maximised if it was closed maximised, else as placed."""
    if was_maximized(name):
        widget.showMaximized()
    else:
        widget.show()


def remember(widget: QWidget, name: str) -> None:
    """Save the window's size, position and maximised state (called when it closes)."""
    s = _settings()
    s.setValue(f"{name}/geometry", widget.saveGeometry())
    s.setValue(f"{name}/maximized", "true" if widget.isMaximized() else "false")
    s.sync()
