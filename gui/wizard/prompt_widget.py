"""Prompts for Stable Diffusion: a preset per domain (training/sd_prompts.py) or the user's own, one per line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from miwake.training.run_state import GenerationSettings
from miwake.training.sd_prompts import PRESETS, list_presets

from ..widgets.file_dialogs import open_file
from .advice import fill

MAX_PROMPT_FILE = 4 << 20


class PromptWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.use_preset = QRadioButton(self)
        self.use_custom = QRadioButton(self)
        group = QButtonGroup(self)
        group.addButton(self.use_preset)
        group.addButton(self.use_custom)
        self.preset = QComboBox(self)
        for name in list_presets():
            self.preset.addItem(name, name)
        self.text = QPlainTextEdit(self)
        self.text.setFixedHeight(72)
        self.load_button = QPushButton(self)
        self.file_message = QLabel(self)
        self.file_message.setTextFormat(Qt.TextFormat.PlainText)  # shows file names / user data
        self.file_message.setStyleSheet("color:#8b1a1a")
        self.file_message.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.use_preset, 0, 0)
        grid.addWidget(self.preset, 0, 1, 1, 2)
        grid.addWidget(self.use_custom, 1, 0)
        grid.addWidget(self.text, 1, 1)
        grid.addWidget(self.load_button, 1, 2)
        grid.addWidget(self.file_message, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self.use_preset.setChecked(True)
        self.use_preset.toggled.connect(self._update_enabled)
        self.load_button.clicked.connect(self._ask_file)
        self._update_enabled()
        self.retranslate_ui()

    def _update_enabled(self) -> None:
        self.preset.setEnabled(self.use_preset.isChecked())
        self.text.setEnabled(self.use_custom.isChecked())
        self.load_button.setEnabled(self.use_custom.isChecked())

    def _ask_file(self) -> None:
        path = open_file(self, self.tr("Load prompts (one per line)"), self.tr("Text files (*.txt);;All files (*)"))
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> bool:
        """Put a prompt file's text into the box (it is saved with the run)."""
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_PROMPT_FILE + 1)
            if len(data) > MAX_PROMPT_FILE:
                raise ValueError("too large")
            text = data.decode("utf-8-sig")
        except (OSError, ValueError) as e:
            self.file_message.setText(fill(self.tr("Cannot read %1 as a text file (%2)."), path, e))
            self.file_message.show()
            return False
        self.file_message.hide()
        self.use_custom.setChecked(True)
        self.text.setPlainText(text)
        return True

    def prompt_lines(self) -> list[str]:
        lines = (line.strip() for line in self.text.toPlainText().splitlines())
        return [line for line in lines if line and not line.startswith("#")]

    def problem(self) -> Callable[[], str] | None:
        if self.use_custom.isChecked() and not self.prompt_lines():
            return lambda: self.tr("Write at least one prompt (one per line), or choose a preset.")
        return None

    def load(self, g: GenerationSettings) -> None:
        i = self.preset.findData(g.preset)
        if i >= 0:
            self.preset.setCurrentIndex(i)
        self.text.setPlainText(g.prompts_text)
        (self.use_custom if g.prompt_mode == "custom" else self.use_preset).setChecked(True)

    def store(self, g: GenerationSettings) -> None:
        g.prompt_mode = "custom" if self.use_custom.isChecked() else "preset"
        g.preset = self.preset.currentData() or g.preset
        g.prompts_text = self.text.toPlainText()

    def retranslate_ui(self) -> None:
        self.use_preset.setText(self.tr("Prompts for a domain:"))
        self.use_custom.setText(self.tr("My own prompts:"))
        names = {
            "car": self.tr("Cars"),
            "illustration": self.tr("Anime and illustration"),
            "landmark": self.tr("Famous buildings and monuments"),
            "landscape": self.tr("Nature and scenery"),
            "portrait": self.tr("People (portraits)"),
        }
        for i in range(self.preset.count()):
            name = self.preset.itemData(i)
            self.preset.setItemText(i, names.get(name, PRESETS[name].description))
        self.text.setPlaceholderText(self.tr("One prompt per line; lines starting with # are ignored"))
        self.load_button.setText(self.tr("Load file…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
