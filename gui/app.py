"""Start the desktop app: `run_app()` sets up logging, error hooks, the translator and the main window.

`miwake gui [FOLDER] [--screenshot OUT.png]`; with `--screenshot` the window (1400 x 900) scans FOLDER
(or shows the last stored scan), selects the first row so the heatmap shows, renders itself to OUT.png and
exits (0 on success). Works with `QT_QPA_PLATFORM=offscreen` and under Xvfb.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import (
    QMessageLogContext,
    QRectF,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QLinearGradient,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import QApplication

from miwake.core import paths
from miwake.core.heatmap import probability_color
from miwake.core.logsetup import setup_logging
from miwake.core.settings import load_settings

from . import window_geometry
from .error_hooks import ErrorBridge, describe_error, install_hooks, uninstall_hooks
from .i18n import apply_language
from .main_window import MainWindow
from .qt_compat import install_refcount_guard
from .screenshot import ScreenshotDirector
from .widgets.plain_dialogs import plain_critical

log = logging.getLogger(__name__)

PRELOAD_AFTER_MS = 1500  # after the window is up, so the start itself is not slowed


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Miwake")
    app.setOrganizationName("Miwake")
    icon_file = paths.resources_dir() / "icons" / "miwake.png"  # the desktop icon (packaging/make_icons.py)
    app.setWindowIcon(QIcon(str(icon_file)) if icon_file.is_file() else app_icon())
    app.setDesktopFileName(paths.APP_ID)  # Wayland shows the icon of packaging/linux/miwake.desktop
    return app


def app_icon() -> QIcon:
    """見 on the heatmap's blue → red gradient (drawn, so no image file has to travel with the app)."""
    icon = QIcon()
    for side in (16, 32, 64, 256):
        pm = QPixmap(side, side)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        grad = QLinearGradient(0, 0, side, side)
        grad.setColorAt(0.0, QColor(*probability_color(0.0)))
        grad.setColorAt(1.0, QColor(*probability_color(1.0)))
        p.setBrush(grad)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(QRectF(0, 0, side, side), side * 0.2, side * 0.2)
        font = QFont()
        font.setPixelSize(int(side * 0.62))
        font.setBold(True)
        glyph = "見" if QFontMetrics(font).inFont("見") else "M"
        p.setFont(font)
        p.setPen(QColor(255, 255, 255))
        p.drawText(QRectF(0, 0, side, side), int(Qt.AlignmentFlag.AlignCenter), glyph)
        p.end()
        icon.addPixmap(pm)
    return icon


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_QT_NOISE = ("propagateSizeHints",)  # the offscreen platform's harmless complaints


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings go to the log like everything else (not straight to the terminal)."""
    level = _QT_LEVELS.get(mode, logging.WARNING)
    if "platform plugin" in message and mode in (QtMsgType.QtFatalMsg, QtMsgType.QtCriticalMsg):
        from .platform_check import HINT, platform_problem  # Qt's advice ("reinstalling may fix this") does not help

        print(
            f"miwake: Qt could not open a window. {platform_problem({'QT_QPA_PLATFORM': 'xcb'}) or HINT}",
            file=sys.stderr,
        )
    if any(n in message for n in _QT_NOISE) or (context.category or "").startswith("qt.gui.imageio"):
        level = logging.DEBUG  # damaged files are reported in the table; the decoder's own complaints are noise
    logging.getLogger("qt").log(level, "%s", message)


def run_app(folder: str | None = None, screenshot: str | None = None) -> int:
    """Run the app until its window closes; returns the exit code."""
    setup_logging()
    previous_handler = qInstallMessageHandler(_qt_message)
    app = _application()
    install_refcount_guard()
    bridge = ErrorBridge()
    install_hooks(bridge)
    window: MainWindow | None = None
    try:
        apply_language(load_settings().language)
        if folder and not Path(folder).exists():
            message = app.translate("App", "%1 does not exist.").replace("%1", folder)
            if screenshot:
                print(f"miwake: {message}", file=sys.stderr)
                return 2
        try:
            window = MainWindow(load_last=folder is None)
        except Exception as e:  # e.g. an unreadable user folder: say so instead of a traceback
            log.exception("The main window could not be created")
            if screenshot:
                print(f"miwake: {describe_error(e)}", file=sys.stderr)
            else:
                plain_critical(None, "Miwake", describe_error(e))
            return 1
        win = window
        bridge.error_reported.connect(lambda title, text: win.notifications.notify(title, text, "error"))
        if screenshot:
            director = ScreenshotDirector(window, folder, screenshot)
            director.start()
            return app.exec()
        window_geometry.show_restored(window, "main")
        # the model loads while the user picks a folder: the first scan's first row then needs no 3 s wait
        QTimer.singleShot(PRELOAD_AFTER_MS, lambda: win.controller.preload_model(win.settings))
        if folder and Path(folder).exists():
            window.open_paths([str(Path(folder).resolve())])
        elif folder:
            window.notifications.notify(app.translate("App", "Folder not found"), message, "error")
        _let_python_handle_ctrl_c(app)
        return app.exec()
    finally:
        if window is not None:
            window.close()
            window.deleteLater()
        uninstall_hooks()
        qInstallMessageHandler(previous_handler)


def _let_python_handle_ctrl_c(app: QApplication) -> None:
    try:
        signal.signal(signal.SIGINT, lambda *_: app.quit())
    except ValueError:  # not the main thread
        return
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)  # give the interpreter a moment to run signal handlers
    timer.start(300)
