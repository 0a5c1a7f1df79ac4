"""Message boxes that show their text as plain text.

`QMessageBox.question()` guesses "rich text" from the content, so a model's display name or a folder name holding
`<img src=…>` or `<a href=file:…>` would be rendered as HTML (and load local files). Every dialog that quotes
user or file data goes through here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def plain_question(parent: QWidget | None, title: str, text: str) -> QMessageBox.StandardButton:
    """Like `QMessageBox.question` (Yes / No, No by default), with `text` shown as plain text."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, "", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return QMessageBox.StandardButton(box.exec())


def plain_critical(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.exec()
