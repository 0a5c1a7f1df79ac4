"""Non-modal notifications: a small panel in the window's lower-right corner that fades after a while.

Used for errors (what happened and what to do) and for short confirmations; it never blocks the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

_STYLES = {
    "error": "background:#fff1f0; border:1px solid #d73027; border-radius:6px;",
    "info": "background:#f0f6fc; border:1px solid #3182bd; border-radius:6px;",
}


class NotificationWidget(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("notification")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.title.setStyleSheet("font-weight:bold; border:none; background:transparent;")
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setStyleSheet("border:none; background:transparent;")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.hide)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 10)
        layout.addLayout(head)
        layout.addWidget(self.body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        parent.installEventFilter(self)
        self.hide()

    def notify(self, title: str, text: str, kind: str = "info", timeout_ms: int | None = None) -> None:
        self.setStyleSheet(f"QFrame#notification {{{_STYLES.get(kind, _STYLES['info'])}}}")
        self.title.setText(title)
        self.body.setText(text)
        self._place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms if timeout_ms is not None else (15_000 if kind == "error" else 6_000))

    def text(self) -> str:
        return f"{self.title.text()}\n{self.body.text()}"

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(460, max(240, parent.width() - 40))
        self.setFixedWidth(width)
        self.adjustSize()
        self.move(parent.width() - width - 16, parent.height() - self.height() - 40)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
