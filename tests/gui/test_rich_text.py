"""User and file data never renders as Qt rich text (issue #16, item 3): model names, folder names, messages."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from miwake.core.model_choice import use_model
from miwake.core.registry import ModelRegistry
from miwake.gui.dialogs.models_dialog import ModelsDialog
from miwake.gui.main_window import MainWindow
from miwake.gui.widgets.plain_dialogs import plain_question

HOSTILE = '<img src="file:///etc/hostname"><a href="file:///">click</a>'


def _hostile_model(tiny_bundle, tmp_path):
    import shutil

    src = tmp_path / "hostile"
    shutil.copytree(tiny_bundle.path, src)
    card = json.loads((src / "model.json").read_text("utf-8"))
    card["display_name"] = HOSTILE
    (src / "model.json").write_text(json.dumps(card), "utf-8")
    reg = ModelRegistry()
    b = reg.import_bundle(src, new_id="hostile")
    use_model(b.id, reg)
    return b


def _labels_showing(widget, needle: str) -> list[QLabel]:
    return [lb for lb in widget.findChildren(QLabel) if needle in lb.text()]


def test_model_names_and_folder_names_show_as_plain_text(qtbot, tiny_bundle, tmp_path):
    _hostile_model(tiny_bundle, tmp_path)
    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    folder = tmp_path / "<b>bold<img src=x>"
    folder.mkdir()
    w.open_paths([str(folder)])
    qtbot.waitUntil(lambda: not w.controller.is_busy(), timeout=30_000)
    shown = _labels_showing(w, "<img") + _labels_showing(w, "<b>bold")
    assert shown, "the names should be shown somewhere"
    for lb in shown:
        assert lb.textFormat() == Qt.TextFormat.PlainText, lb.objectName() or lb.text()

    dlg = ModelsDialog()
    qtbot.addWidget(dlg)
    dlg.use_current()
    for lb in _labels_showing(dlg, "<img"):
        assert lb.textFormat() == Qt.TextFormat.PlainText
    assert "<img" in dlg.card.toPlainText()  # the card (HTML) shows the name as text: it was escaped
    w.close()


def test_confirmations_quote_data_as_plain_text(qtbot):
    seen = {}

    def inspect_and_answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["format"], seen["text"] = box.textFormat(), box.text()
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(100, inspect_and_answer)
    assert plain_question(None, "Delete model", f"Delete the model {HOSTILE}?") == QMessageBox.StandardButton.No
    assert seen["format"] == Qt.TextFormat.PlainText and HOSTILE in seen["text"]
