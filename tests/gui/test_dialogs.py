"""The models dialog (list, cards, use, import in a worker, delete only user models) and the settings dialog."""

from __future__ import annotations

import json
import shutil

from miwake.core import paths
from miwake.core.model_choice import active_model_id
from miwake.core.registry import ModelRegistry
from miwake.core.settings import load_settings, save_settings
from miwake.gui.dialogs.models_dialog import ModelsDialog
from miwake.gui.dialogs.settings_dialog import SettingsDialog


def _select(dlg: ModelsDialog, model_id: str) -> None:
    assert dlg.select_model(model_id), f"{model_id} not listed"


def test_models_dialog_lists_uses_imports_and_deletes(qtbot, tiny_bundle, tmp_path, monkeypatch):
    shutil.copytree(tiny_bundle.path, paths.bundled_models_dir() / "tiny")  # a bundled (read-only) model
    reg = ModelRegistry()
    reg.import_bundle(tiny_bundle.path, new_id="mine")
    dlg = ModelsDialog()
    qtbot.addWidget(dlg)
    assert dlg.list.count() == 2
    _select(dlg, "tiny")
    assert dlg.current_bundle().read_only
    assert not dlg.delete_button.isEnabled()  # bundled models stay
    assert "Tiny test model" in dlg.card.toPlainText() and "unsure band" in dlg.card.toPlainText()
    _select(dlg, "mine")
    assert dlg.delete_button.isEnabled() and dlg.use_button.isEnabled()
    with qtbot.waitSignal(dlg.models_changed):
        dlg.use_current()
    assert active_model_id(reg) == "mine"
    assert "★" in dlg.list.currentItem().text()

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text("{ not json")
    with qtbot.waitSignal(dlg.task_finished, timeout=30_000) as blocker:
        dlg.import_bundle(str(broken))
    assert blocker.args == [False]
    assert "not installed" in dlg.message.text() and "not valid JSON" in dlg.message.text()

    with qtbot.waitSignal(dlg.task_finished, timeout=30_000) as blocker:
        dlg.export_model("mine", str(tmp_path / "mine.miwake"))
    assert blocker.args == [True] and (tmp_path / "mine.miwake").is_file()

    _select(dlg, "mine")
    from PySide6.QtWidgets import QMessageBox

    from miwake.gui.dialogs import models_dialog

    asked = []
    monkeypatch.setattr(models_dialog, "plain_question", lambda *a: asked.append(a) or QMessageBox.StandardButton.No)
    dlg.delete_button.click()  # the button asks first (its clicked(False) used to skip the question)
    assert asked and dlg.list.count() == 2
    with qtbot.waitSignal(dlg.models_changed):
        dlg.delete_current(confirm=False)
    assert dlg.list.count() == 1
    assert [b.id for b in reg.list()] == ["tiny"]


def test_models_dialog_shows_training_data_and_validation_in_words(qtbot, tiny_bundle, tmp_path):
    folder = tmp_path / "described"
    shutil.copytree(tiny_bundle.path, folder)
    card = json.loads((folder / "model.json").read_text())
    card["id"] = "described"
    card["training"] = {
        "data": {"train": {"images": 12, "ai": 5, "real": 7, "sources": {"gen_a": {}, "photos_b": {}}}},
        "not_seen": ["Flux"],
        "history": [{"epoch": 1, "loss": 0.5}],
    }
    card["metrics"] = {
        "auc": 0.9,
        "verdicts": {"ai_verdict_precision": 0.8, "human_verdict_precision": 0.95},
        "per_source": {"photos_b": {"label": "real", "n": 7, "accuracy": 0.71}},
    }
    (folder / "model.json").write_text(json.dumps(card))
    ModelRegistry().import_bundle(folder)
    dlg = ModelsDialog()
    qtbot.addWidget(dlg)
    _select(dlg, "described")
    text = dlg.card.toPlainText()
    assert "12 images (5 AI, 7 human-made)" in text and "gen_a, photos_b" in text
    assert "Not seen" in text and "Flux" in text
    assert "verdicts right 80%" in text and "photos_b" in text and "71% right" in text
    assert "history" not in text and "{" not in text  # no raw JSON


def test_settings_dialog_saves_through_core_settings(qtbot):
    save_settings(load_settings().with_(recent_folders=("/kept",)))
    dlg = SettingsDialog(load_settings())
    qtbot.addWidget(dlg)
    dlg.show()  # as the app opens it: the probe's answer comes once it is on screen
    with qtbot.waitSignal(dlg.devices_probed, timeout=30_000):
        pass
    cuda = dlg.device.model().item(dlg.device.findData("cuda"))
    assert cuda.isEnabled() == ("GPU:" in dlg.gpu_label.text())
    label = dlg.gpu_label  # the probe's note, wrapped over lines, is not cut off by the row below it
    assert label.height() >= label.heightForWidth(label.width()) and dlg.height() >= dlg.sizeHint().height()
    dlg.override.setChecked(True)
    dlg.band_lo.setValue(0.3)
    dlg.band_hi.setValue(0.7)
    dlg.stride.setValue(128)
    dlg.batch.setValue(4)
    dlg.max_tiles.setValue(16)
    dlg.language.setCurrentIndex(dlg.language.findData("en"))
    assert dlg.cpu_runtime.currentData() == "auto"
    dlg.cpu_runtime.setCurrentIndex(dlg.cpu_runtime.findData("pytorch"))
    with qtbot.waitSignal(dlg.settings_saved):
        dlg.accept()
    s = load_settings()
    assert s.unsure_band_override == (0.3, 0.7)
    assert (s.stride, s.batch_size, s.max_tiles, s.language, s.cpu_runtime) == (128, 4, 16, "en", "pytorch")
    assert s.recent_folders == ("/kept",)  # untouched
    dlg_auto = SettingsDialog(s.with_(max_tiles=None))
    qtbot.addWidget(dlg_auto)
    assert dlg_auto.max_tiles.text() == "the model's choice"
    dlg2 = SettingsDialog(s)
    qtbot.addWidget(dlg2)
    assert dlg2.override.isChecked() and dlg2.stride.value() == 128 and dlg2.cpu_runtime.currentData() == "pytorch"
    dlg2.override.setChecked(False)
    dlg2.stride.setValue(0)
    dlg2.accept()
    assert load_settings().unsure_band_override is None and load_settings().stride is None
    qtbot.waitUntil(lambda: not dlg2.gpu_label.text().endswith("…"), timeout=30_000)


