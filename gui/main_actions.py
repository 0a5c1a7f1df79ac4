"""The main window's actions, menus and toolbar (kept apart so the window stays a thin composer)."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)


class ActionHost(Protocol):
    """The window the actions drive (`MainWindow` is one): its commands and the QMainWindow parts the menus and the
    toolbar go into. A Protocol, so this module need not import the window that imports it."""

    results: Any  # the results pane (its search box)
    settings: Any  # the user's settings (recent folders)

    def choose_folder(self) -> None: ...
    def open_paths(self, roots: list[str], scan: bool = True) -> None: ...
    def start_scan(self, roots: list[str] | None = None) -> bool: ...
    def stop_scan(self) -> None: ...
    def export_results(self, kind: str, dest: str | None = None) -> bool: ...
    def open_models_dialog(self) -> None: ...
    def open_retrain_wizard(self) -> None: ...
    def open_settings_dialog(self) -> None: ...
    def open_log_folder(self) -> None: ...
    def show_about(self) -> None: ...
    def show_verdict_guide(self) -> None: ...
    # QMainWindow's
    def close(self) -> bool: ...
    def style(self) -> Any: ...
    def menuBar(self) -> Any: ...
    def addAction(self, action: Any) -> None: ...
    def addToolBar(self, toolbar: Any) -> None: ...


class MainActions(QObject):
    def __init__(self, window: ActionHost) -> None:
        super().__init__(window)  # type: ignore[arg-type]  # the host is the main window's QObject
        self.window = window
        style = window.style()

        def act(
            icon: QStyle.StandardPixmap | None, slot: object, shortcut: QKeySequence | str | None = None
        ) -> QAction:
            a = QAction(window)
            if icon is not None:
                a.setIcon(style.standardIcon(icon))
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            return a

        SP = QStyle.StandardPixmap
        self.open = act(SP.SP_DirOpenIcon, window.choose_folder, QKeySequence.StandardKey.Open)
        self.scan = act(SP.SP_MediaPlay, lambda: window.start_scan(), "F5")
        self.stop = act(SP.SP_MediaStop, window.stop_scan, "Esc")
        self.export_csv = act(SP.SP_DialogSaveButton, lambda: window.export_results("csv"), "Ctrl+E")
        self.export_json = act(None, lambda: window.export_results("json"))
        self.export_heatmaps = act(None, lambda: window.export_results("heatmaps"))
        self.models = act(SP.SP_DriveHDIcon, window.open_models_dialog)
        self.retrain = act(SP.SP_BrowserReload, window.open_retrain_wizard)
        self.settings = act(
            SP.SP_FileDialogDetailedView, window.open_settings_dialog, QKeySequence.StandardKey.Preferences
        )
        self.quit = act(None, window.close, QKeySequence.StandardKey.Quit)
        self.logs = act(None, window.open_log_folder)
        self.about = act(None, window.show_about)
        self.guide = act(None, window.show_verdict_guide, QKeySequence.StandardKey.HelpContents)
        self.find = act(None, lambda: window.results.search.setFocus(), QKeySequence.StandardKey.Find)
        window.addAction(self.find)

        mb = window.menuBar()
        self.file_menu = mb.addMenu("")
        self.recent_menu = QMenu(window)
        self.export_menu = QMenu(window)
        for a in (self.export_csv, self.export_json, self.export_heatmaps):
            self.export_menu.addAction(a)
        self.file_menu.addAction(self.open)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addMenu(self.export_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit)
        self.scan_menu = mb.addMenu("")
        self.scan_menu.addAction(self.scan)
        self.scan_menu.addAction(self.stop)
        self.tools_menu = mb.addMenu("")
        self.tools_menu.addAction(self.models)
        self.tools_menu.addAction(self.retrain)
        self.tools_menu.addAction(self.settings)
        self.help_menu = mb.addMenu("")
        self.help_menu.addAction(self.guide)
        self.help_menu.addAction(self.logs)
        self.help_menu.addAction(self.about)

        tb = QToolBar(window)
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(20, 20))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addAction(self.open)
        tb.addAction(self.scan)
        tb.addAction(self.stop)
        tb.addSeparator()
        self.export_button = QToolButton(tb)
        self.export_button.setIcon(style.standardIcon(SP.SP_DialogSaveButton))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setMenu(self.export_menu)
        tb.addWidget(self.export_button)
        tb.addSeparator()
        tb.addAction(self.models)
        tb.addAction(self.retrain)
        tb.addAction(self.settings)
        spacer = QWidget(tb)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        self.folder_label = QLabel(tb)
        self.folder_label.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setContentsMargins(0, 0, 8, 0)
        tb.addWidget(self.folder_label)
        window.addToolBar(tb)
        self.toolbar = tb
        self.rebuild_recent(window.settings.recent_folders)

    def rebuild_recent(self, folders: tuple[str, ...] | list[str]) -> None:
        self.recent_menu.clear()
        for f in folders:
            a = self.recent_menu.addAction(f)
            a.triggered.connect(lambda _=False, f=f: self.window.open_paths([f]))
        self.recent_menu.setEnabled(bool(folders))

    def set_busy(self, busy: bool, scanning: bool) -> None:
        self.scan.setEnabled(not busy)
        self.stop.setEnabled(scanning)
        self.open.setEnabled(not busy)
        self.recent_menu.setEnabled(not busy and bool(self.window.settings.recent_folders))
        self.models.setEnabled(not busy)
        self.settings.setEnabled(not busy)

    def retranslate(self, roots: list[str]) -> None:
        self.file_menu.setTitle(self.tr("&File"))
        self.scan_menu.setTitle(self.tr("&Scan"))
        self.tools_menu.setTitle(self.tr("&Tools"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.recent_menu.setTitle(self.tr("Recent folders"))
        self.export_menu.setTitle(self.tr("Export"))
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(
            self.tr("Export the selected rows (or all rows shown) as CSV, JSON or heatmap PNGs")
        )
        for a, text, tip in (
            (
                self.open,
                self.tr("Open folder…"),
                self.tr("Choose a folder of images to check (or drop folders and files on the window)"),
            ),
            (self.scan, self.tr("Scan"), self.tr("Check every image in the folder (F5)")),
            (self.stop, self.tr("Stop"), self.tr("Stop the scan; the results so far are kept (Esc)")),
            (self.export_csv, self.tr("Export CSV…"), ""),
            (self.export_json, self.tr("Export JSON…"), ""),
            (self.export_heatmaps, self.tr("Export heatmap PNGs…"), ""),
            (self.models, self.tr("Models…"), self.tr("Installed detector models: choose, import, export, delete")),
            (
                self.retrain,
                self.tr("Retrain…"),
                self.tr("Train or fine-tune a model on your own images, with AI images made by Stable Diffusion"),
            ),
            (self.settings, self.tr("Settings…"), self.tr("Device, decision band, tiling, language")),
            (self.quit, self.tr("Quit"), ""),
            (self.guide, self.tr("How to read the verdicts"), ""),
            (self.logs, self.tr("Open log folder"), ""),
            (self.about, self.tr("About Miwake"), ""),
            (self.find, self.tr("Find"), ""),
        ):
            a.setText(text)
            a.setToolTip(tip or text.rstrip("…"))
        if roots:
            shown = ", ".join(roots)
            fm = self.folder_label.fontMetrics()
            self.folder_label.setText(fm.elidedText(shown, Qt.TextElideMode.ElideMiddle, 520))
            self.folder_label.setToolTip(shown)
        else:
            self.folder_label.setText(self.tr("No folder open"))
            self.folder_label.setToolTip("")
        self.rebuild_recent(self.window.settings.recent_folders)
        if self.recent_menu.isEmpty():
            self.recent_menu.setEnabled(False)
