"""File dialogs that open where the user was last, not in the folder the app happened to start from.

The start is the folder of the last file or folder chosen in any Miwake dialog (kept in the settings), else the
most recent scanned folder, else the Pictures folder, else home. Every dialog of the app goes through here.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from miwake.core.settings import load_settings, save_settings

log = logging.getLogger(__name__)


def start_dir() -> str:
    s = load_settings()
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    for candidate in (s.last_dialog_folder, *(s.recent_folders[:1]), pictures, os.path.expanduser("~")):
        if candidate and os.path.isdir(candidate):
            return candidate
    return ""


def remember(path: str) -> None:
    """Remember the folder of `path` (a file or a folder) as the next dialogs' start."""
    if not path:
        return
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    try:
        save_settings(load_settings().with_(last_dialog_folder=folder))
    except OSError as e:  # a read-only settings folder: dialogs simply start elsewhere next time
        log.info("Could not remember the dialog folder: %s", e)


def choose_folder(parent: QWidget | None, title: str, start: str | None = None) -> str:
    folder = QFileDialog.getExistingDirectory(parent, title, start or start_dir())
    remember(folder)
    return folder


def open_file(parent: QWidget | None, title: str, name_filter: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_dir(), name_filter)
    remember(path)
    return path


def save_file(parent: QWidget | None, title: str, file_name: str, name_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, title, os.path.join(start_dir(), file_name), name_filter)
    remember(path)
    return path