def test_settings_dialog_does_not_move_its_controls_when_the_gpu_check_answers(qtbot, monkeypatch):
    """Issue #24 item 8: the dialog grew when the GPU check's two-line answer came, and a click aimed at a control
    below the note landed on another."""
    import threading

    from PySide6.QtCore import QPoint

    from miwake.gui.dialogs import settings_dialog

    answer = threading.Event()

    def slow_probe():
        answer.wait(30)
        return None, False  # no GPU: the longest answer

    monkeypatch.setattr(settings_dialog, "probe_devices", slow_probe)
    dlg = SettingsDialog(load_settings())
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.gpu_label.text().endswith("…")
    where = {w: w.mapTo(dlg, QPoint(0, 0)) for w in (dlg.cpu_runtime, dlg.override, dlg.max_tiles, dlg.buttons)}
    height = dlg.height()
    with qtbot.waitSignal(dlg.devices_probed, timeout=30_000):
        answer.set()
    qtbot.wait(50)
    assert "No CUDA GPU" in dlg.gpu_label.text()
    assert {w: w.mapTo(dlg, QPoint(0, 0)) for w in where} == where and dlg.height() == height
    label = dlg.gpu_label
    assert label.height() >= label.heightForWidth(label.width())  # and the answer is not cut off


def test_settings_dialog_shows_the_models_band_while_the_override_is_off(qtbot):
    """The greyed-out fields say what decides now; there is no threshold field (it decided nothing)."""
    dlg = SettingsDialog(load_settings(), model_band=(0.165, 0.943))
    qtbot.addWidget(dlg)
    assert not dlg.override.isChecked() and not dlg.band_lo.isEnabled()
    assert (round(dlg.band_lo.value(), 2), round(dlg.band_hi.value(), 2)) == (0.17, 0.94)
    assert not hasattr(dlg, "threshold")
    dlg.override.setChecked(True)
    dlg.band_hi.setValue(0.8)
    assert dlg.result_settings().unsure_band_override == (round(dlg.band_lo.value(), 2), 0.8)
    assert "threshold_override" not in {f for f in vars(dlg.result_settings())}
    qtbot.waitUntil(lambda: not dlg.gpu_label.text().endswith("…"), timeout=30_000)


def test_models_dialog_puts_the_comparison_on_new_sources_first_and_says_which_validation(qtbot, tiny_bundle, tmp_path):
    """Issue #24 item 6: a card whose own split flattered it must not look better than a model measured on new
    sources: the same test for every model comes first, and each card says which validation its figures are."""
    for name, metrics in (
        (
            "split",
            {
                "auc": 0.891,
                "verdicts": {"ai_verdict_precision": 0.8, "human_verdict_precision": 0.96},
                "comparison": {"auc": 0.68, "auc_jpeg90": 0.66, "n": 602, "sources": 32, "test": "later sources"},
            },
        ),
        (
            "crossval",
            {
                "auc": 0.878,
                "cross_validation": {"protocol": "sources"},
                "verdicts": {"ai_verdict_precision": 0.95, "human_verdict_precision": 0.95},
                "comparison": {"auc": 0.90, "n": 602, "sources": 32, "test": "later sources"},
            },
        ),
    ):
        folder = tmp_path / name
        shutil.copytree(tiny_bundle.path, folder)
        card = json.loads((folder / "model.json").read_text())
        card["id"], card["metrics"] = name, metrics
        (folder / "model.json").write_text(json.dumps(card))
        ModelRegistry().import_bundle(folder)
    dlg = ModelsDialog()
    qtbot.addWidget(dlg)
    _select(dlg, "split")
    text = dlg.card.toPlainText()
    first = text.index("Compared on the same 602 images from 32 sources")
    assert "AUC 0.680" in text[first : first + 200]
    assert first < text.index("On its own validation split") and "not comparable" in text
    assert "Validation (its own split; not comparable)" in text
    _select(dlg, "crossval")
    text = dlg.card.toPlainText()
    assert "AUC 0.900" in text and "Validation (cross-validated over held-out sources)" in text
    assert "In cross-validation over sources it never saw" in text
    assert "later sources" in text  # in English, the card's own words for its comparison set
    from pathlib import Path

    from miwake.gui import i18n

    i18n_dir = Path(__file__).resolve().parents[2] / "resources" / "i18n"
    original = i18n.translations_dir
    i18n.translations_dir = lambda: i18n_dir
    try:
        i18n.apply_language("ja")
        _select(dlg, "split")
        _select(dlg, "crossval")
        text = dlg.card.toPlainText()
        assert "同梱モデルの学習にも使っていない 32 か所の入手元の 602 枚" in text and "later sources" not in text
    finally:
        i18n.apply_language("en")
        i18n.translations_dir = original
