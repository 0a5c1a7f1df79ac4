"""App-level behaviour: translations (the .qm loads, live switching), screenshot mode, workers, error hooks."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QImage

from miwake.core.errors import DeviceError
from miwake.core.settings import load_settings, save_settings
from miwake.gui import error_hooks, i18n
from miwake.gui.app import run_app
from miwake.gui.main_window import MainWindow
from miwake.gui.workers import Worker, run_task
from tests.gui.conftest import write_images

REPO_I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"


@pytest.fixture
def repo_translations(monkeypatch):
    """The tests point MIWAKE_RESOURCES_DIR at an empty folder; the translations come from the repository."""
    monkeypatch.setattr(i18n, "translations_dir", lambda: REPO_I18N)


def test_the_compiled_translation_loads():
    t = QTranslator()
    assert t.load(str(REPO_I18N / "miwake_ja.qm"))
    assert t.translate("MainActions", "Scan") == "スキャン"
    assert t.translate("Verdict", "unsure") == "保留"
    assert t.translate("ResultsWidget", "%n image(s)", "", 3) == "%n 枚"


def test_language_switch_retranslates_the_open_window(qtbot, repo_translations):
    w = MainWindow(load_last=False)
    qtbot.addWidget(w)
    assert w.actions.scan.text() == "Scan"
    try:
        assert i18n.apply_language("ja") == "ja"
        qtbot.waitUntil(lambda: w.actions.scan.text() == "スキャン", timeout=3000)  # LanguageChange is posted
        assert w.results.model.headerData(3, Qt.Orientation.Horizontal) == "AI 確率"
        assert w.results.verdict_combo.itemText(0) == "すべての判定"
        assert w.detail.heatmap_box.text() == "ヒートマップ"
    finally:
        i18n.apply_language("en")
    qtbot.waitUntil(lambda: w.actions.scan.text() == "Scan", timeout=3000)
    w.close()


def test_screenshot_mode_scans_and_writes_a_png(qtbot, tiny_model, tmp_path, repo_translations):
    folder = write_images(tmp_path / "shots", 3)
    out = tmp_path / "window.png"
    assert run_app(folder=str(folder), screenshot=str(out)) == 0
    img = QImage(str(out))
    assert not img.isNull() and (img.width(), img.height()) == (1400, 900)
    assert str(folder) in load_settings().recent_folders


def test_screenshot_without_a_folder_finishes_when_the_last_scan_cannot_be_loaded(
    qtbot, tiny_model, tmp_path, monkeypatch
):
    from miwake.core.store import ResultStore

    def broken(self):
        raise RuntimeError("the store exploded")

    monkeypatch.setattr(ResultStore, "last_scan", broken)
    out = tmp_path / "window.png"
    assert run_app(screenshot=str(out)) == 1  # finished (a picture of the state), not hung until the 15-min timeout
    assert out.exists()


def test_worker_always_finishes_and_reports_errors(qtbot):
    def boom():
        raise ValueError("nope")

    w = Worker(boom)
    errors = []
    w.errored.connect(errors.append)
    with qtbot.waitSignals([w.errored, w.finished], timeout=5000):
        w.start()
    assert len(errors) == 1 and isinstance(errors[0], ValueError)

    def counting(cancel):
        for i in range(1000):
            yield i
            cancel.wait(0.01)

    cancel = threading.Event()
    g = Worker(counting, cancel, cancel_event=cancel)
    seen = []
    g.yielded.connect(lambda v: (seen.append(v), g.quit() if v == 2 else None))
    with qtbot.waitSignal(g.finished, timeout=5000):
        g.start()
    assert 2 in seen and len(seen) < 1000

    got = {}
    run_task(lambda a, b: a + b, 2, 3, on_done=lambda result, error: got.update(r=result))
    qtbot.waitUntil(lambda: got.get("r") == 5, timeout=2000)


def test_unhandled_errors_are_logged_and_notified(qtbot, caplog):
    bridge = error_hooks.ErrorBridge()
    error_hooks.install_hooks(bridge)
    try:
        with qtbot.waitSignal(bridge.error_reported) as blocker:
            try:
                raise RuntimeError("kaboom")
            except RuntimeError as e:
                error_hooks._excepthook(type(e), e, e.__traceback__)
        assert "RuntimeError" in blocker.args[1] and "log folder" in blocker.args[1]
        assert "kaboom" in caplog.text
        with qtbot.waitSignal(bridge.error_reported, timeout=5000) as blocker:
            t = threading.Thread(target=lambda: (_ for _ in ()).throw(OSError(28, "No space left on device")))
            t.start()
            t.join()
        assert "No space left" in blocker.args[1]
    finally:
        error_hooks.uninstall_hooks()
    assert "Settings" in error_hooks.describe_error(DeviceError("CUDA was requested but no CUDA GPU is usable."))


def test_settings_language_applies_on_start(qtbot, tiny_model, repo_translations):
    save_settings(load_settings().with_(language="ja"))
    try:
        assert i18n.apply_language(load_settings().language) == "ja"
        assert QCoreApplication.translate("MainActions", "Stop") == "停止"
    finally:
        i18n.apply_language("en")


def test_refcount_guard_survives_many_emits(qtbot):
    from miwake.gui import qt_compat

    if not qt_compat.binding_leaks_references():
        pytest.skip("this PySide6 does not leak references on emit")
    assert qt_compat.install_refcount_guard()
    probe = qt_compat._Probe()
    for _ in range(50_000):  # without the guard, Python aborts ("bool_dealloc") long before this
        probe.pinged.emit()
    qt_compat._guard.top_up()
    import sys

    assert sys.getrefcount(True) >= qt_compat._guard._targets[0] - 1  # what was lost is held again (-1: loop var)


def _messages(ts: Path, translated_only: bool) -> set[tuple[str, str]]:
    import xml.etree.ElementTree as ET

    out = set()
    for ctx in ET.parse(ts).getroot().iter("context"):
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            done = tr is not None and tr.get("type") is None and "".join(tr.itertext()).strip()
            if done or not translated_only:
                out.add((ctx.findtext("name") or "", msg.findtext("source") or ""))
    return out


def test_every_ui_string_has_a_japanese_translation(tmp_path):
    import subprocess

    from miwake.gui.tools import build_translations as bt

    try:
        lupdate = bt.find_tool("lupdate")
    except SystemExit:
        pytest.skip("pyside6-lupdate is not installed")
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [lupdate, *bt.sources(), "-locations", "none", "-ts", str(fresh)], cwd=bt.ROOT, check=True, capture_output=True
    )
    missing = _messages(fresh, False) - _messages(REPO_I18N / "miwake_ja.ts", True)
    assert not missing, f"run `python -m miwake.gui.tools.build_translations` and translate: {sorted(missing)[:5]}"
